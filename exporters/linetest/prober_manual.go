package linetest

import (
	"context"
	"fmt"
	"time"

	"github.com/slawatch/slawatch/store"
)

// RunNow tests number (E.164, an access number of the catalogue) at once
// with trigger (normally TriggerManual), whether or not a test is due or
// the number is in service: it places the call, then polls the store with
// the real clock until the telephony source has seen the test call, or
// until SeenBound after the start has passed in real time (a fail). It
// returns the finished run. It takes a concurrency slot like any test and
// refuses a number with a test of this process in progress. When ctx ends
// before the verdict, the run is finished as an error.
func (p *Prober) RunNow(ctx context.Context, number, trigger string) (store.LineTestRun, error) {
	n, ok := p.o.Catalog.Number(number)
	if !ok {
		return store.LineTestRun{}, fmt.Errorf("linetest: %q is not an access number of the catalogue; run `slawatch catalog` to list them", number)
	}
	if !knownTrigger(trigger) {
		return store.LineTestRun{}, fmt.Errorf("linetest: trigger %q: want %s, %s or %s", trigger, TriggerManual, TriggerLowDemand, TriggerHandover)
	}
	realStart := time.Now()
	f, err := p.start(ctx, target{po: n.PO().ID, n: n}, trigger, p.o.Now())
	switch err {
	case errBusy:
		return store.LineTestRun{}, fmt.Errorf("linetest: %s: %w; try again in a minute", number, err)
	case errNoSlot:
		return store.LineTestRun{}, fmt.Errorf("linetest: %s: %w (Concurrency %d); try again in a minute", number, err, p.o.Concurrency)
	}
	if err != nil {
		return store.LineTestRun{}, err
	}
	p.dialAndJudge(ctx, f) // judges at once unless it waits for the telephony source
	poll := min(max(p.o.SeenBound/20, 10*time.Millisecond), time.Second)
	deadline := realStart.Add(p.o.SeenBound)
	timer := time.NewTimer(poll)
	defer timer.Stop()
	for {
		if run, done := p.result(f); done {
			return run, nil
		}
		final := !time.Now().Before(deadline)
		if err := p.judge(ctx, f, p.o.Now(), final); err != nil {
			if final {
				return p.snapshot(f), err
			}
			p.log.Warn("line test: verdict", "run", f.run.ID, "err", err)
		}
		if run, done := p.result(f); done || final {
			return run, nil
		}
		timer.Reset(poll)
		select {
		case <-ctx.Done():
			return p.cancelled(ctx, f)
		case <-timer.C:
		}
	}
}

// result is f's run and whether it has its verdict.
func (p *Prober) result(f *flight) (store.LineTestRun, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return f.run, f.finished
}

func (p *Prober) snapshot(f *flight) store.LineTestRun { r, _ := p.result(f); return r }

// cancelled finishes a manual run whose caller gave up waiting.
func (p *Prober) cancelled(ctx context.Context, f *flight) (store.LineTestRun, error) {
	p.mu.Lock()
	f.err = fmt.Errorf("cancelled before the verdict: %w", ctx.Err())
	f.res.Connected = false
	p.mu.Unlock()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	if err := p.judge(wctx, f, p.o.Now(), true); err != nil {
		return p.snapshot(f), err
	}
	return p.snapshot(f), ctx.Err()
}
