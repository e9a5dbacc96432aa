package linetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/slawatch/slawatch/store"
)

// Tick is one pass of the prober at Now():
//  1. runs of other (stopped) probers still running long after any live run
//     could last become errors;
//  2. runs whose verdict is due finish: fail at once when the call did not
//     connect, pass as soon as the telephony source has seen the test call,
//     fail when SeenBound has passed without it;
//  3. each number's demand (public calls of the last DemandWindow x 4) and
//     the schedule (Decide) set linetest_required and
//     linetest_last_handover_timestamp_seconds, and start the tests due,
//     handover tests first, as many as the Concurrency slots allow (the
//     rest stay due for the next Tick).
//
// Each started test is dialled in its own goroutine under ctx (cancelling
// ctx hangs up the calls); Wait waits for them. The error joins whatever
// failed; the other numbers are still served.
func (p *Prober) Tick(ctx context.Context) error {
	now := p.o.Now()
	var errs []error
	if err := p.abandonStale(ctx, now); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, p.judgeAll(ctx, now)...)
	errs = append(errs, p.schedule(ctx, now)...)
	return errors.Join(errs...)
}

// judgeAll finishes every dialled run of this process whose verdict is due.
func (p *Prober) judgeAll(ctx context.Context, now time.Time) []error {
	p.mu.Lock()
	var ready []*flight
	for _, f := range p.inflight {
		if f.dialed {
			ready = append(ready, f)
		}
	}
	p.mu.Unlock()
	sort.Slice(ready, func(i, j int) bool { return ready[i].run.ID < ready[j].run.ID })
	var errs []error
	for _, f := range ready {
		if err := p.judge(ctx, f, now, false); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// due is a number with a test due.
type due struct {
	target
	trigger string
	last    time.Time // when its latest run started
}

// schedule decides every number and starts the tests due.
func (p *Prober) schedule(ctx context.Context, now time.Time) []error {
	var errs []error
	var todo []due
	for _, t := range p.targets {
		public, _, err := p.o.Calls.CallsOnNumber(ctx, t.n.Number, now.Add(-DemandWindow), now)
		if err != nil {
			// Fail safe: a number whose demand cannot be read is treated as
			// quiet, so it is tested (and LineTestMissing can see it).
			errs = append(errs, fmt.Errorf("linetest: demand of %s (treated as quiet): %w", t.n.Number, err))
			public = 0
		}
		p.mu.Lock()
		st := p.stateOf(t.n.Number)
		s, busy := st.State, st.busy
		p.mu.Unlock()
		d := decide(p.o.Catalog, t.po, t.n, now, p.o.ServiceOffset, CallsPerHour(public), s)
		p.m.required.WithLabelValues(t.po, t.n.Number).Set(b2f(d.Required))
		p.m.lastHandover.WithLabelValues(t.po, t.n.Number).Set(unixSeconds(d.LastHandover))
		if d.Trigger != "" && !busy {
			todo = append(todo, due{target: t, trigger: d.Trigger, last: s.LastStarted})
		}
	}
	sort.SliceStable(todo, func(i, j int) bool {
		hi, hj := todo[i].trigger == TriggerHandover, todo[j].trigger == TriggerHandover
		if hi != hj {
			return hi
		}
		return todo[i].last.Before(todo[j].last)
	})
	for _, d := range todo {
		f, err := p.start(ctx, d.target, d.trigger, now)
		if errors.Is(err, errNoSlot) {
			p.log.Info("line tests due wait for a free line", "po", d.po, "access_number", d.n.Number, "trigger", d.trigger)
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.dialAndJudge(ctx, f)
		}()
	}
	return errs
}

var (
	errNoSlot = errors.New("every concurrency slot is taken")
	errBusy   = errors.New("a test of the number is in progress")
)

// start takes a concurrency slot and the number, and stores the run.
func (p *Prober) start(ctx context.Context, t target, trigger string, now time.Time) (*flight, error) {
	p.mu.Lock()
	st := p.stateOf(t.n.Number)
	switch {
	case st.busy:
		p.mu.Unlock()
		return nil, errBusy
	case p.dialing >= p.o.Concurrency:
		p.mu.Unlock()
		return nil, errNoSlot
	}
	st.busy = true
	p.dialing++
	p.mu.Unlock()

	run, err := p.o.Store.StartLineTestRun(ctx, store.LineTestRun{PO: t.po, AccessNumber: t.n.Number, Trigger: trigger, Started: now})
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		st.busy = false
		p.dialing--
		return nil, fmt.Errorf("linetest: start %s test of %s: %w", trigger, t.n.Number, err)
	}
	if st.LastStarted.Before(now) {
		st.LastStarted = now
	}
	if trigger == TriggerHandover && st.LastHandoverStarted.Before(now) {
		st.LastHandoverStarted = now
	}
	f := &flight{run: run}
	p.inflight[run.ID] = f
	p.log.Info("line test started", "run", run.ID, "po", t.po, "access_number", t.n.Number, "trigger", trigger)
	return f, nil
}
