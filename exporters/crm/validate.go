package crm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slawatch/slawatch/catalog"
)

// Reasons of a rejected event (EventError.Code, the reason label of
// crm_exporter_rejected_total).
const (
	ReasonBadJSON              = "bad_json"               // not a JSON event object, or a field of the wrong type
	ReasonUnknownField         = "unknown_field"          // a JSON field the contract does not have
	ReasonBadID                = "bad_id"                 // id missing, too long or not one line
	ReasonUnknownType          = "unknown_type"           // type not one of the event types
	ReasonMissingField         = "missing_field"          // a field the type needs is empty
	ReasonUnknownPO            = "unknown_po"             // po not in the catalogue
	ReasonUnknownServiceOption = "unknown_service_option" // service_option not one of the PO's
	ReasonInvalidValue         = "invalid_value"          // action, channel, outcome, category or ref not valid
	ReasonBadTime              = "bad_time"               // a time before 2000 or unparseable
	ReasonFutureTime           = "future_time"            // at is later than now plus the allowed clock skew
	ReasonDispatchBeforeCall   = "dispatch_before_call_end"
)

// Reasons lists every reason code, for the self-metrics.
func Reasons() []string {
	return []string{ReasonBadJSON, ReasonUnknownField, ReasonBadID, ReasonUnknownType, ReasonMissingField, ReasonUnknownPO,
		ReasonUnknownServiceOption, ReasonInvalidValue, ReasonBadTime, ReasonFutureTime, ReasonDispatchBeforeCall}
}

// Types lists the event types.
func Types() []string {
	return []string{TypeRequestCreated, TypeReferralDispatched, TypeReferralDelivery, TypeComplaintReceived,
		TypeComplaintAcknowledged, TypeComplaintCalledBack, TypeComplaintReported, TypeComplaintResolved,
		TypeContactReceived, TypeContactResponded}
}

// Actions lists the service-request actions.
func Actions() []string {
	return []string{ActionSignpost, ActionTransfer, ActionRefer, ActionResolve, ActionOutOfScope}
}

// ReferralChannels are the channels a referral is passed by; the last
// three have delivery receipts.
func ReferralChannels() []string {
	return []string{ChannelPhone, ChannelEmail, ChannelSMS, ChannelPager}
}

// ReceiptChannels are the referral channels with delivery receipts.
func ReceiptChannels() []string { return []string{ChannelEmail, ChannelSMS, ChannelPager} }

// ContactChannels are the channels of e-mail and web-form contacts.
func ContactChannels() []string { return []string{ChannelEmail, ChannelWebform} }

// Limits of the event checks.
const (
	// MaxIDBytes bounds id and ref.
	MaxIDBytes = 200
	// MaxDispatchDelay: a referral dispatched longer than this after its
	// call ended is taken for a data error.
	MaxDispatchDelay = 7 * 24 * time.Hour
)

// minTime: an event before 2000 is a data error (a zero or epoch date).
var minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

var reCategory = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func one(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// text reports whether s is at most MaxIDBytes of valid UTF-8 without
// control characters.
func text(s string) bool {
	return len(s) <= MaxIDBytes && utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// Validate checks ev against the catalogue at now (skew is how far in the
// future At may be, for clock differences). pos is the 1-based position
// for EventError.Item. The ref is never part of an error.
func Validate(c *catalog.Catalog, ev Event, pos int, now time.Time, skew time.Duration) *EventError {
	bad := func(field, code, format string, args ...any) *EventError {
		id := ev.ID
		if len(id) > 80 || !text(id) {
			id = ""
		}
		return &EventError{Item: strconv.Itoa(pos), ID: id, Field: field, Code: code, Reason: fmt.Sprintf(format, args...)}
	}
	if ev.ID == "" || !text(ev.ID) {
		return bad("id", ReasonBadID, "missing, over %d bytes or not one line; give the CRM's unique id of this event", MaxIDBytes)
	}
	if !one(Types(), ev.Type) {
		return bad("type", ReasonUnknownType, "%q is not an event type; valid: %s", short(ev.Type), strings.Join(Types(), ", "))
	}
	if e := checkTime(bad, "at", ev.At, now, skew); e != nil {
		return e
	}
	if ev.PO == "" {
		return bad("po", ReasonMissingField, "missing; give the catalogue id of the participating organisation")
	}
	po, ok := c.PO(ev.PO)
	if !ok {
		return bad("po", ReasonUnknownPO, "%q is not a PO of the catalogue; valid: %s", short(ev.PO), strings.Join(c.POIDs(), ", "))
	}
	if ev.ServiceOption != "" {
		if _, ok := po.Option(ev.ServiceOption); !ok {
			return bad("service_option", ReasonUnknownServiceOption, "%q is not a service option of %s; valid: %s",
				short(ev.ServiceOption), po.ID, strings.Join(optionIDs(po), ", "))
		}
	} else if ev.Type == TypeRequestCreated || ev.Type == TypeReferralDispatched {
		return bad("service_option", ReasonMissingField, "missing; a %s is for one of %s's service options: %s",
			ev.Type, po.ID, strings.Join(optionIDs(po), ", "))
	}
	if ev.Type != TypeRequestCreated && ev.Ref == "" {
		return bad("ref", ReasonMissingField, "missing; a %s is joined to its case by the CRM's reference", ev.Type)
	}
	if !text(ev.Ref) {
		return bad("ref", ReasonInvalidValue, "over %d bytes or not one line", MaxIDBytes)
	}
	switch ev.Type {
	case TypeRequestCreated:
		if !one(Actions(), ev.Action) {
			return enumErr(bad, "action", ev.Action, Actions())
		}
		switch {
		case ev.Action == ActionOutOfScope && ev.Category == "":
			return bad("category", ReasonMissingField, "missing; an out_of_scope request has its category (lower-case letters, digits and _, e.g. parking_fines)")
		case ev.Action == ActionOutOfScope && !reCategory.MatchString(ev.Category):
			return bad("category", ReasonInvalidValue, "%q is not a category; use lower-case letters, digits and _ (at most 64), starting with a letter", short(ev.Category))
		case ev.Action != ActionOutOfScope && ev.Category != "":
			return bad("category", ReasonInvalidValue, "applies only to action out_of_scope, not %s", ev.Action)
		}
	case TypeReferralDispatched:
		if !one(ReferralChannels(), ev.Channel) {
			return enumErr(bad, "channel", ev.Channel, ReferralChannels())
		}
		if ev.CallEndedAt.IsZero() {
			return bad("call_ended_at", ReasonMissingField, "missing; the dispatch time is measured from the end of the call")
		}
		if e := checkTime(bad, "call_ended_at", ev.CallEndedAt, now, skew); e != nil {
			return e
		}
		if ev.At.Before(ev.CallEndedAt) {
			return bad("at", ReasonDispatchBeforeCall, "the dispatch (%s) is before the call ended (%s); a referral is passed on after the call",
				ev.At.UTC().Format(time.RFC3339), ev.CallEndedAt.UTC().Format(time.RFC3339))
		}
		if ev.At.Sub(ev.CallEndedAt) > MaxDispatchDelay {
			return bad("call_ended_at", ReasonBadTime, "is %s before the dispatch; more than %s is taken for a data error",
				ev.At.Sub(ev.CallEndedAt).Round(time.Second), MaxDispatchDelay)
		}
	case TypeReferralDelivery:
		if !one(ReceiptChannels(), ev.Channel) {
			return enumErr(bad, "channel", ev.Channel, ReceiptChannels())
		}
		if !one([]string{OutcomeDelivered, OutcomeFailed}, ev.Outcome) {
			return enumErr(bad, "outcome", ev.Outcome, []string{OutcomeDelivered, OutcomeFailed})
		}
	case TypeContactReceived:
		if !one(ContactChannels(), ev.Channel) {
			return enumErr(bad, "channel", ev.Channel, ContactChannels())
		}
	case TypeContactResponded:
		if ev.Channel != "" && !one(ContactChannels(), ev.Channel) {
			return enumErr(bad, "channel", ev.Channel, ContactChannels())
		}
	}
	return nil
}

func enumErr(bad func(field, code, format string, args ...any) *EventError, field, v string, valid []string) *EventError {
	if v == "" {
		return bad(field, ReasonMissingField, "missing; valid: %s", strings.Join(valid, ", "))
	}
	return bad(field, ReasonInvalidValue, "%q is not valid here; valid: %s", short(v), strings.Join(valid, ", "))
}

func checkTime(bad func(field, code, format string, args ...any) *EventError, field string, t, now time.Time, skew time.Duration) *EventError {
	switch {
	case t.IsZero():
		return bad(field, ReasonMissingField, "missing; give an RFC 3339 time such as 2026-11-02T18:04:05Z")
	case t.Before(minTime):
		return bad(field, ReasonBadTime, "%s is before 2000; give the real time of the event", t.UTC().Format(time.RFC3339))
	case t.After(now.Add(skew)):
		return bad(field, ReasonFutureTime, "%s is in the future (now %s, %s of clock skew allowed)",
			t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), skew)
	}
	return nil
}

// short quotes at most 60 bytes of a value the sender gave, for errors.
func short(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

func optionIDs(p *catalog.PO) []string {
	out := make([]string, len(p.ServiceOptions))
	for i, so := range p.ServiceOptions {
		out[i] = so.ID
	}
	return out
}
