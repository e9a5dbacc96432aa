package linetest

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// clock is a controllable clock, safe for the dial goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// harness is a prober on the real store (SQLite in a temp dir), the test
// catalogue, a SimDialer whose connected calls arrive in the store as test
// calls, and a controllable clock.
type harness struct {
	t     *testing.T
	ctx   context.Context
	cat   *catalog.Catalog
	st    *store.Store
	dir   string
	clock *clock
	sim   *SimDialer
	reg   *prometheus.Registry
	p     *Prober
	seq   atomic.Int64 // call ids
	// opts, when set, adjusts the Options of the next restart.
	opts func(*Options)
}

func newHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), cat: testCatalog(t), dir: t.TempDir(), clock: &clock{t: start}}
	h.st = openStore(t, h.dir)
	h.sim = NewSimDialer(SimOptions{Now: h.clock.Now, OnConnect: h.arrive})
	h.restart()
	return h
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "events.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// restart builds a new prober (fresh registry) on the same store, as a
// restarted process would.
func (h *harness) restart() {
	h.t.Helper()
	if h.p != nil {
		h.p.Wait()
	}
	h.reg = prometheus.NewPedanticRegistry()
	o := Options{Catalog: h.cat, Store: h.st, Dialer: h.sim, Registerer: h.reg,
		Logger: slog.New(slog.DiscardHandler), Now: h.clock.Now}
	if h.opts != nil {
		h.opts(&o)
	}
	p, err := New(h.ctx, o)
	if err != nil {
		h.t.Fatalf("New: %v", err)
	}
	h.p = p
}

// arrive is the telephony source seeing a call on number at (a test call).
func (h *harness) arrive(ctx context.Context, number string, at time.Time) error {
	return h.insert(ctx, number, at, store.KindTest)
}

func (h *harness) insert(ctx context.Context, number string, at time.Time, kind string) error {
	so, std := "housing_repairs", "gold"
	if number == noiseNumber {
		so, std = "noise_patrol", "silver"
	}
	_, err := h.st.InsertCalls(ctx, []store.Call{{Source: "test", CallID: fmt.Sprintf("c%d", h.seq.Add(1)), PO: "borough",
		ServiceOption: so, AccessNumber: number, Standard: std, Kind: kind, Outcome: store.OutcomeIVROnly,
		QueuedAt: at, EndedAt: at.Add(8 * time.Second)}})
	return err
}

// publicCall stores a public call queued on number at.
func (h *harness) publicCall(number string, at time.Time) {
	h.t.Helper()
	if err := h.insert(h.ctx, number, at, store.KindPublic); err != nil {
		h.t.Fatal(err)
	}
}

// tickAt sets the clock, ticks and waits for the calls placed.
func (h *harness) tickAt(at time.Time) {
	h.t.Helper()
	h.clock.Set(at)
	if err := h.p.Tick(h.ctx); err != nil {
		h.t.Fatalf("Tick at %s: %v", at.Format(time.RFC3339), err)
	}
	h.p.Wait()
}

// tickEvery ticks from from to to inclusive every step.
func (h *harness) tickEvery(from, to time.Time, step time.Duration) {
	h.t.Helper()
	for at := from; !at.After(to); at = at.Add(step) {
		h.tickAt(at)
	}
}

// runs are the stored runs of number.
func (h *harness) runs(number string) []store.LineTestRun {
	h.t.Helper()
	rs, err := h.st.LineTestRuns(h.ctx, store.LineTestFilter{AccessNumber: number})
	if err != nil {
		h.t.Fatal(err)
	}
	return rs
}

// metric finds the sample of name whose labels include want; ok is false
// when there is none.
func (h *harness) metric(name string, want map[string]string) (m *dto.Metric, ok bool) {
	h.t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		h.t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range want {
				if got[k] != v {
					continue next
				}
			}
			return m, true
		}
	}
	return nil, false
}

// value is a gauge or counter sample of number; it fails the test when absent.
func (h *harness) value(name, number string, extra ...string) float64 {
	h.t.Helper()
	want := map[string]string{"po": "borough", "access_number": number}
	for i := 0; i+1 < len(extra); i += 2 {
		want[extra[i]] = extra[i+1]
	}
	m, ok := h.metric(name, want)
	if !ok {
		h.t.Fatalf("no %s sample with %v", name, want)
	}
	if m.GetCounter() != nil {
		return m.GetCounter().GetValue()
	}
	return m.GetGauge().GetValue()
}

func (h *harness) runsTotal(number, trigger, result string) float64 {
	h.t.Helper()
	return h.value(MetricRuns, number, "trigger", trigger, "result", result)
}

// wantRuns checks the runs of number: their start times, triggers and
// results, in order.
func (h *harness) wantRuns(number string, want ...string) {
	h.t.Helper()
	rs := h.runs(number)
	got := make([]string, len(rs))
	for i, r := range rs {
		got[i] = fmt.Sprintf("%s %s %s", r.Started.In(h.cat.Location()).Format("01-02 15:04:05"), r.Trigger, r.Result)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		h.t.Errorf("runs of %s:\n got  %q\n want %q", number, got, want)
	}
}

func unix(t time.Time) float64 { return float64(t.Unix()) }

// every lists "MM-DD HH:MM:SS trigger result" at each step from from to to.
func every(from, to time.Time, step time.Duration, trigger, result string) []string {
	var out []string
	loc, _ := time.LoadLocation("Europe/London")
	for t := from; !t.After(to); t = t.Add(step) {
		out = append(out, fmt.Sprintf("%s %s %s", t.In(loc).Format("01-02 15:04:05"), trigger, result))
	}
	return out
}
