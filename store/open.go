package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"
)

// Store is the event store. It is safe for concurrent use; writes are
// serialised inside the process (and, for SQLite, by BEGIN IMMEDIATE
// between processes).
type Store struct {
	db     *sql.DB
	d      dialect
	logger *slog.Logger

	// mu serialises InsertCalls and guards the fields below.
	mu sync.Mutex
	// stmts caches the full-size multi-row statements.
	stmts map[stmtKey]*sql.Stmt
	// args is reused between batches to keep allocations down.
	args []any
	// sourceIDs and seriesIDs cache the committed rows of the sources and
	// series dictionaries (rows are never changed or deleted).
	sourceIDs map[string]int64
	seriesIDs map[SeriesKey]int64
}

// sqlitePragmas make a committed transaction durable even on power loss
// (WAL + synchronous=FULL; kill -9 alone would only need NORMAL), wait for
// other writers instead of failing, and start write transactions with
// BEGIN IMMEDIATE so that two writers never deadlock on a lock upgrade.
const sqlitePragmas = "_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(FULL)" +
	"&_pragma=busy_timeout(10000)" +
	"&_pragma=foreign_keys(ON)" +
	"&_pragma=cache_size(-32768)" +
	"&_pragma=temp_store(MEMORY)" +
	"&_txlock=immediate"

// Open opens the event store and runs its migrations.
//
// dsn is "sqlite:PATH" or a plain file path for the embedded SQLite
// database (created if missing), or "postgres://…" / "postgresql://…" for
// PostgreSQL.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		return nil, errors.New("store.Open: logger is nil; pass a *slog.Logger (slog.New(slog.DiscardHandler) to silence it)")
	}
	d, driverDSN, shown, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(d.driver, driverDSN)
	if err != nil {
		return nil, fmt.Errorf("store: open %s database %s: %w", d.name, shown, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to %s database %s: %w", d.name, shown, err)
	}
	s := &Store{db: db, d: d, logger: logger, stmts: map[stmtKey]*sql.Stmt{},
		sourceIDs: map[string]int64{}, seriesIDs: map[SeriesKey]int64{}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: migrate %s database %s: %w", d.name, shown, err)
	}
	logger.Info("event store open", "backend", d.name, "database", shown)
	return s, nil
}

// parseDSN picks the backend. shown is the DSN without any password, for
// messages.
func parseDSN(dsn string) (d dialect, driverDSN, shown string, err error) {
	switch {
	case dsn == "" || dsn == "sqlite:":
		return d, "", "", errors.New(`store: empty DSN; want "sqlite:PATH", a file path, or "postgres://user@host:port/db"`)
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		return postgresDialect(), dsn, redactDSN(dsn), nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if strings.ContainsAny(path, "?#") {
		return d, "", "", fmt.Errorf("store: SQLite path %q contains ? or #; choose a path without them", path)
	}
	return sqliteDialect(), "file:" + path + "?" + sqlitePragmas, path, nil
}

// redactDSN hides the password of a postgres:// URL. A DSN that does not
// parse as a URL is not shown at all, in case it holds a password.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		scheme, _, _ := strings.Cut(dsn, "://")
		return scheme + "://(DSN hidden: not a valid URL)"
	}
	return u.Redacted()
}

// Close closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, st := range s.stmts {
		st.Close()
		delete(s.stmts, k)
	}
	return s.db.Close()
}
