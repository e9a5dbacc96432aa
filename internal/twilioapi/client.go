package twilioapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	twilio "github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"

	"github.com/slawatch/slawatch/internal/secret"
)

// Defaults of Config.
const (
	DefaultBaseURL  = "https://api.twilio.com"
	DefaultTimeout  = 10 * time.Second
	DefaultAttempts = 3
	DefaultBackoff  = 500 * time.Millisecond
	// MaxRetryWait caps one wait between attempts, Retry-After included.
	MaxRetryWait = 30 * time.Second
)

// Config configures a Client; 0 or "" means the default.
type Config struct {
	// AccountSID is the Twilio account ("AC…"); AuthToken its auth token.
	AccountSID string
	AuthToken  secret.Secret
	// BaseURL replaces https://api.twilio.com (a fake in tests); the path
	// twilio-go builds is kept.
	BaseURL string
	// HTTPClient supplies the transport (nil: http.DefaultTransport); its
	// Timeout is ignored in favour of Timeout.
	HTTPClient *http.Client
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration
	// Attempts is how many times a transient failure is tried in all
	// (default 3); Backoff the first wait between them (default 500ms),
	// doubled each time. A Retry-After is honoured up to MaxRetryWait.
	Attempts int
	Backoff  time.Duration
	// What names what a create makes ("message", "call") in error texts.
	What string
}

// Client makes Twilio REST requests with a context and timeout per
// attempt. It is safe for concurrent use.
type Client struct {
	cfg       Config
	base      *url.URL
	transport http.RoundTripper
}

// twilio-go refuses credentials that are not alphanumeric.
var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// NewClient checks cfg and fills in its defaults. Its errors name the
// field and what would be valid, never the token.
func NewClient(cfg Config) (*Client, error) {
	switch {
	case !alnum.MatchString(cfg.AccountSID):
		return nil, errors.New(`AccountSID must be a Twilio account SID such as "AC0123…" (letters and digits)`)
	case !alnum.MatchString(cfg.AuthToken.Reveal()):
		return nil, errors.New("AuthToken must be the Twilio account's auth token (letters and digits)")
	case cfg.Timeout < 0 || cfg.Attempts < 0 || cfg.Backoff < 0:
		return nil, errors.New("Timeout, Attempts and Backoff must not be negative (0 means the default)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("BaseURL %q must be an absolute http(s) URL such as %s", cfg.BaseURL, DefaultBaseURL)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Attempts == 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = DefaultBackoff
	}
	c := &Client{cfg: cfg, base: base, transport: http.DefaultTransport}
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		c.transport = cfg.HTTPClient.Transport
	}
	return c, nil
}

// Config is the configuration in use, defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// rest is a twilio-go client for one attempt: its requests carry ctx, go
// to BaseURL and are recorded in the returned Transport. twilio-go has no
// context of its own, hence a client per attempt.
func (c *Client) rest(ctx context.Context) (*twilio.RestClient, *Transport) {
	rt := &Transport{Ctx: ctx, Next: c.transport, Base: c.base}
	tc := &client.Client{
		Credentials: client.NewCredentials(c.cfg.AccountSID, c.cfg.AuthToken.Reveal()),
		HTTPClient: &http.Client{
			Transport: rt,
			Timeout:   c.cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
	tc.SetAccountSid(c.cfg.AccountSID)
	rc := twilio.NewRestClientWithParams(twilio.ClientParams{Client: tc})
	// Not TWILIO_EDGE / TWILIO_REGION from the environment: the host is ours.
	rc.SetEdge("")
	rc.SetRegion("")
	return rc, rt
}
