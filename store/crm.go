package store

import (
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"
)

// CRM event types (crm_events.type): the values of the CRM exporter's
// contract (exporters/crm/event.go).
const (
	CRMRequestCreated        = "request_created"
	CRMReferralDispatched    = "referral_dispatched"
	CRMReferralDelivery      = "referral_delivery"
	CRMComplaintReceived     = "complaint_received"
	CRMComplaintAcknowledged = "complaint_acknowledged"
	CRMComplaintCalledBack   = "complaint_called_back"
	CRMComplaintReported     = "complaint_reported"
	CRMComplaintResolved     = "complaint_resolved"
	CRMContactReceived       = "contact_received"
	CRMContactResponded      = "contact_responded"
)

// The crm_* metrics whose figures the store keeps (CRMSeries.Metric).
// Counters and histograms come from InsertCRMEvents and CRMTotals, gauges
// from CRMGauges. Label values (CRMSeries.Labels) are in the order given.
const (
	CRMServiceRequests    = "crm_service_requests_total"    // action
	CRMOutOfScopeCalls    = "crm_out_of_scope_calls_total"  // category
	CRMReferralDispatch   = "crm_referral_dispatch_seconds" // channel (histogram)
	CRMReferralDeliveries = "crm_referral_deliveries_total" // channel, outcome
	CRMComplaintsReceived = "crm_complaints_received_total" // urgency
	CRMComplaintsResolved = "crm_complaints_resolved_total" // urgency
	CRMComplaintsReported = "crm_complaints_reported_total" // urgency, within_deadline
	CRMContacts           = "crm_contacts_total"            // channel, kind
	CRMContactsResponded  = "crm_contacts_responded_total"  // channel, kind, within_deadline
	CRMContactResponse    = "crm_contact_response_seconds"  // channel (histogram)

	CRMReferralsUndelivered = "crm_referrals_undelivered" // channel (gauge)
	CRMComplaintsOpen       = "crm_complaints_open"       // urgency (gauge)
	CRMComplaintsOverdue    = "crm_complaints_overdue"    // stage (gauge)
	CRMContactsOverdue      = "crm_contacts_overdue"      // channel, kind (gauge)
)

// Label values the store derives.
const (
	CRMUrgent        = "urgent"
	CRMNormal        = "normal"
	CRMGeneral       = "general"
	CRMMemberEnquiry = "member_enquiry"
	CRMStageCallback = "callback"
	CRMStageReport   = "report"
)

// Limits on the text fields of a CRM event.
const maxCRMTextBytes = 200

// CRMEvent is one CRM event as the store keeps it. Source and ID identify
// it (written once); Ref joins the stages of one referral (with Channel),
// complaint or contact of a PO, whatever order they arrive in. Ref is
// opaque and never part of a figure.
type CRMEvent struct {
	Source, ID, Type string
	At               time.Time
	PO               string
	ServiceOption    string
	Ref              string
	Action, Category string
	Channel, Outcome string
	CallEndedAt      time.Time
	Urgent           bool
	CallbackRequired bool
	MemberEnquiry    bool
	// Due is the last instant still on time, computed by the caller from
	// the catalogue: of a complaint_received its report, of a
	// contact_received its response, of a referral_dispatched by email,
	// sms or pager its delivery receipt. Zero for other events.
	Due time.Time
	// CallbackDue is the last instant a complaint_received with
	// CallbackRequired may be called back.
	CallbackDue time.Time
}

// CRMSeries names one series of a crm_* metric: the metric (one of the
// CRM* metric constants), po, service_option and the metric's own label
// values in its order (unused ones empty).
type CRMSeries struct {
	Metric        string
	PO            string
	ServiceOption string
	Labels        [3]string
}

// CRMHist is one crm_* histogram: Buckets[i] counts the values <= the i-th
// bound (cumulative); SumMillis is the exact sum of the values, each
// truncated to the millisecond (in nanoseconds, a busy series' sum of
// response times would overflow int64 within two years; in milliseconds it
// never will).
type CRMHist struct {
	Count     uint64
	SumMillis int64
	Buckets   []uint64
}

// Observe adds one value of ns nanoseconds, comparing it with each bound
// (seconds) exactly as CRMTotals does.
func (h *CRMHist) Observe(bounds []float64, ns int64) {
	if len(h.Buckets) < len(bounds) {
		h.Buckets = append(h.Buckets, make([]uint64, len(bounds)-len(h.Buckets))...)
	}
	h.Count++
	h.SumMillis += ns / 1e6
	for i, b := range bounds {
		if ns <= boundNanos(b) {
			h.Buckets[i]++
		}
	}
}

// CRMObservation is one value of a crm_* histogram.
type CRMObservation struct {
	Series CRMSeries
	Nanos  int64
}

// CRMChanges is what one InsertCRMEvents added: Inserted[i] tells whether
// evs[i] was new; Counts and Observations are exactly what it added to the
// crm_* counters and histograms (the same figures CRMTotals derives).
type CRMChanges struct {
	Inserted     []bool
	Counts       map[CRMSeries]uint64
	Observations []CRMObservation
}

// CRMTotals are the all-time crm_* counters and histograms.
type CRMTotals struct {
	Counts     map[CRMSeries]uint64
	Histograms map[CRMSeries]CRMHist
}

// ErrInvalidCRMEvent is matched (errors.Is) by every validation error of
// InsertCRMEvents; the message names the event, the field and what is
// valid (never the ref).
var ErrInvalidCRMEvent = errors.New("invalid CRM event")

type invalidCRM struct{ msg string }

func (e *invalidCRM) Error() string        { return e.msg }
func (e *invalidCRM) Is(target error) bool { return target == ErrInvalidCRMEvent }

func crmTypes() []string {
	return []string{CRMRequestCreated, CRMReferralDispatched, CRMReferralDelivery, CRMComplaintReceived,
		CRMComplaintAcknowledged, CRMComplaintCalledBack, CRMComplaintReported, CRMComplaintResolved,
		CRMContactReceived, CRMContactResponded}
}

// crmText reports whether s is 1 to maxCRMTextBytes of valid UTF-8
// without control characters.
func crmText(s string, empty bool) bool {
	if s == "" {
		return empty
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return len(s) <= maxCRMTextBytes && utf8.ValidString(s)
}

// receiptChannel reports whether a referral channel has delivery receipts.
func receiptChannel(ch string) bool { return ch == "email" || ch == "sms" || ch == "pager" }

func validateCRMEvent(i int, e *CRMEvent) error {
	bad := func(field, format string, args ...any) error {
		return &invalidCRM{fmt.Sprintf("store: CRM event %d (%s %q): %s %s", i+1, e.Type, e.ID, field, fmt.Sprintf(format, args...))}
	}
	known := false
	for _, t := range crmTypes() {
		known = known || e.Type == t
	}
	joined := e.Type != CRMRequestCreated
	switch {
	case !known:
		return bad("Type", "is not a CRM event type; want one of %v", crmTypes())
	case !validToken(e.Source) && !crmText(e.Source, false):
		return bad("Source", "is empty, too long or not one line; want the source's name")
	case !crmText(e.ID, false):
		return bad("ID", "is empty, over %d bytes or not one line; want the source's event id", maxCRMTextBytes)
	case !inNanoRange(e.At):
		return bad("At", "is zero or out of range; want when it happened")
	case !crmText(e.PO, false):
		return bad("PO", "is empty or not one line; want a catalogue PO id")
	case !crmText(e.ServiceOption, true):
		return bad("ServiceOption", "is not one line of at most %d bytes", maxCRMTextBytes)
	case joined && !crmText(e.Ref, false):
		return bad("Ref", "is empty, over %d bytes or not one line; a %s is joined to its case by it", maxCRMTextBytes, e.Type)
	case !joined && !crmText(e.Ref, true):
		return bad("Ref", "is over %d bytes or not one line", maxCRMTextBytes)
	}
	for _, f := range []struct{ name, v string }{{"Action", e.Action}, {"Category", e.Category}, {"Channel", e.Channel}, {"Outcome", e.Outcome}} {
		if f.v != "" && !validToken(f.v) {
			return bad(f.name, "is %q; want 1 to 64 of a-z 0-9 _ -", f.v)
		}
	}
	switch e.Type {
	case CRMRequestCreated:
		if e.Action == "" {
			return bad("Action", "is empty; a service request has its action")
		}
	case CRMReferralDispatched:
		switch {
		case e.Channel == "":
			return bad("Channel", "is empty; a referral has its channel")
		case !inNanoRange(e.CallEndedAt) || e.CallEndedAt.After(e.At):
			return bad("CallEndedAt", "is zero, out of range or after the dispatch; want when the call ended")
		case receiptChannel(e.Channel) && (!inNanoRange(e.Due) || e.Due.Before(e.At)):
			return bad("Due", "is zero or before the dispatch; want the last instant its delivery receipt is on time")
		}
	case CRMReferralDelivery:
		if !receiptChannel(e.Channel) || (e.Outcome != "delivered" && e.Outcome != "failed") {
			return bad("Channel and Outcome", "are %q and %q; want email, sms or pager and delivered or failed", e.Channel, e.Outcome)
		}
	case CRMComplaintReceived:
		switch {
		case !inNanoRange(e.Due) || e.Due.Before(e.At):
			return bad("Due", "is zero or before the receipt; want the last instant the report is on time")
		case e.CallbackRequired && (!inNanoRange(e.CallbackDue) || e.CallbackDue.Before(e.At)):
			return bad("CallbackDue", "is zero or before the receipt; want the last instant the callback is on time")
		}
	case CRMContactReceived:
		switch {
		case e.Channel == "":
			return bad("Channel", "is empty; a contact has its channel (email or webform)")
		case !inNanoRange(e.Due) || e.Due.Before(e.At):
			return bad("Due", "is zero or before the receipt; want the last instant the response is on time")
		}
	}
	return nil
}

func urgency(urgent bool) string {
	if urgent {
		return CRMUrgent
	}
	return CRMNormal
}

func contactKind(member bool) string {
	if member {
		return CRMMemberEnquiry
	}
	return CRMGeneral
}

func within(ok bool) string {
	if ok {
		return "true"
	}
	return "false"
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullNanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}
