package crmsql

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
)

// OpenDB opens the CRM's PostgreSQL database (a postgres:// URL or a
// key=value DSN) for the source: a small pool, as the source reads one page
// at a time. It does not connect yet; the source's polls do, and retry.
// Give slawatch a role that may only SELECT the mapped tables.
func OpenDB(dsn string) (*sql.DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, fmt.Errorf("crmsql: empty CRM database DSN; want postgres://user@host:5432/crm (password in PGPASSWORD or ~/.pgpass)")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("crmsql: CRM database %s: %w", RedactDSN(dsn), err)
	}
	db.SetMaxOpenConns(2)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// RedactDSN is the DSN for messages: a URL without its password; any other
// form is not shown, in case it holds one.
func RedactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" && u.Host != "" {
		return u.Redacted()
	}
	return "(DSN hidden: not a postgres:// URL)"
}
