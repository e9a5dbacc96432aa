package store

import (
	"database/sql"
	"fmt"
	"time"
)

// Escalation states.
const (
	EscalationActive       = "active"
	EscalationExhausted    = "exhausted" // every step paged, nobody acknowledged
	EscalationAcknowledged = "acknowledged"
	EscalationResolved     = "resolved"
)

// Page kinds and statuses (pages.kind, pages.status).
const (
	PageKindPage         = "page"
	PageKindAcknowledged = "acknowledged"
	PageKindResolved     = "resolved"

	PagePending     = "pending"
	PageSending     = "sending"
	PageSent        = "sent"
	PageDelivered   = "delivered"
	PageFailed      = "failed"
	PageUndelivered = "undelivered"
	PageCancelled   = "cancelled"
)

// Escalation event kinds (escalation_events.kind).
const (
	EscStarted      = "started"
	EscStep         = "step"
	EscSkipped      = "skipped"
	EscEscalated    = "escalated"
	EscAcknowledged = "acknowledged"
	EscResolved     = "resolved"
	EscExhausted    = "exhausted"
	EscSent         = "sent"
	EscDelivered    = "delivered"
	EscFailed       = "failed"
	EscUndelivered  = "undelivered"
	EscRetry        = "retry"
	EscFallback     = "fallback"
	EscCancelled    = "cancelled"
	EscOptOut       = "opt_out"
	EscSuppressed   = "suppressed"
)

// Escalation is the escalation of one incident.
type Escalation struct {
	IncidentID        int64
	PO, ServiceOption string
	// Policy is the PO's escalation policy followed ("" for the service
	// option's own).
	Policy  string
	State   string
	Started time.Time
	// NextStep is the index of the next step to page; NextAt when it is
	// due (zero when none is).
	NextStep int
	NextAt   time.Time
	// AckedBy (a person id or "slack:U…"), AckedVia (sms, slack, verbal)
	// and Acked are set once acknowledged.
	AckedBy, AckedVia string
	Acked             time.Time
	Updated           time.Time
}

// Page is one message to one recipient on one channel.
type Page struct {
	ID         int64
	IncidentID int64
	Kind       string // PageKindPage, PageKindAcknowledged, PageKindResolved
	Step       int
	// Person is the catalogue person id; "" for a post to SlackChannel.
	Person       string
	Channel      string // sms, slack, console
	SlackChannel string
	AckCode      string
	Status       string
	Attempts     int
	Due, Created time.Time
	Sent, Done   time.Time // zero until then
	// ProviderRef is the provider's id of the message; UpdateRef the
	// earlier message this one updates (Slack).
	ProviderRef, UpdateRef string
	Detail                 string
	// FallbackOf is the page this one stands in for (0: none).
	FallbackOf int64
}

// EscalationEvent is one row of the escalation audit trail.
type EscalationEvent struct {
	ID, IncidentID  int64
	At              time.Time
	Kind            string
	Step            int
	Person, Channel string
	Detail          string
}

const pageColumns = `id, incident_id, kind, step, person, channel, slack_channel, ack_code, status, attempts,
 due_ns, created_ns, sent_ns, done_ns, provider_ref, update_ref, detail, fallback_of`

func scanPage(r rowScanner) (Page, error) {
	var p Page
	var due, created int64
	var sent, done, fallback sql.NullInt64
	if err := r.Scan(&p.ID, &p.IncidentID, &p.Kind, &p.Step, &p.Person, &p.Channel, &p.SlackChannel, &p.AckCode,
		&p.Status, &p.Attempts, &due, &created, &sent, &done, &p.ProviderRef, &p.UpdateRef, &p.Detail, &fallback); err != nil {
		return p, err
	}
	p.Due, p.Created = utcNanos(due), utcNanos(created)
	if sent.Valid {
		p.Sent = utcNanos(sent.Int64)
	}
	if done.Valid {
		p.Done = utcNanos(done.Int64)
	}
	p.FallbackOf = fallback.Int64
	return p, nil
}

func validatePage(i int, p *Page) error {
	bad := func(field, msg string) error {
		return fmt.Errorf("store: page %d (incident %d): %s %s", i, p.IncidentID, field, msg)
	}
	switch {
	case p.Kind != PageKindPage && p.Kind != PageKindAcknowledged && p.Kind != PageKindResolved:
		return bad("kind", fmt.Sprintf("%q: want page, acknowledged or resolved", p.Kind))
	case p.Channel == "":
		return bad("channel", "is empty; want sms, slack or console")
	case p.Person == "" && p.SlackChannel == "":
		return bad("recipient", "is empty; set a person id or a Slack channel")
	case p.Due.IsZero():
		return bad("due", "is missing")
	}
	return nil
}

func nullableNanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}
