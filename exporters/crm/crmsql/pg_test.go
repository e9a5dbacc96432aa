package crmsql

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/internal/syncbuf"
	"github.com/slawatch/slawatch/store"
)

const postgresHowTo = "PostgreSQL tests need SLAWATCH_TEST_POSTGRES_DSN: run `make test` (which starts PostgreSQL), " +
	"or `eval \"$(deploy/local/postgres.sh start)\"` then `go test ./exporters/crm/crmsql/...` and `deploy/local/postgres.sh stop`; " +
	"set SLAWATCH_SKIP_POSTGRES=1 to skip them in a quick local loop"

// postgresDSN returns the test server's DSN, failing (or, with
// SLAWATCH_SKIP_POSTGRES=1, skipping) when none is configured.
func postgresDSN(t *testing.T) string {
	t.Helper()
	if dsn := os.Getenv("SLAWATCH_TEST_POSTGRES_DSN"); dsn != "" {
		return dsn
	}
	if os.Getenv("SLAWATCH_SKIP_POSTGRES") == "1" {
		t.Skip("SLAWATCH_SKIP_POSTGRES=1: " + postgresHowTo)
	}
	t.Fatal(postgresHowTo)
	return ""
}

// crmDB is a CRM database for one test: a fresh PostgreSQL schema holding
// examples/crm/schema.sql, dropped afterwards.
type crmDB struct {
	t      *testing.T
	schema string
	// dsn reaches the schema (search_path) as application appName.
	dsn, appName string
	// admin is the test's own connection, for writing CRM rows.
	admin *sql.DB
}

func freshCRM(t *testing.T) *crmDB {
	t.Helper()
	base := postgresDSN(t)
	schema := fmt.Sprintf("crm_%d_%d", time.Now().UnixNano(), rand.Uint32())
	boot, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer boot.Close()
	if _, err := boot.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema on %s: %v", RedactDSN(base), err)
	}
	t.Cleanup(func() {
		drop, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer drop.Close()
		if _, err := drop.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	c := &crmDB{t: t, schema: schema, appName: "src_" + schema}
	c.dsn = base + sep + "search_path=" + schema + "&application_name=" + c.appName
	c.admin, err = sql.Open("pgx", base+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.admin.Close() })
	ddl, err := os.ReadFile("../../../examples/crm/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.admin.Exec(string(ddl)); err != nil {
		t.Fatalf("load examples/crm/schema.sql: %v", err)
	}
	return c
}

// exec runs CRM writes, failing the test on error.
func (c *crmDB) exec(q string, args ...any) {
	c.t.Helper()
	if _, err := c.admin.Exec(q, args...); err != nil {
		c.t.Fatalf("%s: %v", q, err)
	}
}

// count is one integer query.
func (c *crmDB) count(q string, args ...any) int {
	c.t.Helper()
	var n int
	if err := c.admin.QueryRow(q, args...).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// dropConnections ends the source's server connections, as a CRM database
// restart does.
func (c *crmDB) dropConnections() int {
	c.t.Helper()
	return c.count(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, c.appName)
}

// rig is one SQL source over a CRM database, with its slawatch store.
type rig struct {
	t    *testing.T
	crm  *crmDB
	src  *Source
	ing  *recorder
	st   *store.Store
	reg  *prometheus.Registry
	logs *syncbuf.Buffer
	db   *sql.DB
}

// storedIngester is the exporter under test: it also lists the event ids
// its store holds.
type storedIngester interface {
	Ingester
	stored() []string
}

// recorder records what the source hands the exporter, and its answers.
type recorder struct {
	inner storedIngester

	mu                  sync.Mutex
	evs                 []crm.Event
	accepted, duplicate int
	rejects             []crm.EventError
}

func (r *recorder) Ingest(ctx context.Context, transport, source string, evs []crm.Event) (crm.Result, error) {
	res, err := r.inner.Ingest(ctx, transport, source, evs)
	r.mu.Lock()
	defer r.mu.Unlock()
	if transport != Transport {
		panic("transport " + transport)
	}
	r.evs = append(r.evs, evs...)
	if err == nil {
		r.accepted += res.Accepted
		r.duplicate += res.Duplicate
		r.rejects = append(r.rejects, res.Errors...)
	}
	return res, err
}

func (r *recorder) Reject(transport string, errs ...crm.EventError) {
	r.inner.Reject(transport, errs...)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejects = append(r.rejects, errs...)
}

func (r *recorder) stored() []string { return r.inner.stored() }

// received is every event handed over, in order.
func (r *recorder) received() []crm.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.evs)
}

func (r *recorder) counts() (accepted, duplicate int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted, r.duplicate
}

func (r *recorder) rejectedTotal() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.rejects)
}

func (r *recorder) rejections() []crm.EventError {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.rejects)
}

// find is the first event handed over with the id.
func (r *recorder) find(id string) (crm.Event, bool) {
	for _, e := range r.received() {
		if e.ID == id {
			return e, true
		}
	}
	return crm.Event{}, false
}

type rigOptions struct {
	mapping  string // YAML; "" is examples/crm/mapping.yaml
	batch    int
	cursors  func(CursorStore) CursorStore
	storeDSN string // "" is a new SQLite file
	// now is the clock of the source and the exporter (nil: time.Now).
	now func() time.Time
}

func newRig(t *testing.T, c *crmDB, o rigOptions) *rig {
	t.Helper()
	var m *Mapping
	var err error
	if o.mapping == "" {
		m, err = Load(examplePath)
	} else {
		m, err = Parse("test-mapping.yaml", []byte(o.mapping))
	}
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, crm: c, reg: prometheus.NewRegistry(), logs: &syncbuf.Buffer{}}
	storePath := filepath.Join(t.TempDir(), "events.db")
	logger := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.st, err = store.Open(context.Background(), "sqlite:"+storePath, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.st.Close() })
	r.ing = &recorder{inner: newTestIngester(t, r.st, storePath, r.reg, logger, o.now)}
	r.db, err = OpenDB(c.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.db.Close() })
	var cursors CursorStore = r.st
	if o.cursors != nil {
		cursors = o.cursors(r.st)
	}
	r.src, err = New(Options{Mapping: m, DB: r.db, Cursors: cursors, Ingester: r.ing, Logger: logger,
		Registerer: r.reg, Batch: o.batch, Now: o.now})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) poll() {
	r.t.Helper()
	if err := r.src.Poll(context.Background()); err != nil {
		r.t.Fatalf("poll: %v\nlogs:\n%s", err, r.logs.String())
	}
}

// rows is the source's rows_total of a table.
func (r *rig) rows(table string) int { return int(testutilRows(r.src, table)) }

func testutilRows(s *Source, table string) float64 {
	return testutil.ToFloat64(s.m.rows.WithLabelValues(table))
}

func (r *rig) sourceErrors(table string) int {
	return int(testutil.ToFloat64(r.src.m.errors.WithLabelValues(table)))
}

func (r *rig) late(table string) int {
	return int(testutil.ToFloat64(r.src.m.lateRows.WithLabelValues(table)))
}

// noPersonalData fails when a log line holds one of the personal values
// the tests write into the CRM.
func noPersonalData(t *testing.T, where string, text string) {
	t.Helper()
	for _, p := range personal {
		if strings.Contains(text, p) {
			t.Errorf("%s holds personal data %q:\n%s", where, p, text)
		}
	}
}

var personal = []string{"Jane Doe", "07700900123", "12 Acacia Avenue", "call Jane back"}

// exporterCount sums the exporter's self-metric name for transport sql
// whose other label (outcome or reason) is value ("" for any).
func (r *rig) exporterCount(name, value string) int {
	r.t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		r.t.Fatal(err)
	}
	n := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			ok := false
			match := value == ""
			for _, l := range m.GetLabel() {
				switch {
				case l.GetName() == "transport":
					ok = l.GetValue() == Transport
				case l.GetValue() == value:
					match = true
				}
			}
			if ok && match {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return int(n)
}
