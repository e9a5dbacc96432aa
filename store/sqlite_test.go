package store

import (
	"context"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func nan() float64 { return math.NaN() }

func testLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func sqliteBackend() backend {
	return backend{name: "sqlite", fresh: func(t *testing.T) func() (*Store, error) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "events.db")
		return func() (*Store, error) { return Open(context.Background(), dsn, testLogger()) }
	}}
}

func TestSQLite(t *testing.T) { runSuite(t, sqliteBackend()) }

func TestSQLiteDurabilitySettings(t *testing.T) {
	open := sqliteBackend().fresh(t)
	s := mustOpen(t, open)
	// Every pooled connection must carry the settings, so check several.
	for i := 0; i < 3; i++ {
		conn, err := s.db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var mode string
		var sync, busy int
		if err := conn.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(context.Background(), "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || sync != 2 || busy < 1000 {
			t.Errorf("connection %d: journal_mode=%s synchronous=%d busy_timeout=%d, want wal, 2 (FULL), >= 1000", i, mode, sync, busy)
		}
	}
}

// TestFailedBatchLeavesNoStaleIDs makes a batch with a new source and series
// fail after they were added inside its transaction: the rollback removes
// them, so the store must not keep their ids, and the same calls must then
// be stored and counted under the right series.
func TestFailedBatchLeavesNoStaleIDs(t *testing.T) {
	s := mustOpen(t, sqliteBackend().fresh(t))
	ctx := context.Background()
	mustInsert(t, s, []Call{mkCall("warm", testBase, OutcomeAnswered, 1)}) // statements prepared, one series known
	if _, err := s.db.ExecContext(ctx, `CREATE TRIGGER fail_intervals BEFORE INSERT ON call_intervals
BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	c := mkCall("n1", testBase.Add(time.Hour), OutcomeAbandoned, 30)
	c.Source, c.PO, c.ServiceOption = "http", "camden", "noise"
	if _, err := s.InsertCalls(ctx, []Call{c}); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("InsertCalls with the failing trigger: err = %v, want the injected failure", err)
	}
	if _, err := s.db.ExecContext(ctx, `DROP TRIGGER fail_intervals`); err != nil {
		t.Fatal(err)
	}
	if ins := mustInsert(t, s, []Call{c}); !ins[0] {
		t.Fatal("after the failed batch, the call was not inserted")
	}
	got := mustSummary(t, s, "camden", testBase, testBase.Add(2*time.Hour))
	if len(got) != 1 || got[0].ServiceOption != "noise" || got[0].Abandoned != 1 {
		t.Fatalf("Summary(camden) = %+v, want one abandoned noise call", got)
	}
	tot, err := s.Totals(ctx, []float64{20}, []float64{60})
	if err != nil {
		t.Fatal(err)
	}
	if len(tot) != 2 || tot[1].PO != "camden" || tot[1].Abandoned.Count != 1 {
		t.Fatalf("Totals = %+v, want barnet's call and camden's", tot)
	}
}

func TestOpenDSN(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{filepath.Join(dir, "plain.db"), "sqlite:" + filepath.Join(dir, "prefixed.db")} {
		s, err := Open(context.Background(), dsn, testLogger())
		if err != nil {
			t.Fatalf("Open(%q): %v", dsn, err)
		}
		if s.d.name != "sqlite" {
			t.Errorf("Open(%q) backend %s, want sqlite", dsn, s.d.name)
		}
		s.Close()
	}
	for _, dsn := range []string{"", "sqlite:", "sqlite:/tmp/a?b.db"} {
		if _, err := Open(context.Background(), dsn, testLogger()); err == nil {
			t.Errorf("Open(%q) succeeded, want an error", dsn)
		}
	}
	for in, want := range map[string]string{
		"postgres://u:secret@h:5432/db":     "postgres://u:xxxxx@h:5432/db",
		"postgres://u:p@ss@h/db":            "postgres://u:xxxxx@h/db",
		"postgres://u@h/db?sslmode=disable": "postgres://u@h/db?sslmode=disable",
		"postgres://u:se cret@h:bad/db":     "postgres://(DSN hidden: not a valid URL)",
	} {
		if got := redactDSN(in); got != want {
			t.Errorf("redactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}
