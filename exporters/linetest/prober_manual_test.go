package linetest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slawatch/slawatch/store"
)

// realTime makes the harness's prober and dialer use the real clock, with
// a short SeenBound, as the CLI's RunNow does.
func realTime(h *harness) {
	h.sim.o.Now = time.Now
	h.opts = func(o *Options) {
		o.Now = time.Now
		o.SeenBound = 300 * time.Millisecond
		o.DialTimeout = 100 * time.Millisecond
	}
	h.restart()
}

// lateStore is the store, but the telephony source sees the test call
// only when the prober looks for it the second time.
type lateStore struct {
	*store.Store
	lookups atomic.Int32
	arrive  func()
}

func (s *lateStore) CallsOnNumber(ctx context.Context, n string, from, to time.Time) (int, int, error) {
	if s.lookups.Add(1) == 2 {
		s.arrive()
	}
	return s.Store.CallsOnNumber(ctx, n, from, to)
}

func TestRunNow(t *testing.T) {
	ctx := context.Background()
	t.Run("pass, outside service hours too", func(t *testing.T) {
		h := newHarness(t, time.Now())
		realTime(h)
		run, err := h.p.RunNow(ctx, mainNumber, TriggerManual)
		if err != nil || run.Result != ResultPass || run.Trigger != TriggerManual || run.DialStatus != DialCompleted || run.Ended.IsZero() {
			t.Fatalf("RunNow = %+v, %v; want a finished manual pass", run, err)
		}
		if got := h.runsTotal(mainNumber, TriggerManual, ResultPass); got != 1 {
			t.Errorf("manual passes = %v, want 1", got)
		}
		if rs := h.runs(mainNumber); len(rs) != 1 || rs[0] != run {
			t.Errorf("stored %+v, want what RunNow returned: %+v", rs, run)
		}
	})
	t.Run("diverted: fails after SeenBound", func(t *testing.T) {
		h := newHarness(t, time.Now())
		realTime(h)
		h.sim.Divert(mainNumber)
		run, err := h.p.RunNow(ctx, mainNumber, TriggerManual)
		if err != nil || run.Result != ResultFail || run.Reason != ReasonNotSeen {
			t.Fatalf("RunNow = %+v, %v; want a fail: %s", run, err, ReasonNotSeen)
		}
	})
	t.Run("the call is seen while polling", func(t *testing.T) {
		h := newHarness(t, time.Now())
		h.sim.Divert(mainNumber) // the dialer does not tell the store …
		ls := &lateStore{Store: h.st}
		ls.arrive = func() { // … the telephony source does, a poll later
			if err := h.arrive(ctx, mainNumber, time.Now()); err != nil {
				t.Error(err)
			}
		}
		realTime(h)
		h.opts = func(o *Options) {
			o.Now, o.SeenBound, o.DialTimeout, o.Store = time.Now, 5*time.Second, 100*time.Millisecond, ls
		}
		h.restart()
		run, err := h.p.RunNow(ctx, mainNumber, TriggerManual)
		if err != nil || run.Result != ResultPass {
			t.Fatalf("RunNow = %+v, %v; want a pass once the call is seen", run, err)
		}
		if n := ls.lookups.Load(); n != 2 {
			t.Errorf("%d lookups, want 2 (the first before the call arrived)", n)
		}
	})
	t.Run("busy line fails at once", func(t *testing.T) {
		h := newHarness(t, time.Now())
		realTime(h)
		h.sim.Busy(noiseNumber)
		run, err := h.p.RunNow(ctx, noiseNumber, TriggerManual)
		if err != nil || run.Result != ResultFail || run.Reason != "busy" {
			t.Fatalf("RunNow = %+v, %v; want a fail: busy", run, err)
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		h := newHarness(t, time.Now())
		realTime(h)
		h.sim.Divert(mainNumber)
		cctx, cancel := context.WithCancel(ctx)
		h.sim.o.OnConnect = nil
		h.opts = func(o *Options) {
			o.Now, o.SeenBound, o.DialTimeout = time.Now, time.Hour, 100*time.Millisecond
			o.Dialer = dialerFunc(func(ctx context.Context, c Call) (DialResult, error) {
				defer cancel() // the caller gives up once the call has ended
				return h.sim.Dial(ctx, c)
			})
		}
		h.restart()
		run, err := h.p.RunNow(cctx, mainNumber, TriggerManual)
		if !errors.Is(err, context.Canceled) || run.Result != ResultError || !strings.Contains(run.Reason, "cancelled before the verdict") {
			t.Fatalf("RunNow = %+v, %v; want an error run and context.Canceled", run, err)
		}
		if rs := h.runs(mainNumber); len(rs) != 1 || rs[0].Result != ResultError {
			t.Errorf("stored %+v, want the run finished as an error", rs)
		}
	})
	t.Run("bad arguments", func(t *testing.T) {
		h := newHarness(t, time.Now())
		if _, err := h.p.RunNow(ctx, "+442079469999", TriggerManual); err == nil || !strings.Contains(err.Error(), "not an access number") {
			t.Errorf("unknown number: %v", err)
		}
		if _, err := h.p.RunNow(ctx, mainNumber, "whenever"); err == nil || !strings.Contains(err.Error(), "want manual, low_demand or handover") {
			t.Errorf("unknown trigger: %v", err)
		}
		if rs := h.runs(mainNumber); len(rs) != 0 {
			t.Errorf("runs stored for bad arguments: %+v", rs)
		}
	})
}

type dialerFunc func(ctx context.Context, c Call) (DialResult, error)

func (f dialerFunc) Dial(ctx context.Context, c Call) (DialResult, error) { return f(ctx, c) }

// gate holds calls until released.
type gate struct {
	inner   Dialer
	started chan Call
	release chan struct{}
}

func (g *gate) Dial(ctx context.Context, c Call) (DialResult, error) {
	g.started <- c
	<-g.release
	return g.inner.Dial(ctx, c)
}

// Concurrency bounds the calls in progress; a number with a call in
// progress is not dialled again.
func TestConcurrency(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-24 02:00"))
	g := &gate{inner: h.sim, started: make(chan Call, 4), release: make(chan struct{})}
	h.opts = func(o *Options) { o.Concurrency, o.Dialer = 1, g }
	h.restart()

	h.clock.Set(at(t, "2026-11-24 02:00"))
	if err := h.p.Tick(h.ctx); err != nil {
		t.Fatal(err)
	}
	if c := <-g.started; c.To != mainNumber {
		t.Fatalf("first call to %s, want %s (catalogue order)", c.To, mainNumber)
	}
	if rs := h.runs(noiseNumber); len(rs) != 0 {
		t.Fatalf("noise number started with the only slot taken: %+v", rs)
	}
	if _, err := h.p.RunNow(h.ctx, mainNumber, TriggerManual); !errors.Is(err, errBusy) {
		t.Errorf("RunNow on a number under test: %v, want errBusy", err)
	}
	if _, err := h.p.RunNow(h.ctx, noiseNumber, TriggerManual); !errors.Is(err, errNoSlot) {
		t.Errorf("RunNow with every slot taken: %v, want errNoSlot", err)
	}
	close(g.release)
	h.p.Wait()
	h.tickAt(at(t, "2026-11-24 02:01"))
	h.wantRuns(mainNumber, "11-24 02:00:00 low_demand pass")
	h.wantRuns(noiseNumber, "11-24 02:01:00 low_demand pass")
}

func TestNewValidates(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-24 02:00"))
	for _, c := range []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"no store", func(o *Options) { o.Store = nil }, "Store"},
		{"no dialer", func(o *Options) { o.Dialer = nil }, "Dialer"},
		{"seen bound too short", func(o *Options) { o.SeenBound, o.DialTimeout = 20*time.Second, 30*time.Second }, "must exceed DialTimeout"},
		{"caller not a line-test caller", func(o *Options) { o.From = mainNumber }, "not one of the catalogue's provider.line_test_callers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := Options{Catalog: h.cat, Store: h.st, Dialer: h.sim, Registerer: h.reg, Now: h.clock.Now}
			c.mod(&o)
			if _, err := New(h.ctx, o); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New: %v, want an error with %q", err, c.want)
			}
		})
	}
}

func TestRunStops(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-24 02:00"))
	if err := h.p.Run(h.ctx, 0); err == nil {
		t.Error("Run every 0 accepted")
	}
	ctx, cancel := context.WithCancel(h.ctx)
	cancel()
	if err := h.p.Run(ctx, time.Hour); err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
}
