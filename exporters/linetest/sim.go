package linetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// SimOptions configure a SimDialer.
type SimOptions struct {
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// OnConnect is called when a test call connects and reaches the queue
	// (not for a diverted line): the demo posts a kind=test call record to
	// the telephony exporter, tests insert a test call into the store. An
	// error fails the Dial (the prober records a ResultError). nil: nothing.
	OnConnect func(ctx context.Context, to string, at time.Time) error
	// CallLength is the duration of a connected test call; 0: 8 s.
	CallLength time.Duration
}

// SimDialer is a simulated Dialer for the demo and tests. Every line
// connects at once unless told otherwise with Kill, Busy, NoAnswer, Slow or
// Divert; Restore heals it. It never sleeps: a slow answer is reported,
// not waited for. Safe for concurrent use.
type SimDialer struct {
	o SimOptions

	mu     sync.Mutex
	faults map[string]simFault
	calls  []Call
	seq    int
}

type simFault struct {
	kind  string // a Dial* status, or "divert" / "slow"
	delay time.Duration
}

const (
	simDivert = "divert"
	simSlow   = "slow"
)

// NewSimDialer returns a dialer on which every line works.
func NewSimDialer(o SimOptions) *SimDialer {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CallLength <= 0 {
		o.CallLength = 8 * time.Second
	}
	return &SimDialer{o: o, faults: map[string]simFault{}}
}

// Kill makes calls to number fail (status failed): the line is dead.
func (d *SimDialer) Kill(number string) { d.set(number, simFault{kind: DialFailed}) }

// Busy makes number answer busy.
func (d *SimDialer) Busy(number string) { d.set(number, simFault{kind: DialBusy}) }

// NoAnswer makes number ring out (status no-answer).
func (d *SimDialer) NoAnswer(number string) { d.set(number, simFault{kind: DialNoAnswer}) }

// Slow makes number answer after ringing for delay: a call whose timeout is
// not longer than delay is no-answer.
func (d *SimDialer) Slow(number string, delay time.Duration) {
	d.set(number, simFault{kind: simSlow, delay: delay})
}

// Divert makes calls to number connect somewhere wrong: they are answered,
// but OnConnect is not called (the call never reaches the queue).
func (d *SimDialer) Divert(number string) { d.set(number, simFault{kind: simDivert}) }

// Restore makes number work again.
func (d *SimDialer) Restore(number string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.faults, number)
}

func (d *SimDialer) set(number string, f simFault) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.faults[number] = f
}

// Calls are the calls placed so far, in order.
func (d *SimDialer) Calls() []Call {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Call(nil), d.calls...)
}

// Dial implements Dialer.
func (d *SimDialer) Dial(ctx context.Context, c Call) (DialResult, error) {
	if err := ctx.Err(); err != nil {
		return DialResult{}, fmt.Errorf("simulated call to %s: %w", c.To, err)
	}
	if c.To == "" {
		return DialResult{}, errors.New("simulated call: no number to call (Call.To is empty)")
	}
	d.mu.Lock()
	d.seq++
	ref := fmt.Sprintf("SIM%06d", d.seq)
	d.calls = append(d.calls, c)
	f := d.faults[c.To]
	d.mu.Unlock()

	now := d.o.Now()
	res := DialResult{Ref: ref}
	switch f.kind {
	case DialFailed:
		res.Status, res.Detail = DialFailed, "simulated dead line"
		return res, nil
	case DialBusy, DialNoAnswer:
		res.Status = f.kind
		return res, nil
	case simSlow:
		if c.Timeout > 0 && f.delay >= c.Timeout {
			res.Status, res.Detail = DialNoAnswer, fmt.Sprintf("simulated slow answer after %s", f.delay)
			return res, nil
		}
		now = now.Add(f.delay)
	}
	res.Status, res.Connected, res.Duration = DialCompleted, true, d.o.CallLength
	if f.kind == simDivert {
		res.Detail = "simulated diversion"
		return res, nil
	}
	if d.o.OnConnect != nil {
		if err := d.o.OnConnect(ctx, c.To, now); err != nil {
			return DialResult{}, fmt.Errorf("simulated call to %s connected, but the telephony source was not told: %w", c.To, err)
		}
	}
	return res, nil
}
