package linetest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/slawatch/slawatch/store"
)

// ReasonAbandoned is the reason of a run left running by a prober that
// stopped mid-test.
const ReasonAbandoned = "the prober stopped mid-test; the run never got a verdict"

// staleAfter is how long after its start a run is certainly not in
// progress in any live prober: the call is bounded by DialTimeout +
// SeenBound and the verdict is due SeenBound after the start, with a
// minute to spare. Younger running runs may belong to another live
// process (a manual `linetest run` next to the daemon), so they are left
// alone until then.
func (p *Prober) staleAfter() time.Duration { return p.o.DialTimeout + 2*p.o.SeenBound + time.Minute }

// restore rebuilds the numbers' state and gauges from the runs of the last
// restoreWindow, after turning stale running runs into errors. Counters
// start at 0 in each process (Prometheus reads the restart as a reset).
func (p *Prober) restore(ctx context.Context) error {
	now := p.o.Now()
	if err := p.abandonStale(ctx, now); err != nil {
		return err
	}
	runs, err := p.o.Store.LineTestRuns(ctx, store.LineTestFilter{From: now.Add(-restoreWindow)})
	if err != nil {
		return fmt.Errorf("linetest: restore runs of the last %s: %w", restoreWindow, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range runs { // ordered by Started
		st := p.stateOf(r.AccessNumber)
		if st == nil {
			continue // a number no longer in the catalogue
		}
		if st.LastStarted.Before(r.Started) {
			st.LastStarted = r.Started
		}
		if r.Trigger == TriggerHandover && r.Result != ResultError && st.LastHandoverStarted.Before(r.Started) {
			st.LastHandoverStarted = r.Started
		}
		switch r.Result {
		case ResultPass, ResultFail:
			p.record(st, r.PO, r.AccessNumber, r.Trigger, r.Result, r.Started)
		}
	}
	p.log.Info("line-test prober ready", "numbers", len(p.targets), "restored_runs", len(runs))
	return nil
}

// abandonStale turns runs still running staleAfter after their start into
// errors and counts them.
func (p *Prober) abandonStale(ctx context.Context, now time.Time) error {
	runs, err := p.o.Store.AbandonRunningLineTests(ctx, now.Add(-p.staleAfter()), ReasonAbandoned, now)
	if err != nil {
		return fmt.Errorf("linetest: abandon runs left running: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range runs {
		if f, ok := p.inflight[r.ID]; ok { // ours, stuck (a store that did not answer)
			f.finished = true
			delete(p.inflight, r.ID)
			p.state[r.AccessNumber].busy = false
		}
		if p.stateOf(r.AccessNumber) != nil && knownTrigger(r.Trigger) {
			p.m.runs.WithLabelValues(r.PO, r.AccessNumber, r.Trigger, ResultError).Inc()
		}
		p.log.Warn("line test abandoned", "run", r.ID, "po", r.PO, "access_number", r.AccessNumber,
			"trigger", r.Trigger, "started", r.Started)
	}
	return nil
}

func knownTrigger(t string) bool { return slices.Contains(Triggers(), t) }
