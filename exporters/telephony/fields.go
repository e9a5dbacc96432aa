package telephony

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Column (and JSON field) names of the canonical record, in documentation order.
const (
	colCallID        = "call_id"
	colPO            = "po"
	colAccessNumber  = "access_number"
	colServiceOption = "service_option"
	colQueuedAt      = "queued_at"
	colAnsweredAt    = "answered_at"
	colEndedAt       = "ended_at"
	colOutcome       = "outcome"
	colACW           = "after_call_work_seconds"
	colKind          = "kind"
	colCallerNumber  = "caller_number"
)

// Columns are the valid CSV columns / JSON fields of a record.
func Columns() []string {
	return []string{colCallID, colPO, colAccessNumber, colServiceOption, colQueuedAt,
		colAnsweredAt, colEndedAt, colOutcome, colACW, colKind, colCallerNumber}
}

// rawRecord is a record as text, before its fields are checked. CSV rows and
// JSON objects both become one, so both get the same checks and messages.
type rawRecord struct {
	CallID, PO, AccessNumber, ServiceOption string
	QueuedAt, AnsweredAt, EndedAt           string
	Outcome, ACW, Kind                      string
	// CallerNumber is personal data: it goes into the record as a
	// catalog.Private and into no error.
	CallerNumber string
}

func (r *rawRecord) set(col, v string) {
	switch col {
	case colCallID:
		r.CallID = v
	case colPO:
		r.PO = v
	case colAccessNumber:
		r.AccessNumber = v
	case colServiceOption:
		r.ServiceOption = v
	case colQueuedAt:
		r.QueuedAt = v
	case colAnsweredAt:
		r.AnsweredAt = v
	case colEndedAt:
		r.EndedAt = v
	case colOutcome:
		r.Outcome = v
	case colACW:
		r.ACW = v
	case colKind:
		r.Kind = v
	case colCallerNumber:
		r.CallerNumber = v
	}
}

// toRecord checks the syntax of every field (times, numbers, enumerations,
// required fields) and returns the typed record. Catalogue checks are in
// resolve.go.
func (r rawRecord) toRecord(line int) (Record, *RecordError) {
	id := strings.TrimSpace(r.CallID)
	rec := Record{
		CallID:        id,
		PO:            strings.TrimSpace(r.PO),
		AccessNumber:  strings.TrimSpace(r.AccessNumber),
		ServiceOption: strings.TrimSpace(r.ServiceOption),
		Outcome:       strings.TrimSpace(r.Outcome),
		Kind:          strings.TrimSpace(r.Kind),
		CallerNumber:  catalog.NewPrivate(strings.TrimSpace(r.CallerNumber)),
	}
	if id == "" {
		return Record{}, recErr(line, "", ReasonBadField, "%s is required", colCallID)
	}
	if rec.AccessNumber == "" {
		return Record{}, recErr(line, id, ReasonBadField, "%s is required (E.164, e.g. +442079460001)", colAccessNumber)
	}
	if rec.ServiceOption == "" {
		return Record{}, recErr(line, id, ReasonBadField, "%s is required", colServiceOption)
	}
	switch rec.Outcome {
	case store.OutcomeAnswered, store.OutcomeAbandoned, store.OutcomeIVROnly:
	default:
		return Record{}, recErr(line, id, ReasonBadField, "%s %q is not one of answered, abandoned, ivr_only", colOutcome, rec.Outcome)
	}
	switch rec.Kind {
	case "", store.KindPublic, store.KindTest: // "": Resolve decides from the caller number
	default:
		return Record{}, recErr(line, id, ReasonBadField, "%s %q is not one of public, test", colKind, rec.Kind)
	}
	var e *RecordError
	if rec.QueuedAt, e = parseTime(line, id, colQueuedAt, r.QueuedAt, true); e != nil {
		return Record{}, e
	}
	if rec.AnsweredAt, e = parseTime(line, id, colAnsweredAt, r.AnsweredAt, false); e != nil {
		return Record{}, e
	}
	if rec.EndedAt, e = parseTime(line, id, colEndedAt, r.EndedAt, true); e != nil {
		return Record{}, e
	}
	if acw := strings.TrimSpace(r.ACW); acw != "" {
		f, err := strconv.ParseFloat(acw, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return Record{}, recErr(line, id, ReasonBadField, "%s %q is not a number of seconds >= 0", colACW, acw)
		}
		rec.AfterCallWorkSeconds = f
	}
	return rec, nil
}

// parseTime accepts RFC 3339 with an explicit offset (Z or ±hh:mm) only:
// a time without an offset is ambiguous around the clock change.
func parseTime(line int, id, col, v string, required bool) (time.Time, *RecordError) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			return time.Time{}, recErr(line, id, ReasonBadTime, "%s is required (RFC 3339 with offset, e.g. 2026-01-31T23:05:00Z)", col)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, recErr(line, id, ReasonBadTime, "%s %q is not RFC 3339 with offset (e.g. 2026-01-31T23:05:00Z or 2026-07-01T00:05:00+01:00)", col, v)
	}
	return t, nil
}
