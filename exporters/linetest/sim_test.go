package linetest

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSimDialer(t *testing.T) {
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	type arrival struct {
		to string
		at time.Time
	}
	var arrived []arrival
	d := NewSimDialer(SimOptions{Now: func() time.Time { return now }, CallLength: 5 * time.Second,
		OnConnect: func(_ context.Context, to string, at time.Time) error {
			arrived = append(arrived, arrival{to, at})
			return nil
		}})
	const n = "+442079460101"
	call := Call{RunID: 1, From: "+442079460990", To: n, Timeout: 30 * time.Second}
	for _, c := range []struct {
		name      string
		set       func()
		status    string
		connected bool
		arrives   time.Duration // -1: OnConnect not called
	}{
		{"healthy", func() {}, DialCompleted, true, 0},
		{"dead", func() { d.Kill(n) }, DialFailed, false, -1},
		{"busy", func() { d.Busy(n) }, DialBusy, false, -1},
		{"no answer", func() { d.NoAnswer(n) }, DialNoAnswer, false, -1},
		{"diverted", func() { d.Divert(n) }, DialCompleted, true, -1},
		{"slow", func() { d.Slow(n, 12*time.Second) }, DialCompleted, true, 12 * time.Second},
		{"slower than the timeout", func() { d.Slow(n, 30*time.Second) }, DialNoAnswer, false, -1},
		{"restored", func() { d.Restore(n) }, DialCompleted, true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			arrived = nil
			c.set()
			res, err := d.Dial(context.Background(), call)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != c.status || res.Connected != c.connected || res.Ref == "" {
				t.Errorf("Dial = %+v, want status %s, connected %v, a ref", res, c.status, c.connected)
			}
			if c.connected && res.Duration != 5*time.Second {
				t.Errorf("duration = %s, want the call length 5s", res.Duration)
			}
			switch {
			case c.arrives < 0 && len(arrived) != 0:
				t.Errorf("OnConnect called %v; the call must not reach the queue", arrived)
			case c.arrives >= 0 && (len(arrived) != 1 || arrived[0].to != n || !arrived[0].at.Equal(now.Add(c.arrives))):
				t.Errorf("OnConnect calls %v, want one for %s at %s", arrived, n, now.Add(c.arrives))
			}
		})
	}
	if got := len(d.Calls()); got != 8 {
		t.Errorf("Calls() has %d calls, want 8", got)
	}
	if a, b := d.Calls()[0], d.Calls()[1]; a != call || b != call {
		t.Errorf("Calls() = %+v, want the calls as placed", d.Calls())
	}
}

func TestSimDialerErrors(t *testing.T) {
	boom := errors.New("telephony exporter unreachable")
	d := NewSimDialer(SimOptions{OnConnect: func(context.Context, string, time.Time) error { return boom }})
	if _, err := d.Dial(context.Background(), Call{To: "+442079460101"}); !errors.Is(err, boom) {
		t.Errorf("Dial with a failing OnConnect: %v, want it wrapped", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Dial(ctx, Call{To: "+442079460101"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Dial with an ended context: %v, want context.Canceled", err)
	}
	if _, err := d.Dial(context.Background(), Call{}); err == nil {
		t.Error("Dial without a number succeeded")
	}
}
