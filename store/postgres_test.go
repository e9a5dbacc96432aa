package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

const postgresHowTo = "PostgreSQL tests need SLAWATCH_TEST_POSTGRES_DSN: run `make test` (which starts PostgreSQL), " +
	"or `eval \"$(deploy/local/postgres.sh start)\"` then `go test ./store/...` and `deploy/local/postgres.sh stop`; " +
	"set SLAWATCH_SKIP_POSTGRES=1 to skip them in a quick local loop"

// postgresDSN returns the test server's DSN, failing (or, with
// SLAWATCH_SKIP_POSTGRES=1, skipping) when none is configured.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("SLAWATCH_TEST_POSTGRES_DSN")
	if dsn != "" {
		return dsn
	}
	if os.Getenv("SLAWATCH_SKIP_POSTGRES") == "1" {
		t.Skip("SLAWATCH_SKIP_POSTGRES=1: " + postgresHowTo)
	}
	t.Fatal(postgresHowTo)
	return ""
}

// freshPostgres creates an empty schema for one test, dropped afterwards,
// and returns a DSN whose search_path points at it.
func freshPostgres(t *testing.T) string {
	t.Helper()
	dsn := postgresDSN(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), rand.Uint32())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema on %s: %v", redactDSN(dsn), err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

func postgresBackend() backend {
	return backend{name: "postgres", fresh: func(t *testing.T) func() (*Store, error) {
		dsn := freshPostgres(t)
		return func() (*Store, error) { return Open(context.Background(), dsn, testLogger()) }
	}}
}

func TestPostgres(t *testing.T) {
	postgresDSN(t) // fail (or skip) once, not in every subtest
	runSuite(t, postgresBackend())
}

// TestBackendsAgree loads the same calls, in the same batches with replays
// and duplicates, into SQLite and PostgreSQL and requires identical
// Summary, Intervals and Totals.
func TestBackendsAgree(t *testing.T) {
	postgresDSN(t)
	pg := mustOpen(t, postgresBackend().fresh(t))
	lite := mustOpen(t, sqliteBackend().fresh(t))
	r := rand.New(rand.NewPCG(11, 12))
	calls := randomCalls(r, 5000, "agree")
	// Sub-second and odd durations, to catch any rounding difference.
	for i := range calls {
		calls[i].QueuedAt = calls[i].QueuedAt.Add(time.Duration(r.Int64N(int64(time.Second))))
		calls[i].TalkSeconds += float64(r.IntN(1_000_000)) / 1e9
	}
	for _, s := range []*Store{pg, lite} {
		for lo := 0; lo < len(calls); lo += 900 {
			hi := min(lo+1300, len(calls)) // overlapping batches: duplicates across batches
			mustInsert(t, s, calls[lo:hi])
		}
	}
	ctx := context.Background()
	periods := [][2]time.Time{
		{testBase.Add(-24 * time.Hour), testBase.Add(24 * time.Hour)},
		{testBase.Add(-3 * time.Hour), testBase.Add(15 * time.Minute)},
		{testBase.Add(-3*time.Hour + 7*time.Second), testBase.Add(2*time.Hour + 333*time.Millisecond)},
	}
	for _, po := range []string{"barnet", "camden"} {
		for _, p := range periods {
			a, b := mustSummary(t, pg, po, p[0], p[1]), mustSummary(t, lite, po, p[0], p[1])
			if len(a) == 0 || !reflect.DeepEqual(a, b) {
				t.Errorf("Summary(%s, %s, %s) differs:\npostgres %+v\nsqlite   %+v", po, p[0], p[1], a, b)
			}
			ia, ib := mustIntervals(t, pg, po, p[0], p[1]), mustIntervals(t, lite, po, p[0], p[1])
			if len(ia) == 0 || !reflect.DeepEqual(ia, ib) {
				t.Errorf("Intervals(%s, %s, %s) differ: postgres %d rows, sqlite %d rows", po, p[0], p[1], len(ia), len(ib))
			}
		}
	}
	wb, db := []float64{10, 15, 20, 30, 40, 60, 80, 90, 120, 180, 300, 600}, []float64{30, 60, 120, 300, 600}
	ta, err := pg.Totals(ctx, wb, db)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := lite.Totals(ctx, wb, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(ta) == 0 || !reflect.DeepEqual(ta, tb) {
		t.Errorf("Totals differ:\npostgres %+v\nsqlite   %+v", ta, tb)
	}
}
