// Package crm is the CRM exporter: it receives the events of the call
// handling service's CRM (service requests, referrals to on-call staff and
// their delivery receipts, complaints, e-mail and web-form contacts) from
// the CRM's own PostgreSQL database, read incrementally by a cursor column
// through a configured mapping, and from an HTTP webhook for CRMs that push.
// Each event is written once, by its source id, to the event store, and the
// crm_* metrics of the metric contract (DESIGN.md) are counted from what the
// store newly accepted and restored from it at start.
package crm

import (
	"fmt"
	"time"
)

// Event types. A CRM row or webhook message becomes one or more events.
const (
	// TypeRequestCreated: a service request was logged (PO, ServiceOption,
	// Action; Category when Action is out_of_scope).
	TypeRequestCreated = "request_created"
	// TypeReferralDispatched: a referral was passed to the PO's on-call
	// staff (Channel) at At; CallEndedAt is when the call ended, so
	// At - CallEndedAt is the dispatch time measured against the limit.
	TypeReferralDispatched = "referral_dispatched"
	// TypeReferralDelivery: the delivery receipt of a referral sent by
	// e-mail, SMS or pager (Outcome delivered or failed).
	TypeReferralDelivery = "referral_delivery"
	// Complaint stages, joined by Ref. Received carries Urgent and
	// CallbackRequired (no supervisor could take the call: the caller must
	// be called back within the PO's callback limit, default 60 minutes).
	TypeComplaintReceived     = "complaint_received"
	TypeComplaintAcknowledged = "complaint_acknowledged"
	TypeComplaintCalledBack   = "complaint_called_back"
	TypeComplaintReported     = "complaint_reported"
	TypeComplaintResolved     = "complaint_resolved"
	// Contacts by e-mail or web form, joined by Ref; MemberEnquiry marks an
	// enquiry from a council member (its own working-day deadline).
	TypeContactReceived  = "contact_received"
	TypeContactResponded = "contact_responded"
)

// Actions of a service request.
const (
	ActionSignpost   = "signpost"
	ActionTransfer   = "transfer"
	ActionRefer      = "refer"
	ActionResolve    = "resolve"
	ActionOutOfScope = "out_of_scope"
)

// Channels: referral channels are phone, email, sms and pager; contact
// channels are email and webform.
const (
	ChannelPhone   = "phone"
	ChannelEmail   = "email"
	ChannelSMS     = "sms"
	ChannelPager   = "pager"
	ChannelWebform = "webform"
)

// Delivery outcomes of a referral.
const (
	OutcomeDelivered = "delivered"
	OutcomeFailed    = "failed"
)

// Event is one CRM event in slawatch's canonical form: the webhook's JSON
// and what the SQL mapping produces. ID is the source's id of the event,
// unique within its source (the store ignores an id it already holds); Ref
// is the CRM's case, complaint or contact reference, opaque, joining the
// stages of one complaint or contact: it is stored but never a label, never
// logged and never echoed in errors. No caller names, addresses or numbers
// are ever part of an event.
type Event struct {
	ID            string    `json:"id"`
	Type          string    `json:"type"`
	At            time.Time `json:"at"`
	PO            string    `json:"po"`
	ServiceOption string    `json:"service_option,omitempty"`
	Ref           string    `json:"ref,omitempty"`

	Action      string    `json:"action,omitempty"`   // request_created
	Category    string    `json:"category,omitempty"` // out_of_scope requests
	Channel     string    `json:"channel,omitempty"`  // referrals, contacts
	CallEndedAt time.Time `json:"call_ended_at,omitzero"`
	Outcome     string    `json:"outcome,omitempty"` // referral_delivery

	Urgent           bool `json:"urgent,omitempty"`            // complaint_received
	CallbackRequired bool `json:"callback_required,omitempty"` // complaint_received
	MemberEnquiry    bool `json:"member_enquiry,omitempty"`    // contact_received
}

// Result is the outcome of one ingest: events newly stored, already stored
// (same source and id), and rejected with their reasons.
type Result struct {
	Accepted  int          `json:"accepted"`
	Duplicate int          `json:"duplicate"`
	Rejected  int          `json:"rejected"`
	Errors    []EventError `json:"errors,omitempty"`
}

// Add folds r2 into r.
func (r *Result) Add(r2 Result) {
	r.Accepted += r2.Accepted
	r.Duplicate += r2.Duplicate
	r.Rejected += r2.Rejected
	r.Errors = append(r.Errors, r2.Errors...)
}

// EventError is why one event was rejected. Item is its 1-based position
// in the batch (webhook) or the row's key (SQL source, e.g.
// "complaints id=42"); Field names the offending field; Code is a short
// stable word (the self-metrics' reason label).
type EventError struct {
	Item   string `json:"item"`
	ID     string `json:"id,omitempty"`
	Field  string `json:"field,omitempty"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func (e EventError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Item, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Item, e.Reason)
}
