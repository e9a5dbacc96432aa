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

// RedactDSN is the DSN for messages: a URL without its password (in the
// user part, or the password and sslpassword parameters); any other form
// is not shown, in case it holds one.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "(DSN hidden: not a postgres:// URL)"
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
			q[k] = []string{"xxxxx"}
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}
