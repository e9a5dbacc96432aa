package rotaapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slawatch/slawatch/catalog"
)

// DefaultLookahead is how far ahead GapWatcher looks by default.
const DefaultLookahead = 24 * time.Hour

// GapWatcherOptions configure a GapWatcher.
type GapWatcherOptions struct {
	// Catalog is the catalogue as loaded; stored changes are applied to it
	// at every check.
	Catalog *catalog.Catalog
	Store   Store
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Lookahead is the window checked from now (default DefaultLookahead):
	// a gap is raised at least this long before it starts.
	Lookahead time.Duration
	// Raise is called once for each new gap (required). It should be
	// idempotent on (PO, Rota, Person, Reason, From): after a restart the
	// same gap is raised again. A failed Raise is retried at the next Check.
	Raise func(ctx context.Context, g catalog.Gap) error
	// Registerer gets the slawatch_rota_gap_seconds gauge (nil: none).
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// GapWatcher finds rota gaps (stretches where nobody on a rota is
// reachable) ahead of time, with the stored rota changes applied, and
// raises each once. It is safe for concurrent use.
type GapWatcher struct {
	o     GapWatcherOptions
	ov    *overlay
	gauge *prometheus.GaugeVec

	mu     sync.Mutex
	raised []catalog.Gap // raised and still present at the last check
}

// NewGapWatcher checks the options and registers the gauge
// slawatch_rota_gap_seconds{po,rota}.
func NewGapWatcher(o GapWatcherOptions) (*GapWatcher, error) {
	switch {
	case o.Catalog == nil:
		return nil, errors.New("rotaapi: GapWatcherOptions.Catalog is nil")
	case o.Store == nil:
		return nil, errors.New("rotaapi: GapWatcherOptions.Store is nil")
	case o.Raise == nil:
		return nil, errors.New("rotaapi: GapWatcherOptions.Raise is nil; pass the function that raises a gap (the pager)")
	case o.Lookahead < 0:
		return nil, fmt.Errorf("rotaapi: GapWatcherOptions.Lookahead is %s; want 0 (default %s) or more", o.Lookahead, DefaultLookahead)
	}
	if o.Lookahead == 0 {
		o.Lookahead = DefaultLookahead
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	w := &GapWatcher{o: o, ov: &overlay{base: o.Catalog, st: o.Store}}
	w.gauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "slawatch_rota_gap_seconds",
		Help: "Seconds of the lookahead window (from now) in which nobody on the rota is reachable: nobody on call, or the person on call has no channel.",
	}, []string{"po", "rota"})
	if o.Registerer != nil {
		if err := o.Registerer.Register(w.gauge); err != nil {
			return nil, fmt.Errorf("rotaapi: register slawatch_rota_gap_seconds: %w", err)
		}
	}
	return w, nil
}

// Check computes every PO's gaps over [now, now+Lookahead) with the stored
// changes applied, sets the gauge, and raises each gap not raised before.
// A gap counts as raised while it stays (the same PO, rota, person and
// reason, overlapping); one that is filled and later comes back is raised
// again. A gap under way keeps the From it began at (looking back as far
// as Lookahead). Errors of Raise are joined; those gaps are retried.
func (w *GapWatcher) Check(ctx context.Context) error {
	cat, _, err := w.ov.current(ctx)
	if err != nil {
		return err
	}
	now := w.o.Now()
	end := now.Add(w.o.Lookahead)
	var current []catalog.Gap
	for _, po := range cat.POIDs() {
		p, _ := cat.PO(po)
		secs := map[string]float64{}
		for _, g := range cat.Gaps(po, now.Add(-w.o.Lookahead), end) {
			if !g.To.After(now) {
				continue
			}
			current = append(current, g)
			secs[g.Rota] += minTime(g.To, end).Sub(maxTime(g.From, now)).Seconds()
		}
		for _, r := range p.Rotas {
			w.gauge.WithLabelValues(po, r.ID).Set(secs[r.ID])
		}
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	var kept []catalog.Gap
	var errs []error
	for _, g := range current {
		if i := matching(w.raised, g); i >= 0 {
			kept = append(kept, g)
			continue
		}
		if err := w.o.Raise(ctx, g); err != nil {
			errs = append(errs, fmt.Errorf("raise gap in %s/%s from %s: %w", g.PO, g.Rota, g.From.Format(time.RFC3339), err))
			continue
		}
		w.o.Logger.Warn("rota gap raised", "po", g.PO, "rota", g.Rota, "from", g.From, "to", g.To, "person", g.Person, "reason", g.Reason)
		kept = append(kept, g)
	}
	w.raised = kept
	return errors.Join(errs...)
}

// matching is the index of a raised gap that g continues, or -1.
func matching(raised []catalog.Gap, g catalog.Gap) int {
	for i, r := range raised {
		if r.PO == g.PO && r.Rota == g.Rota && r.Person == g.Person && r.Reason == g.Reason &&
			!r.From.After(g.To) && !g.From.After(r.To) {
			return i
		}
	}
	return -1
}

// Run checks at once and then every interval until ctx ends, logging
// failed checks.
func (w *GapWatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := w.Check(ctx); err != nil && ctx.Err() == nil {
			w.o.Logger.Error("rota gap check failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
