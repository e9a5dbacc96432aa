package linetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slawatch/slawatch/store"
)

// flight is a run of this process without a verdict. Its fields are
// guarded by Prober.mu.
type flight struct {
	run      store.LineTestRun
	dialed   bool // the call has ended: res or err holds how
	res      DialResult
	err      error
	judging  bool
	finished bool
}

// writeTimeout bounds each store write after a call, which runs even when
// the caller's context has ended (the run must not stay "running").
const writeTimeout = 10 * time.Second

// dialAndJudge places the test call, records how it ended and judges the
// run if its verdict is due already; then releases the concurrency slot.
func (p *Prober) dialAndJudge(ctx context.Context, f *flight) {
	dctx, cancel := context.WithTimeout(ctx, p.o.DialTimeout+p.o.SeenBound)
	res, err := p.o.Dialer.Dial(dctx, Call{RunID: f.run.ID, From: p.o.From, To: f.run.AccessNumber, Timeout: p.o.DialTimeout})
	cancel()
	if err == nil && !validDialStatus(res.Status) {
		err = fmt.Errorf("status %q; want completed, busy, no-answer, failed or canceled", res.Status)
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("the prober stopped during the call: %w", err)
	}
	if err != nil {
		err = fmt.Errorf("dialer: %w", err)
	}
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer wcancel()
	now := p.o.Now()
	if err == nil {
		if werr := p.o.Store.DialedLineTestRun(wctx, f.run.ID, res.Status, res.Ref, now, res.Duration); werr != nil {
			p.log.Warn("line test: record the dial", "run", f.run.ID, "err", werr)
		}
		if res.Connected {
			p.m.duration.WithLabelValues(f.run.PO, f.run.AccessNumber).Observe(res.Duration.Seconds())
		}
	}
	p.mu.Lock()
	f.dialed, f.res, f.err = true, res, err
	if err == nil {
		f.run.DialStatus, f.run.Ref, f.run.Dialed, f.run.Duration = res.Status, res.Ref, now.UTC(), res.Duration
	}
	p.dialing--
	p.mu.Unlock()
	if jerr := p.judge(wctx, f, now, false); jerr != nil {
		p.log.Warn("line test: verdict", "run", f.run.ID, "err", jerr)
	}
}

func validDialStatus(s string) bool {
	switch s {
	case DialCompleted, DialBusy, DialNoAnswer, DialFailed, DialCanceled:
		return true
	}
	return false
}

// judge finishes f if its verdict is due at now (final: the wait is over,
// a connected call not seen fails). A run judged already, or being judged
// by another goroutine, is left alone.
func (p *Prober) judge(ctx context.Context, f *flight, now time.Time, final bool) error {
	p.mu.Lock()
	if !f.dialed || f.judging || f.finished {
		p.mu.Unlock()
		return nil
	}
	f.judging = true
	res, derr, run := f.res, f.err, f.run
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		f.judging = false
		p.mu.Unlock()
	}()

	result, reason, err := p.verdict(ctx, run, res, derr, now, final)
	if err != nil || result == "" {
		return err
	}
	reason = cleanReason(reason)
	changed, err := p.o.Store.FinishLineTestRun(ctx, run.ID, result, reason, now)
	if err != nil && !errors.Is(err, store.ErrNoLineTestRun) {
		return fmt.Errorf("linetest: finish run %d: %w", run.ID, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f.finished = true
	delete(p.inflight, run.ID)
	st := p.stateOf(run.AccessNumber)
	st.busy = false
	if !changed {
		// Someone else gave it a result (AbandonRunningLineTests of a
		// restarted prober); it is counted where that happened.
		p.log.Warn("line test had a result already", "run", run.ID, "po", run.PO, "access_number", run.AccessNumber)
		return nil
	}
	f.run.Result, f.run.Reason, f.run.Ended = result, reason, now.UTC()
	p.record(st, run.PO, run.AccessNumber, run.Trigger, result, run.Started)
	p.m.runs.WithLabelValues(run.PO, run.AccessNumber, run.Trigger, result).Inc()
	lvl := p.log.Info
	if result != ResultPass {
		lvl = p.log.Warn
	}
	lvl("line test finished", "run", run.ID, "po", run.PO, "access_number", run.AccessNumber,
		"trigger", run.Trigger, "result", result, "reason", reason)
	return nil
}

// record moves a number's state and gauges by a run's result. p.mu must
// be held.
func (p *Prober) record(st *numberState, po, number, trigger, result string, started time.Time) {
	switch result {
	case ResultPass:
		st.verdict = ResultPass
		if st.lastPass.Before(started) {
			st.lastPass = started
		}
		if trigger == TriggerHandover && st.lastHandoverPass.Before(started) {
			st.lastHandoverPass = started
		}
	case ResultFail:
		st.verdict = ResultFail
	case ResultError:
		// The prober could not test: a handover test that errored is tried
		// again on the next tick while the handover's grace lasts.
		if trigger == TriggerHandover && st.LastHandoverStarted.Equal(started) {
			st.LastHandoverStarted = time.Time{}
		}
	}
	p.m.set(po, number, st)
}

// Reasons of the verdicts.
const (
	ReasonPass    = "connected and the test call reached the queue"
	ReasonNotSeen = "connected but the test call never reached the queue (diverted?)"
)

// verdict is the result of a dialled run at now, or "" while it waits for
// the telephony source to see the call.
func (p *Prober) verdict(ctx context.Context, run store.LineTestRun, res DialResult, derr error, now time.Time, final bool) (result, reason string, err error) {
	if derr != nil {
		return ResultError, derr.Error(), nil
	}
	if !res.Connected {
		return ResultFail, dialReason(res, p.o.DialTimeout), nil
	}
	deadline := run.Started.Add(p.o.SeenBound)
	_, test, err := p.o.Calls.CallsOnNumber(ctx, run.AccessNumber, run.Started.Add(-arrivalSlack), deadline)
	if err != nil {
		return "", "", fmt.Errorf("linetest: look for the test call of run %d: %w", run.ID, err)
	}
	switch {
	case test > 0:
		return ResultPass, ReasonPass, nil
	case final || !now.Before(deadline):
		return ResultFail, ReasonNotSeen, nil
	}
	return "", "", nil
}

// dialReason says why a call did not connect.
func dialReason(r DialResult, timeout time.Duration) string {
	var s string
	switch r.Status {
	case DialBusy:
		s = "busy"
	case DialNoAnswer:
		s = fmt.Sprintf("no answer within %s", timeout)
	case DialFailed:
		s = "the call failed (number unobtainable or the line is down)"
	case DialCanceled:
		s = "the call was cancelled before it connected"
	default:
		s = fmt.Sprintf("the call ended %s without being answered", r.Status)
	}
	if r.Detail != "" {
		s += " (" + r.Detail + ")"
	}
	return s
}

// cleanReason makes a reason one line of valid UTF-8 the store accepts.
func cleanReason(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) > store.MaxLineTestReasonBytes {
		s = s[:store.MaxLineTestReasonBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
