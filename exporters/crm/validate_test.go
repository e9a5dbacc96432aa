package crm

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	c := testCatalog(t)
	now := t0.Add(time.Hour)
	const secret = "REF-SECRET-42"
	good := func(typ string) Event {
		e := Event{ID: "e1", Type: typ, At: t0, PO: "acme", ServiceOption: "noise", Ref: secret}
		switch typ {
		case TypeRequestCreated:
			e.Action = ActionRefer
		case TypeReferralDispatched:
			e.Channel, e.CallEndedAt = ChannelSMS, t0.Add(-3*time.Minute)
		case TypeReferralDelivery:
			e.Channel, e.Outcome = ChannelSMS, OutcomeDelivered
		case TypeContactReceived, TypeContactResponded:
			e.Channel = ChannelEmail
		}
		return e
	}
	for _, typ := range Types() {
		if err := Validate(c, good(typ), 1, now, 5*time.Minute); err != nil {
			t.Errorf("a good %s rejected: %v", typ, err)
		}
	}
	for _, tc := range []struct {
		name         string
		typ          string
		mod          func(e *Event)
		field, code  string
		reasonSubstr string
	}{
		{"no id", TypeRequestCreated, func(e *Event) { e.ID = "" }, "id", ReasonBadID, "give the CRM's unique id"},
		{"id with a newline", TypeRequestCreated, func(e *Event) { e.ID = "a\nb" }, "id", ReasonBadID, "not one line"},
		{"unknown type", TypeRequestCreated, func(e *Event) { e.Type = "complaint_escalated" }, "type", ReasonUnknownType, "valid: request_created, referral_dispatched"},
		{"no time", TypeComplaintReceived, func(e *Event) { e.At = time.Time{} }, "at", ReasonMissingField, "RFC 3339"},
		{"epoch", TypeComplaintReceived, func(e *Event) { e.At = time.Unix(0, 0) }, "at", ReasonBadTime, "before 2000"},
		{"future", TypeComplaintReceived, func(e *Event) { e.At = now.Add(6 * time.Minute) }, "at", ReasonFutureTime, "in the future"},
		{"skew allowed", TypeComplaintReceived, func(e *Event) { e.At = now.Add(5 * time.Minute) }, "", "", ""},
		{"no po", TypeComplaintReceived, func(e *Event) { e.PO = "" }, "po", ReasonMissingField, "catalogue id"},
		{"unknown po", TypeComplaintReceived, func(e *Event) { e.PO = "zeta" }, "po", ReasonUnknownPO, `"zeta" is not a PO of the catalogue; valid: acme, bravo`},
		{"option of another po", TypeComplaintReceived, func(e *Event) { e.PO = "bravo" }, "service_option", ReasonUnknownServiceOption, "not a service option of bravo; valid: repairs"},
		{"complaint without option", TypeComplaintReceived, func(e *Event) { e.ServiceOption = "" }, "", "", ""},
		{"request without option", TypeRequestCreated, func(e *Event) { e.ServiceOption = "" }, "service_option", ReasonMissingField, "one of acme's service options: noise, repairs"},
		{"referral without option", TypeReferralDispatched, func(e *Event) { e.ServiceOption = "" }, "service_option", ReasonMissingField, "noise, repairs"},
		{"complaint without ref", TypeComplaintReported, func(e *Event) { e.Ref = "" }, "ref", ReasonMissingField, "joined to its case"},
		{"request without ref", TypeRequestCreated, func(e *Event) { e.Ref = "" }, "", "", ""},
		{"ref too long", TypeComplaintReceived, func(e *Event) { e.Ref = strings.Repeat("x", 201) }, "ref", ReasonInvalidValue, "over 200 bytes"},
		{"no action", TypeRequestCreated, func(e *Event) { e.Action = "" }, "action", ReasonMissingField, "valid: signpost, transfer, refer, resolve, out_of_scope"},
		{"bad action", TypeRequestCreated, func(e *Event) { e.Action = "escalate" }, "action", ReasonInvalidValue, `"escalate" is not valid here; valid: signpost`},
		{"out of scope without category", TypeRequestCreated, func(e *Event) { e.Action = ActionOutOfScope }, "category", ReasonMissingField, "parking_fines"},
		{"category not a word", TypeRequestCreated, func(e *Event) { e.Action, e.Category = ActionOutOfScope, "Parking Fines" }, "category", ReasonInvalidValue, "lower-case"},
		{"category on a referral request", TypeRequestCreated, func(e *Event) { e.Category = "x" }, "category", ReasonInvalidValue, "only to action out_of_scope"},
		{"referral by fax", TypeReferralDispatched, func(e *Event) { e.Channel = "fax" }, "channel", ReasonInvalidValue, "valid: phone, email, sms, pager"},
		{"referral without call end", TypeReferralDispatched, func(e *Event) { e.CallEndedAt = time.Time{} }, "call_ended_at", ReasonMissingField, "measured from the end of the call"},
		{"dispatch before the call ended", TypeReferralDispatched, func(e *Event) { e.CallEndedAt = t0.Add(time.Second) }, "at", ReasonDispatchBeforeCall, "before the call ended"},
		{"dispatched at the call's end", TypeReferralDispatched, func(e *Event) { e.CallEndedAt = t0 }, "", "", ""},
		{"dispatch a fortnight late", TypeReferralDispatched, func(e *Event) { e.CallEndedAt = t0.Add(-14 * 24 * time.Hour) }, "call_ended_at", ReasonBadTime, "data error"},
		{"receipt by phone", TypeReferralDelivery, func(e *Event) { e.Channel = ChannelPhone }, "channel", ReasonInvalidValue, "valid: email, sms, pager"},
		{"receipt without outcome", TypeReferralDelivery, func(e *Event) { e.Outcome = "" }, "outcome", ReasonMissingField, "valid: delivered, failed"},
		{"receipt read", TypeReferralDelivery, func(e *Event) { e.Outcome = "read" }, "outcome", ReasonInvalidValue, "valid: delivered, failed"},
		{"contact by phone", TypeContactReceived, func(e *Event) { e.Channel = ChannelPhone }, "channel", ReasonInvalidValue, "valid: email, webform"},
		{"contact without channel", TypeContactReceived, func(e *Event) { e.Channel = "" }, "channel", ReasonMissingField, "valid: email, webform"},
		{"response without channel", TypeContactResponded, func(e *Event) { e.Channel = "" }, "", "", ""},
	} {
		e := good(tc.typ)
		tc.mod(&e)
		err := Validate(c, e, 3, now, 5*time.Minute)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: rejected: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted; want %s on %s", tc.name, tc.code, tc.field)
			continue
		}
		if err.Field != tc.field || err.Code != tc.code || err.Item != "3" || !strings.Contains(err.Reason, tc.reasonSubstr) {
			t.Errorf("%s: got %+v\nwant field %s, code %s, reason with %q", tc.name, *err, tc.field, tc.code, tc.reasonSubstr)
		}
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "xxxxxxxx") {
			t.Errorf("%s: the error echoes the ref: %v", tc.name, err)
		}
	}
}
