// Package linetest is the line-test prober: a heartbeat for every publicly
// advertised number (SPEC.md, "Line tests"). While a number's calls per
// hour are under its threshold in hours of service it places a test call
// every interval, and one test call right after each daily handover; a
// test passes only when the call connected and the telephony source saw
// the test call arrive on that number within a bound.
package linetest

import (
	"context"
	"time"
)

// Triggers of a run (the trigger label of linetest_runs_total).
const (
	TriggerLowDemand = "low_demand"
	TriggerHandover  = "handover"
	TriggerManual    = "manual"
)

// Results of a run (the result label).
const (
	ResultPass = "pass"
	// ResultFail: the line is broken: the call did not connect (busy, no
	// answer, failed), or it connected but never reached the queue.
	ResultFail = "fail"
	// ResultError: the prober could not test (the dialer or its provider
	// failed); the line's state is unknown.
	ResultError = "error"
	// ResultRunning is a run started and not finished (a crash leaves it).
	ResultRunning = "running"
)

// Call is one test call to place: from the provider's line-test caller
// number to a PO's advertised number.
type Call struct {
	RunID    int64
	From, To string
	// Timeout bounds the ringing: a call not answered by then is "no-answer".
	Timeout time.Duration
}

// Dial statuses (Twilio's final CallStatus values).
const (
	DialCompleted = "completed"
	DialBusy      = "busy"
	DialNoAnswer  = "no-answer"
	DialFailed    = "failed"
	DialCanceled  = "canceled"
)

// DialResult is how a test call ended.
type DialResult struct {
	Status    string // one of the Dial* statuses
	Connected bool   // answered (by the ACD/IVR)
	Ref       string // the provider's call id (Twilio CallSid)
	Duration  time.Duration
	Detail    string // e.g. "AnsweredBy machine_start", "SIP 486"
}

// Dialer places test calls. Dial returns when the call has ended (a
// Twilio dialer waits for the final status callback) or ctx ends. An error
// means the dialer could not place or follow the call (ResultError), not
// that the line is broken (which is a DialResult with Status busy, failed…).
type Dialer interface {
	Dial(ctx context.Context, c Call) (DialResult, error)
}
