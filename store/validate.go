package store

import (
	"fmt"
	"math"
	"time"
)

// validateCall checks one call; the error names its index, source, id and
// the field at fault with what would be valid.
func validateCall(i int, c *Call) error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("store: calls[%d] (source %q, call_id %q): %s %s", i, c.Source, c.CallID, field, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Source == "":
		return bad("Source", "is empty; want the adapter name, e.g. \"csv\"")
	case c.CallID == "":
		return bad("CallID", "is empty; want the source's unique call id")
	case c.PO == "":
		return bad("PO", "is empty; want a catalogue PO id")
	case c.ServiceOption == "":
		return bad("ServiceOption", "is empty; want a catalogue service option")
	case c.Standard == "":
		return bad("Standard", "is empty; want platinum, gold, silver or bronze")
	}
	if c.Kind != KindPublic && c.Kind != KindTest {
		return bad("Kind", "is %q; want %q or %q", c.Kind, KindPublic, KindTest)
	}
	if c.Outcome != OutcomeAnswered && c.Outcome != OutcomeAbandoned && c.Outcome != OutcomeIVROnly {
		return bad("Outcome", "is %q; want %q, %q or %q", c.Outcome, OutcomeAnswered, OutcomeAbandoned, OutcomeIVROnly)
	}
	if c.QueuedAt.IsZero() {
		return bad("QueuedAt", "is zero; want the end of the greeting")
	}
	// Times must fit in int64 unix nanoseconds (years 1678–2262).
	minTime, maxTime := time.Unix(0, math.MinInt64+1), time.Unix(0, math.MaxInt64)
	for _, t := range []struct {
		name string
		v    time.Time
	}{{"QueuedAt", c.QueuedAt}, {"AnsweredAt", c.AnsweredAt}, {"EndedAt", c.EndedAt}} {
		if !t.v.IsZero() && (t.v.Before(minTime) || t.v.After(maxTime)) {
			return bad(t.name, "is %s; want a time between 1678 and 2262", t.v.UTC().Format(time.RFC3339))
		}
	}
	for _, d := range []struct {
		name string
		v    float64
	}{{"WaitSeconds", c.WaitSeconds}, {"TalkSeconds", c.TalkSeconds}, {"AfterCallWorkSeconds", c.AfterCallWorkSeconds}} {
		if math.IsNaN(d.v) || d.v < 0 || d.v > maxDurationSeconds {
			return bad(d.name, "is %v; want seconds from 0 to %d", d.v, maxDurationSeconds)
		}
	}
	return nil
}

// unixNanoOrNil stores a zero time as NULL.
func unixNanoOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// maxDurationSeconds bounds a call's durations (a week), which keeps sums
// of nanoseconds far from overflow.
const maxDurationSeconds = 7 * 24 * 3600

// nanos is the exact integer stored for a duration. Sources give seconds
// to the millisecond or the nanosecond, which nanos keeps exactly.
func nanos(seconds float64) int64 { return int64(math.Round(seconds * 1e9)) }

// Bits of calls.flags.
const (
	flagWithinTarget = 1
	flagWithinRest   = 2
	flagShortAbandon = 4
	flagTest         = 8
)

// Codes of calls.outcome.
const (
	codeAnswered  = 1
	codeAbandoned = 2
	codeIVROnly   = 3
)

// outcomeCode is the stored code of a validated outcome.
func outcomeCode(o string) int64 {
	switch o {
	case OutcomeAnswered:
		return codeAnswered
	case OutcomeAbandoned:
		return codeAbandoned
	default:
		return codeIVROnly
	}
}

func callFlags(c *Call) int64 {
	var f int64
	if c.WithinTarget {
		f |= flagWithinTarget
	}
	if c.WithinRest {
		f |= flagWithinRest
	}
	if c.ShortAbandon {
		f |= flagShortAbandon
	}
	if c.Kind == KindTest {
		f |= flagTest
	}
	return f
}
