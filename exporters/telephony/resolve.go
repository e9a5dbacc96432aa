package telephony

import (
	"math"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Resolve checks a parsed record against the catalogue and returns the call
// to store. The PO comes from the access number when the record omits it;
// the standard is the one in force for the service option at QueuedAt
// (never taken from the record); the WithinTarget, WithinRest and
// ShortAbandon flags come from that standard and the PO's SLA formula.
// A record without a kind is a test call when its caller number is one of
// the catalogue's line-test callers, and public otherwise; the caller
// number goes no further (not into the call, nor into any error).
// line is used in the error only. Resolve is pure.
func Resolve(cat *catalog.Catalog, source string, line int, r Record) (store.Call, *RecordError) {
	id := r.CallID
	if e := checkFields(line, r); e != nil {
		return store.Call{}, e
	}
	if e := checkOrder(line, r); e != nil {
		return store.Call{}, e
	}
	num, ok := cat.Number(r.AccessNumber)
	if r.PO != "" {
		if _, known := cat.PO(r.PO); !known {
			return store.Call{}, recErr(line, id, ReasonUnknownPO, "unknown po %q; the catalogue has %s", r.PO, strings.Join(cat.POIDs(), ", "))
		}
	}
	if !ok {
		return store.Call{}, recErr(line, id, ReasonUnknownNumber, "access number %q is not in the catalogue (E.164, e.g. +442079460001)", r.AccessNumber)
	}
	po := num.PO()
	if r.PO != "" && r.PO != po.ID {
		return store.Call{}, recErr(line, id, ReasonUnknownNumber, "access number %s belongs to po %q, not %q", r.AccessNumber, po.ID, r.PO)
	}
	if _, ok := po.Option(r.ServiceOption); !ok {
		return store.Call{}, recErr(line, id, ReasonUnknownOption, "po %q has no service option %q", po.ID, r.ServiceOption)
	}
	if !num.Serves(r.ServiceOption) {
		return store.Call{}, recErr(line, id, ReasonNotServed, "access number %s does not serve %q (it serves %s)",
			r.AccessNumber, r.ServiceOption, strings.Join(num.Options(), ", "))
	}
	std, ok := po.StandardAt(r.ServiceOption, r.QueuedAt)
	if !ok {
		return store.Call{}, recErr(line, id, ReasonNoStandard, "po %q service option %q has no standard in force at %s",
			po.ID, r.ServiceOption, fmtT(r.QueuedAt))
	}
	c := store.Call{
		Source: source, CallID: id, PO: po.ID, ServiceOption: r.ServiceOption, AccessNumber: r.AccessNumber,
		Standard: std.Tier, Kind: r.Kind, Outcome: r.Outcome,
		QueuedAt: r.QueuedAt, AnsweredAt: r.AnsweredAt, EndedAt: r.EndedAt,
		AfterCallWorkSeconds: r.AfterCallWorkSeconds,
	}
	if c.Kind == "" {
		c.Kind = store.KindPublic
		if isLineTestCaller(cat, r.CallerNumber) {
			c.Kind = store.KindTest
		}
	}
	switch r.Outcome {
	case store.OutcomeAnswered:
		c.WaitSeconds = r.AnsweredAt.Sub(r.QueuedAt).Seconds()
		c.TalkSeconds = r.EndedAt.Sub(r.AnsweredAt).Seconds()
		c.WithinTarget = c.WaitSeconds <= float64(std.TargetSeconds)
		c.WithinRest = c.WaitSeconds <= float64(std.RestWithinSeconds)
	case store.OutcomeAbandoned:
		c.WaitSeconds = r.EndedAt.Sub(r.QueuedAt).Seconds()
		f := po.Formula()
		c.ShortAbandon = f.Denominator == catalog.DenomOfferedMinusShortAbandons &&
			c.WaitSeconds <= float64(f.ShortAbandonSeconds)
	}
	return c, nil
}

// checkFields repeats the parsers' field checks for records built in Go
// (Ingest), so a bad one is rejected alone instead of failing the batch.
func checkFields(line int, r Record) *RecordError {
	id := r.CallID
	switch {
	case id == "":
		return recErr(line, "", ReasonBadField, "%s is required", colCallID)
	case r.Outcome != store.OutcomeAnswered && r.Outcome != store.OutcomeAbandoned && r.Outcome != store.OutcomeIVROnly:
		return recErr(line, id, ReasonBadField, "%s %q is not one of answered, abandoned, ivr_only", colOutcome, r.Outcome)
	case r.Kind != "" && r.Kind != store.KindPublic && r.Kind != store.KindTest:
		return recErr(line, id, ReasonBadField, "%s %q is not one of public, test", colKind, r.Kind)
	case r.QueuedAt.IsZero() || r.EndedAt.IsZero():
		return recErr(line, id, ReasonBadTime, "queued_at and ended_at are required")
	case r.QueuedAt.Year() < 1900 || r.EndedAt.Year() > 2200:
		return recErr(line, id, ReasonBadTime, "times must be between 1900 and 2200")
	case math.IsNaN(r.AfterCallWorkSeconds) || math.IsInf(r.AfterCallWorkSeconds, 0) || r.AfterCallWorkSeconds < 0 || r.AfterCallWorkSeconds > 1e6:
		return recErr(line, id, ReasonBadField, "%s %v is not a number of seconds between 0 and 1e6", colACW, r.AfterCallWorkSeconds)
	}
	return nil
}

// checkOrder checks the times against each other and the outcome.
func checkOrder(line int, r Record) *RecordError {
	id := r.CallID
	switch r.Outcome {
	case store.OutcomeAnswered:
		if r.AnsweredAt.IsZero() {
			return recErr(line, id, ReasonBadOrder, "outcome answered needs answered_at")
		}
		if r.AnsweredAt.Before(r.QueuedAt) {
			return recErr(line, id, ReasonBadOrder, "answered_at %s is before queued_at %s", fmtT(r.AnsweredAt), fmtT(r.QueuedAt))
		}
		if r.EndedAt.Before(r.AnsweredAt) {
			return recErr(line, id, ReasonBadOrder, "ended_at %s is before answered_at %s", fmtT(r.EndedAt), fmtT(r.AnsweredAt))
		}
	default:
		if !r.AnsweredAt.IsZero() {
			return recErr(line, id, ReasonBadOrder, "outcome %s must not have answered_at", r.Outcome)
		}
		if r.EndedAt.Before(r.QueuedAt) {
			return recErr(line, id, ReasonBadOrder, "ended_at %s is before queued_at %s", fmtT(r.EndedAt), fmtT(r.QueuedAt))
		}
	}
	if r.AfterCallWorkSeconds != 0 && r.Outcome != store.OutcomeAnswered {
		return recErr(line, id, ReasonBadOrder, "after_call_work_seconds is only for answered calls (outcome %s)", r.Outcome)
	}
	return nil
}

func fmtT(t time.Time) string { return t.Format(time.RFC3339) }

// isLineTestCaller reports whether a caller id is one of the catalogue's
// line-test callers (E.164). A test call missed here would count as an
// offered call in the contract figures, so the usual UK presentations are
// accepted too: spaces, dashes, dots and brackets are ignored, "(0)" after
// the country code is dropped, 00 counts as +, 44… as +44…, and a national
// 0… as +44….
func isLineTestCaller(cat *catalog.Catalog, caller catalog.Private) bool {
	if caller.IsZero() {
		return false
	}
	n := strings.Replace(caller.Reveal(), "(0)", "", 1)
	n = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, n)
	switch {
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case strings.HasPrefix(n, "0"):
		n = "+44" + n[1:]
	case strings.HasPrefix(n, "44"):
		n = "+" + n
	}
	return cat.IsLineTestCaller(n)
}
