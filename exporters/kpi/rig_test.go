package kpi

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// london is the example catalogue's time zone.
var london, _ = time.LoadLocation("Europe/London")

// rigNow is a Monday in October 2026 (BST): 2026-Q3 has ended, 2026-H2
// and 2026 are in progress.
var rigNow = time.Date(2026, 10, 5, 10, 0, 0, 0, london)

type rig struct {
	cat   *catalog.Catalog
	st    *store.Store
	dsn   string
	reg   *prometheus.Registry
	exp   *Exporter
	clock time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	cat, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{cat: cat, dsn: "sqlite:" + filepath.Join(t.TempDir(), "events.db"), reg: prometheus.NewRegistry(), clock: rigNow}
	r.st = r.openStore(t)
	r.exp, err = New(Options{Catalog: cat, Store: r.st, Logger: slog.New(slog.DiscardHandler), Registerer: r.reg,
		Now: func() time.Time { return r.clock }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), r.dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (r *rig) ret(t *testing.T, kpi, period string, num, den int64) store.KPIReturn {
	t.Helper()
	got, err := r.exp.AddReturn(context.Background(), Return{KPI: kpi, Period: period, Numerator: num, Denominator: den, By: "ooh-dm-1", Via: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (r *rig) status(t *testing.T, period string, q Querier) map[string]Row {
	t.Helper()
	p, err := catalog.ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.exp.Status(context.Background(), p, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.cat.KPIs) {
		t.Fatalf("%d rows for %d KPIs", len(rows), len(r.cat.KPIs))
	}
	out := map[string]Row{}
	for _, row := range rows {
		out[row.KPI] = row
	}
	return out
}

// fakeQuerier answers exact expressions; everything else has no series.
type fakeQuerier struct {
	mu     sync.Mutex
	values map[string]float64
	err    error
	calls  []fakeCall
}

type fakeCall struct {
	expr string
	at   time.Time
}

func (f *fakeQuerier) Query(_ context.Context, expr string, at time.Time) (float64, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{expr, at})
	if f.err != nil {
		return 0, false, f.err
	}
	v, ok := f.values[expr]
	return v, ok, nil
}

var errUnreachable = errors.New(`Post "http://127.0.0.1:1/api/v1/query": dial tcp 127.0.0.1:1: connect: connection refused`)
var storeAll = store.KPIFilter{}
