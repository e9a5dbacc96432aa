package alerting

import (
	"context"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// Channels a page goes out on.
const (
	ChannelSMS     = "sms"
	ChannelSlack   = "slack"
	ChannelConsole = "console"
)

// Kinds of Message.
const (
	// MessagePage asks the recipient to act and acknowledge.
	MessagePage = "page"
	// MessageAcknowledged tells that someone took charge (Slack: the
	// message is updated; SMS: a short notice to the others paged).
	MessageAcknowledged = "acknowledged"
	// MessageResolved tells that the alert has cleared.
	MessageResolved = "resolved"
)

// Message is one notice to one recipient on one channel. The pager builds
// it from the store; senders only format and deliver it.
type Message struct {
	Kind string // MessagePage, MessageAcknowledged or MessageResolved
	// PageID is the store's id of this page (one recipient, one channel,
	// one step): the idempotency key of a delivery.
	PageID     int64
	IncidentID int64
	// Ref is the incident reference people quote, e.g. "12".
	Ref string
	// AckCode acknowledges by SMS reply, e.g. "12A" (one per recipient).
	AckCode  string
	Severity string // critical, page, warning
	PO       string // "" for the provider's own alerts
	// ServiceOption and AccessNumber may be "".
	ServiceOption, AccessNumber string
	AlertName                   string
	Summary                     string
	Since                       time.Time
	// Step is the escalation step (0 first); Escalated is true after the
	// first step, so the text can say the earlier people did not answer.
	Step      int
	Escalated bool
	// By and Via say who acknowledged and how (MessageAcknowledged).
	By, Via string
	To      Recipient
	// Update is the provider reference (Receipt.Ref) of the earlier
	// message this one replaces (Slack: "<channel id>/<ts>").
	Update string
	// CallbackURL is where the provider reports delivery (SMS status
	// callbacks); "" when the sender has its own or none.
	CallbackURL string
}

// Recipient is who a Message goes to. Person fields are personal data:
// senders must not log them (catalog.Private redacts itself).
type Recipient struct {
	// PersonID is the catalogue reference of the person ("" for a channel).
	PersonID string
	Name     catalog.Private
	// Phone is the E.164 number for SMS.
	Phone catalog.Private
	// SlackUser is a Slack member id (a direct message) ...
	SlackUser catalog.Private
	// ... or SlackChannel a channel name such as "#rbkc-ooh".
	SlackChannel string
}

// Receipt is what a sender got back from its provider.
type Receipt struct {
	// Ref is the provider's id of the message (Twilio message SID "SM…",
	// Slack "channel/ts"); later status callbacks and updates name it.
	Ref string
	// Delivered is true when acceptance means delivery (Slack's chat
	// API); false when delivery is confirmed later (SMS status callbacks).
	Delivered bool
}

// Sender delivers Messages on one channel. retry reports whether a failure
// is transient (timeout, 5xx, 429) or permanent (bad number, channel not
// found, 4xx). Senders bound each call with ctx and never log personal data.
type Sender interface {
	Channel() string
	Send(ctx context.Context, m Message) (r Receipt, retry bool, err error)
}

// Delivery statuses reported by providers (Twilio's message statuses).
const (
	StatusQueued      = "queued"
	StatusSent        = "sent"
	StatusDelivered   = "delivered"
	StatusUndelivered = "undelivered"
	StatusFailed      = "failed"
)

// Responder is what inbound webhooks (SMS replies and status callbacks,
// Slack buttons) need of the pager. The pager implements it; the Slack and
// SMS packages call it after verifying the provider's signature.
type Responder interface {
	// Receipt records a provider's delivery status of the message with
	// provider reference ref. Statuses may arrive out of order: a later
	// status never undoes delivered or failed.
	Receipt(ctx context.Context, channel, ref, status string, at time.Time, detail string) error
	// AckCode acknowledges by a reply code such as "12A" sent from
	// address (the sender's phone number); the reply tells the person
	// what happened, in one short line.
	AckCode(ctx context.Context, channel, address, code string) (reply string, err error)
	// Act applies a button press: action is ActionAcknowledge or
	// ActionEscalate on the incident, by the Slack member id user.
	Act(ctx context.Context, incidentID int64, action, channel, user string) (Outcome, error)
	// OptOut records STOP (stop=true) or START from address on channel.
	OptOut(ctx context.Context, channel, address string, stop bool) error
}

// Actions on an incident.
const (
	ActionAcknowledge = "acknowledge"
	ActionEscalate    = "escalate"
)

// Outcome is the state of an incident after an action, for the reply to
// the person who acted (and the updated Slack message).
type Outcome struct {
	IncidentID int64
	Ref        string
	Status     string // firing, acknowledged, resolved
	AckedBy    string // person id or Slack member id
	Text       string // one line to show the person
}
