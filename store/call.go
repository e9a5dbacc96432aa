// Package store is the event store, the system of record: every call is
// written once by (source, call_id), with exact aggregates per 15-minute
// interval. Embedded SQLite by default, PostgreSQL when a DSN says so; one
// schema and one set of migrations for both.
package store

import "time"

// Call outcomes.
const (
	OutcomeAnswered  = "answered"
	OutcomeAbandoned = "abandoned"
	OutcomeIVROnly   = "ivr_only"
)

// Call kinds: public calls count as offered; test (line-test) calls never do.
const (
	KindPublic = "public"
	KindTest   = "test"
)

// Call is one resolved call: the source record after the catalogue has
// supplied the PO and the standard in force at QueuedAt. The Within* and
// ShortAbandon flags are decided at ingest from that standard and frozen,
// so a later change of standard never rewrites history.
type Call struct {
	Source        string // e.g. "csv", "http", "queue_log:/var/log/asterisk/queue_log"
	CallID        string
	PO            string
	ServiceOption string
	AccessNumber  string // E.164
	Standard      string // platinum|gold|silver|bronze, in force at QueuedAt
	Kind          string // KindPublic or KindTest
	Outcome       string // OutcomeAnswered, OutcomeAbandoned or OutcomeIVROnly

	QueuedAt   time.Time // end of the recorded greeting
	AnsweredAt time.Time // zero unless answered
	EndedAt    time.Time

	// WaitSeconds is answered_at-queued_at when answered, ended_at-queued_at
	// when abandoned, 0 for IVR-only calls.
	WaitSeconds          float64
	TalkSeconds          float64 // ended_at-answered_at when answered
	AfterCallWorkSeconds float64

	WithinTarget bool // answered within the standard's target seconds
	WithinRest   bool // answered within the standard's "rest" bound
	ShortAbandon bool // abandoned within the PO formula's short-abandon seconds
}
