package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	twilio "github.com/twilio/twilio-go"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/internal/twilioapi"
)

// Defaults of Options.
const (
	DefaultBaseURL  = twilioapi.DefaultBaseURL
	DefaultTimeout  = twilioapi.DefaultTimeout
	DefaultAttempts = twilioapi.DefaultAttempts
	DefaultBackoff  = twilioapi.DefaultBackoff
)

// Options configure a Sender.
type Options struct {
	// AccountSID is the Twilio account ("AC…"); AuthToken its auth token.
	AccountSID string
	AuthToken  Secret
	// From is the sending number (E.164) or alphanumeric sender ID;
	// MessagingServiceSID ("MG…") sends through a Messaging Service
	// instead. At least one is required.
	From                string
	MessagingServiceSID string
	// StatusCallbackURL is where Twilio reports delivery when a Message
	// has no CallbackURL of its own; "" for none.
	StatusCallbackURL string
	// BaseURL replaces https://api.twilio.com (a fake in tests); the
	// path twilio-go builds is kept.
	BaseURL string
	// HTTPClient supplies the transport (nil: http.DefaultTransport);
	// its Timeout is ignored in favour of Timeout.
	HTTPClient *http.Client
	// Timeout bounds one attempt (default 10s); ctx bounds them all.
	Timeout time.Duration
	// Attempts is how many times a transient failure is tried in all
	// (default 3); Backoff the first wait between them (default 500ms),
	// doubled each time. A 429's Retry-After is honoured up to 30s.
	Attempts int
	Backoff  time.Duration
	// Logger gets one warning per failed attempt (page id, HTTP status,
	// Twilio code; never the number). nil: no log.
	Logger *slog.Logger
}

// Sender sends Messages by SMS through twilio-go. It is safe for
// concurrent use.
type Sender struct {
	o   Options
	api *twilioapi.Client
	log *slog.Logger
}

var _ alerting.Sender = (*Sender)(nil)

// NewSender checks o and fills in its defaults.
func NewSender(o Options) (*Sender, error) {
	api, err := twilioapi.NewClient(twilioapi.Config{
		AccountSID: o.AccountSID, AuthToken: o.AuthToken, BaseURL: o.BaseURL,
		HTTPClient: o.HTTPClient, Timeout: o.Timeout, Attempts: o.Attempts, Backoff: o.Backoff,
		What: "message",
	})
	if err != nil {
		return nil, fmt.Errorf("sms: %w", err)
	}
	if o.From == "" && o.MessagingServiceSID == "" {
		return nil, errors.New(`sms: set From (a Twilio number such as "+447700900123") or MessagingServiceSID ("MG…")`)
	}
	if o.StatusCallbackURL != "" {
		if u, err := url.Parse(o.StatusCallbackURL); err != nil || !u.IsAbs() {
			return nil, fmt.Errorf("sms: StatusCallbackURL %q must be an absolute URL", o.StatusCallbackURL)
		}
	}
	s := &Sender{o: o, api: api, log: o.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Channel is alerting.ChannelSMS.
func (s *Sender) Channel() string { return alerting.ChannelSMS }

// Send texts Text(m) to m.To.Phone. Transient failures (timeouts,
// connection errors, 5xx, 429) are tried again within ctx, up to
// Attempts; the error returned after the last says retry=true. A refusal
// (a bad or opted-out number, a 4xx) returns at once with retry=false.
// The Receipt's Ref is the message SID; delivery comes later by status
// callback, so Delivered is false.
func (s *Sender) Send(ctx context.Context, m alerting.Message) (alerting.Receipt, bool, error) {
	if m.To.Phone.IsZero() {
		return alerting.Receipt{}, false, fmt.Errorf("sms: page %d: recipient %q has no phone number", m.PageID, m.To.PersonID)
	}
	params := s.params(m)
	msg, _, err := twilioapi.Create(ctx, s.api, func(rc *twilio.RestClient) (*openapi.ApiV2010Message, error) {
		return rc.Api.CreateMessage(params)
	}, func(attempt int, f *twilioapi.Error) {
		s.log.LogAttrs(ctx, slog.LevelWarn, "sms send failed",
			slog.Int64("page_id", m.PageID), slog.Int("attempt", attempt),
			slog.Int("http_status", f.Status), slog.Int("twilio_code", f.Code),
			slog.Bool("retry", f.Retry), slog.String("error", f.Error()))
	})
	if err != nil {
		var f *twilioapi.Error
		retry := errors.As(err, &f) && f.Retry
		return alerting.Receipt{}, retry, fmt.Errorf("sms: page %d: %w", m.PageID, err)
	}
	if msg == nil || msg.Sid == nil || *msg.Sid == "" {
		return alerting.Receipt{}, false, fmt.Errorf("sms: page %d: Twilio accepted the message but returned no SID", m.PageID)
	}
	return alerting.Receipt{Ref: *msg.Sid}, false, nil
}

// params is the CreateMessage request for m.
func (s *Sender) params(m alerting.Message) *openapi.CreateMessageParams {
	p := &openapi.CreateMessageParams{}
	p.SetTo(m.To.Phone.Reveal())
	p.SetBody(Text(m))
	if s.o.MessagingServiceSID != "" {
		p.SetMessagingServiceSid(s.o.MessagingServiceSID)
	}
	if s.o.From != "" {
		p.SetFrom(s.o.From)
	}
	cb := m.CallbackURL
	if cb == "" {
		cb = s.o.StatusCallbackURL
	}
	if cb != "" {
		p.SetStatusCallback(cb)
	}
	return p
}
