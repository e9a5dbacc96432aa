package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"time"

	twilio "github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/slawatch/slawatch/alerting"
)

// Defaults of Options.
const (
	DefaultBaseURL  = "https://api.twilio.com"
	DefaultTimeout  = 10 * time.Second
	DefaultAttempts = 3
	DefaultBackoff  = 500 * time.Millisecond
	// maxWait caps one wait between attempts, Retry-After included.
	maxWait = 30 * time.Second
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
	o         Options
	base      *url.URL
	transport http.RoundTripper
	log       *slog.Logger
}

var _ alerting.Sender = (*Sender)(nil)

// twilio-go refuses credentials that are not alphanumeric.
var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// NewSender checks o and fills in its defaults.
func NewSender(o Options) (*Sender, error) {
	switch {
	case !alnum.MatchString(o.AccountSID):
		return nil, errors.New(`sms: AccountSID must be a Twilio account SID such as "AC0123…" (letters and digits)`)
	case !alnum.MatchString(o.AuthToken.Reveal()):
		return nil, errors.New("sms: AuthToken must be the account's auth token (letters and digits)")
	case o.From == "" && o.MessagingServiceSID == "":
		return nil, errors.New(`sms: set From (a Twilio number such as "+447700900123") or MessagingServiceSID ("MG…")`)
	case o.Timeout < 0 || o.Attempts < 0 || o.Backoff < 0:
		return nil, errors.New("sms: Timeout, Attempts and Backoff must not be negative (0 means the default)")
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(o.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("sms: BaseURL %q must be an absolute http(s) URL such as %s", o.BaseURL, DefaultBaseURL)
	}
	if o.StatusCallbackURL != "" {
		if u, err := url.Parse(o.StatusCallbackURL); err != nil || !u.IsAbs() {
			return nil, fmt.Errorf("sms: StatusCallbackURL %q must be an absolute URL", o.StatusCallbackURL)
		}
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Attempts == 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Backoff == 0 {
		o.Backoff = DefaultBackoff
	}
	s := &Sender{o: o, base: base, transport: http.DefaultTransport, log: o.Logger}
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		s.transport = o.HTTPClient.Transport
	}
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
	wait := s.o.Backoff
	for attempt := 1; ; attempt++ {
		msg, res, err := s.attempt(ctx, params)
		if err == nil {
			if msg == nil || msg.Sid == nil || *msg.Sid == "" {
				return alerting.Receipt{}, false, fmt.Errorf("sms: page %d: Twilio accepted the message but returned no SID", m.PageID)
			}
			return alerting.Receipt{Ref: *msg.Sid}, false, nil
		}
		f := classify(ctx, err, res)
		err = fmt.Errorf("sms: page %d: attempt %d of %d: %w", m.PageID, attempt, s.o.Attempts, f)
		s.log.LogAttrs(ctx, slog.LevelWarn, "sms send failed",
			slog.Int64("page_id", m.PageID), slog.Int("attempt", attempt),
			slog.Int("http_status", f.Status), slog.Int("twilio_code", f.Code),
			slog.Bool("retry", f.Retry), slog.String("error", f.Error()))
		if !f.Retry || attempt >= s.o.Attempts || ctx.Err() != nil {
			return alerting.Receipt{}, f.Retry, err
		}
		d := min(max(wait, f.RetryAfter), maxWait)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return alerting.Receipt{}, true, fmt.Errorf("%w (no time left in ctx for another attempt)", err)
		}
		if serr := sleep(ctx, d); serr != nil {
			return alerting.Receipt{}, true, fmt.Errorf("%w (then, waiting to try again: %w)", err, serr)
		}
		wait *= 2
	}
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

// attempt makes one CreateMessage call bounded by Timeout and ctx.
// twilio-go has no context, so each attempt gets its own client whose
// transport carries ctx (and points at BaseURL) and records the HTTP
// status, which twilio-go's errors do not always keep.
func (s *Sender) attempt(ctx context.Context, p *openapi.CreateMessageParams) (*openapi.ApiV2010Message, *callResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	rt := &callTransport{ctx: ctx, next: s.transport, base: s.base}
	c := &client.Client{
		Credentials: client.NewCredentials(s.o.AccountSID, s.o.AuthToken.Reveal()),
		HTTPClient: &http.Client{
			Transport: rt,
			Timeout:   s.o.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
	c.SetAccountSid(s.o.AccountSID)
	rc := twilio.NewRestClientWithParams(twilio.ClientParams{Client: c})
	// Not TWILIO_EDGE / TWILIO_REGION from the environment: the host is ours.
	rc.SetEdge("")
	rc.SetRegion("")
	msg, err := rc.Api.CreateMessage(p)
	return msg, &rt.res, err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
