// Package telephony is the telephony exporter: it receives call records
// (CSV and JSON-lines files, an HTTP webhook, an Asterisk queue_log),
// resolves each against the catalogue, writes it once to the event store and
// exposes the telephony_* metrics of the metric contract (DESIGN.md).
//
// Parsing is pure (parse_*.go, queuelog_*.go); resolution against the
// catalogue is pure (resolve.go); I/O lives at the edges (exporter.go,
// file.go, http.go, follow.go, tail.go).
package telephony

import (
	"fmt"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// Record is the canonical call record as received (CSV columns, JSON
// fields). PO is optional when the access number identifies it. Times are
// RFC 3339 with an offset; QueuedAt is the end of the recorded greeting.
// AnsweredAt is zero unless the call was answered.
//
// Kind is public or test; empty, the call is public unless CallerNumber is
// one of the catalogue's line-test callers (an explicit kind wins).
// CallerNumber is personal data: it is used only by Resolve for that
// check, and never stored, logged, labelled or echoed in errors (it prints
// as [redacted]).
type Record struct {
	CallID               string          `json:"call_id"`
	PO                   string          `json:"po,omitempty"`
	AccessNumber         string          `json:"access_number"`
	ServiceOption        string          `json:"service_option"`
	QueuedAt             time.Time       `json:"queued_at"`
	AnsweredAt           time.Time       `json:"answered_at,omitzero"`
	EndedAt              time.Time       `json:"ended_at"`
	Outcome              string          `json:"outcome"` // answered|abandoned|ivr_only
	AfterCallWorkSeconds float64         `json:"after_call_work_seconds,omitempty"`
	Kind                 string          `json:"kind,omitempty"` // public | test | "" (see above)
	CallerNumber         catalog.Private `json:"caller_number,omitzero"`
}

// Result is the outcome of one ingest: how many records were newly stored,
// were already stored (same source and call id), or were rejected, and why.
// Open is for queue_log files only: visits still open at the end of the
// file (no final event yet), not stored and not counted as rejected.
type Result struct {
	Accepted  int           `json:"accepted"`
	Duplicate int           `json:"duplicate"`
	Rejected  int           `json:"rejected"`
	Open      int           `json:"open,omitempty"`
	Errors    []RecordError `json:"errors,omitempty"`
}

// Add folds r2 into r.
func (r *Result) Add(r2 Result) {
	r.Accepted += r2.Accepted
	r.Duplicate += r2.Duplicate
	r.Rejected += r2.Rejected
	r.Open += r2.Open
	r.Errors = append(r.Errors, r2.Errors...)
}

// RecordError is one rejected record. Line is the 1-based line of the file
// (the element number for an HTTP array); Code is one of the Reason*
// constants, used as the reason label of telephony_exporter_parse_errors_total.
type RecordError struct {
	Line   int    `json:"line"`
	CallID string `json:"call_id,omitempty"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func (e RecordError) Error() string {
	if e.CallID != "" {
		return fmt.Sprintf("line %d: call %q: %s", e.Line, e.CallID, e.Reason)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// Reason codes: the fixed set of values of the reason label.
const (
	ReasonSyntax        = "syntax"         // not CSV / JSON / a queue_log line
	ReasonBadField      = "bad_field"      // missing, unknown or invalid field
	ReasonBadTime       = "bad_time"       // not RFC 3339 with offset
	ReasonBadOrder      = "bad_order"      // times out of order or inconsistent with outcome
	ReasonUnknownPO     = "unknown_po"     // PO not in the catalogue
	ReasonUnknownNumber = "unknown_number" // access number not in the catalogue (or of another PO)
	ReasonUnknownOption = "unknown_option" // service option not bought by the PO
	ReasonNotServed     = "not_served"     // the number does not serve the option
	ReasonNoStandard    = "no_standard"    // no standard in force at queued_at
	ReasonUnknownQueue  = "unknown_queue"  // queue_log queue not in the catalogue
	ReasonOrphan        = "orphan_visit"   // followed queue visit never finished, dropped after MaxVisitAge
)

// MaxLineBytes is the longest line the CSV, JSON-lines and queue_log readers
// accept (without its newline). A longer line is rejected as syntax with
// its line number and reading resumes after its newline.
const MaxLineBytes = 1 << 20

// reasonCodes lists every reason code (each is initialised at zero per source).
func reasonCodes() []string {
	return []string{ReasonSyntax, ReasonBadField, ReasonBadTime, ReasonBadOrder,
		ReasonUnknownPO, ReasonUnknownNumber, ReasonUnknownOption, ReasonNotServed,
		ReasonNoStandard, ReasonUnknownQueue, ReasonOrphan}
}

// ValidSource reports whether name can be a store source: 1 to 64 of
// a-z, 0-9, '_', '.', '-'.
func ValidSource(name string) bool {
	if len(name) < 1 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// sourceOr is source, or def when source is empty; an error when invalid.
func sourceOr(source, def string) (string, error) {
	if source == "" {
		return def, nil
	}
	if !ValidSource(source) {
		return "", fmt.Errorf("telephony: source %q is not 1 to 64 of a-z 0-9 _ . -", truncate(source, 80))
	}
	return source, nil
}

func recErr(line int, callID, code, format string, args ...any) *RecordError {
	return &RecordError{Line: line, CallID: callID, Code: code, Reason: fmt.Sprintf(format, args...)}
}
