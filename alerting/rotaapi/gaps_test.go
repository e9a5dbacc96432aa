package rotaapi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

type raiser struct {
	gaps []catalog.Gap
	fail error
}

func (r *raiser) raise(_ context.Context, g catalog.Gap) error {
	if r.fail != nil {
		return r.fail
	}
	r.gaps = append(r.gaps, g)
	return nil
}

func gauge(t *testing.T, reg *prometheus.Registry, want string) {
	t.Helper()
	exp := `# HELP slawatch_rota_gap_seconds Seconds of the lookahead window (from now) in which nobody on the rota is reachable: nobody on call, or the person on call has no channel.
# TYPE slawatch_rota_gap_seconds gauge
` + want
	if err := testutil.GatherAndCompare(reg, strings.NewReader(exp), "slawatch_rota_gap_seconds"); err != nil {
		t.Error(err)
	}
}

// ealing_ds passes to ealing-new-1, who has no channel, on Friday 6
// November at 17:00 GMT. The watcher sees that 20 hours ahead, raises it
// once, and drops it when a pre-dated override fills the shift.
func TestGapWatcher(t *testing.T) {
	st := openStore(t)
	clk := &clock{t: time.Date(2026, 11, 5, 21, 0, 0, 0, time.UTC)} // Thursday 21:00 GMT
	reg := prometheus.NewRegistry()
	r := &raiser{}
	w, err := NewGapWatcher(GapWatcherOptions{Catalog: loadCatalog(t), Store: st, Now: clk.Now, Raise: r.raise, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	shift := time.Date(2026, 11, 6, 17, 0, 0, 0, time.UTC)
	if err := w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.gaps) != 1 || r.gaps[0].PO != "ealing" || r.gaps[0].Rota != "ealing_ds" || !r.gaps[0].From.Equal(shift) ||
		r.gaps[0].Person != "ealing-new-1" || !strings.Contains(r.gaps[0].Reason, "no sms, slack or email") {
		t.Fatalf("raised %+v; want one gap on ealing_ds from %s for ealing-new-1", r.gaps, shift)
	}
	gauge(t, reg, `slawatch_rota_gap_seconds{po="ealing",rota="ealing_ds"} 14400
slawatch_rota_gap_seconds{po="rbkc",rota="rbkc_noise"} 0
`)

	// An hour on: the same gap, a longer part of it in the window; not raised again.
	clk.Add(time.Hour)
	if err := w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.gaps) != 1 {
		t.Errorf("raised again: %+v", r.gaps)
	}
	gauge(t, reg, `slawatch_rota_gap_seconds{po="ealing",rota="ealing_ds"} 18000
slawatch_rota_gap_seconds{po="rbkc",rota="rbkc_noise"} 0
`)

	// A pre-dated override covers new-1's week: no gap, nothing raised.
	o, err := st.AddRotaChange(ctx, store.RotaChange{PO: "ealing", Rota: "ealing_ds", Kind: store.RotaOverride, Person: "ealing-dso-2",
		From: shift, To: shift.AddDate(0, 0, 7), Author: "ealing-office", Created: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	if err := w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.gaps) != 1 {
		t.Errorf("raised after the gap was filled: %+v", r.gaps)
	}
	gauge(t, reg, `slawatch_rota_gap_seconds{po="ealing",rota="ealing_ds"} 0
slawatch_rota_gap_seconds{po="rbkc",rota="rbkc_noise"} 0
`)

	// Cancelled again: the gap is back and is raised anew; a failing Raise
	// is retried at the next check.
	if _, err := st.AddRotaChange(ctx, store.RotaChange{PO: "ealing", Rota: "ealing_ds", Kind: store.RotaCancel, Cancels: o.ID,
		From: clk.Now(), Author: "ealing-office", Created: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	r.fail = errors.New("pager down")
	if err := w.Check(ctx); err == nil || !strings.Contains(err.Error(), "raise gap in ealing/ealing_ds from 2026-11-06T17:00:00Z: pager down") {
		t.Errorf("Check with a failing Raise: %v", err)
	}
	r.fail = nil
	if err := w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.gaps) != 2 || !r.gaps[1].From.Equal(shift) {
		t.Errorf("after the cancel: raised %+v; want the gap raised a second time", r.gaps)
	}
	// Under way, the gap keeps its start and is not raised again.
	clk.Set(shift.Add(2 * time.Hour))
	if err := w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.gaps) != 2 {
		t.Errorf("raised again while under way: %+v", r.gaps[2:])
	}
	gauge(t, reg, `slawatch_rota_gap_seconds{po="ealing",rota="ealing_ds"} 86400
slawatch_rota_gap_seconds{po="rbkc",rota="rbkc_noise"} 0
`)
}

func TestGapWatcherOptions(t *testing.T) {
	cat, st := loadCatalog(t), openStore(t)
	raise := func(context.Context, catalog.Gap) error { return nil }
	for _, c := range []struct {
		o    GapWatcherOptions
		want string
	}{
		{GapWatcherOptions{Store: st, Raise: raise}, "Catalog is nil"},
		{GapWatcherOptions{Catalog: cat, Raise: raise}, "Store is nil"},
		{GapWatcherOptions{Catalog: cat, Store: st}, "Raise is nil"},
		{GapWatcherOptions{Catalog: cat, Store: st, Raise: raise, Lookahead: -time.Hour}, "Lookahead is -1h0m0s"},
	} {
		if _, err := NewGapWatcher(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v; want %q", err, c.want)
		}
	}
	reg := prometheus.NewRegistry()
	if _, err := NewGapWatcher(GapWatcherOptions{Catalog: cat, Store: st, Raise: raise, Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewGapWatcher(GapWatcherOptions{Catalog: cat, Store: st, Raise: raise, Registerer: reg}); err == nil {
		t.Error("a second watcher on one registry: no error")
	}
}
