package linetest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slawatch/slawatch/internal/secret"
	"github.com/slawatch/slawatch/internal/twilioapi"
)

// Defaults of TwilioOptions.
const (
	DefaultTwilioBaseURL      = twilioapi.DefaultBaseURL
	DefaultTwilioCallbackPath = "/api/v1/twilio/linetest"
	DefaultTwilioTimeout      = twilioapi.DefaultTimeout
	DefaultTwilioAttempts     = twilioapi.DefaultAttempts
	DefaultTwilioBackoff      = twilioapi.DefaultBackoff
	// DefaultTwilioTwiML is what the answered test call does: listen for
	// ten seconds (long enough for the ACD to log it), then hang up.
	DefaultTwilioTwiML = `<Response><Pause length="10"/><Hangup/></Response>`
	// DefaultRingTimeout is the ringing time of a Call without one
	// (Twilio's own default); Twilio allows at most 600 s.
	DefaultRingTimeout = 60 * time.Second
	// twilioMaxWaitSlack is added to the ringing time for the default
	// MaxWait: the answered call, AMD and a late callback.
	twilioMaxWaitSlack = 2 * time.Minute
)

// ErrNoFinalStatus is the error (wrapped) of a Dial whose call got no
// final status callback within TwilioOptions.MaxWait.
var ErrNoFinalStatus = errors.New("no final status from Twilio")

// TwilioOptions configure a TwilioDialer.
type TwilioOptions struct {
	// AccountSID is the Twilio account ("AC…"); AuthToken its auth token,
	// which also signs the status callbacks.
	AccountSID string
	AuthToken  secret.Secret
	// PublicURL is the base URL Twilio reaches this process at, e.g.
	// "https://slawatch.example.org"; Twilio signs PublicURL +
	// CallbackPath (+ ?query), so it must be exactly what Twilio is given.
	PublicURL string
	// CallbackPath is the path of CallbackHandler below PublicURL
	// (default /api/v1/twilio/linetest).
	CallbackPath string
	// BaseURL replaces https://api.twilio.com (a fake in tests); the path
	// twilio-go builds is kept.
	BaseURL string
	// HTTPClient supplies the transport (nil: http.DefaultTransport); its
	// Timeout is ignored in favour of Timeout.
	HTTPClient *http.Client
	// Timeout bounds one API call (default 10s).
	Timeout time.Duration
	// Attempts is how many times a transient create failure (no answer,
	// 408, 429, 5xx) is tried in all (default 3); Backoff the first wait
	// between them (default 500ms), doubled each time. A Retry-After is
	// honoured up to 30s. A retry after a timeout may place a second call.
	Attempts int
	Backoff  time.Duration
	// MaxWait bounds a whole Dial, from placing the call to its final
	// status (default the Call's ringing Timeout + 2m).
	MaxWait time.Duration
	// TwiML is what the answered call runs (default DefaultTwilioTwiML).
	TwiML string
	// MachineDetection is Twilio's answering-machine detection:
	// "" for "Enable" (AnsweredBy lands in DialResult.Detail, e.g. a
	// number diverted to voicemail shows machine_start), "DetectMessageEnd",
	// or "off" for none.
	MachineDetection string
	// Logger gets failed attempts, rejected callbacks and calls without a
	// final status, naming the run id and call SID, never a number. nil:
	// no log.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// TwilioDialer places test calls through Twilio's Calls API (twilio-go)
// and follows them by status callback, which its CallbackHandler must
// receive at PublicURL + CallbackPath. It is safe for concurrent use.
type TwilioDialer struct {
	o      TwilioOptions
	api    *twilioapi.Client
	verify *twilioapi.Verifier
	log    *slog.Logger

	mu      sync.Mutex
	waiting map[string]*twilioWait // by dial token
}

var _ Dialer = (*TwilioDialer)(nil)

// NewTwilioDialer checks o and fills in its defaults.
func NewTwilioDialer(o TwilioOptions) (*TwilioDialer, error) {
	api, err := twilioapi.NewClient(twilioapi.Config{
		AccountSID: o.AccountSID, AuthToken: o.AuthToken, BaseURL: o.BaseURL,
		HTTPClient: o.HTTPClient, Timeout: o.Timeout, Attempts: o.Attempts, Backoff: o.Backoff,
		What: "call",
	})
	if err != nil {
		return nil, fmt.Errorf("linetest: %w", err)
	}
	if o.MaxWait < 0 {
		return nil, errors.New("linetest: MaxWait must not be negative (0 means the default)")
	}
	switch o.MachineDetection {
	case "":
		o.MachineDetection = "Enable"
	case "Enable", "DetectMessageEnd", "off":
	default:
		return nil, fmt.Errorf(`linetest: MachineDetection %q must be "" (Enable), "Enable", "DetectMessageEnd" or "off"`, o.MachineDetection)
	}
	v, err := twilioapi.NewVerifier(o.PublicURL, o.AuthToken, o.Logger, "line-test callback")
	if err != nil {
		return nil, fmt.Errorf("linetest: %w", err)
	}
	if o.CallbackPath == "" {
		o.CallbackPath = DefaultTwilioCallbackPath
	}
	if !strings.HasPrefix(o.CallbackPath, "/") || strings.ContainsAny(o.CallbackPath, "?#") {
		return nil, fmt.Errorf("linetest: CallbackPath %q must be a path starting with / (no query)", o.CallbackPath)
	}
	if o.TwiML == "" {
		o.TwiML = DefaultTwilioTwiML
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	d := &TwilioDialer{o: o, api: api, verify: v, log: o.Logger, waiting: map[string]*twilioWait{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d, nil
}

// CallbackURL is the status callback URL given to Twilio (without the
// per-call query the dialer adds).
func (d *TwilioDialer) CallbackURL() string { return d.verify.URL(d.o.CallbackPath) }

// CallbackPath is the path CallbackHandler expects to be mounted on.
func (d *TwilioDialer) CallbackPath() string { return d.o.CallbackPath }

// Dial places c through Twilio and waits for its final status callback
// (completed, busy, no-answer, failed, canceled): callbacks may arrive in
// any order, the first final status is the result, and AnsweredBy from
// any of them is kept in Detail. Dial returns an error when the call
// could not be placed (after retries for transient failures), when ctx
// ends, or when no final status came within MaxWait (ErrNoFinalStatus).
// Errors name the run id and call SID, never a number.
func (d *TwilioDialer) Dial(ctx context.Context, c Call) (DialResult, error) {
	if c.From == "" || c.To == "" {
		return DialResult{}, fmt.Errorf("linetest: run %d: the call needs both From (the line-test caller number) and To (the advertised number)", c.RunID)
	}
	ring := c.Timeout
	if ring <= 0 {
		ring = DefaultRingTimeout
	}
	ring = min(ring, 600*time.Second)
	maxWait := d.o.MaxWait
	if maxWait == 0 {
		maxWait = ring + twilioMaxWaitSlack
	}
	if err := context.Cause(ctx); err != nil {
		return DialResult{}, fmt.Errorf("linetest: run %d: not dialled: %w", c.RunID, err)
	}
	wctx, cancel := context.WithTimeoutCause(ctx, maxWait, ErrNoFinalStatus)
	defer cancel()

	w := d.register(c.RunID)
	defer d.unregister(w)
	sid, err := d.create(wctx, c, ring, w.token)
	if err != nil {
		return DialResult{}, d.ended(ctx, wctx, c.RunID, "", maxWait, err)
	}
	res, ok := d.await(wctx, w, sid)
	if ok {
		return res, nil
	}
	last := d.lastStatus(w, sid)
	d.log.LogAttrs(ctx, slog.LevelWarn, "line-test call without a final status",
		slog.Int64("run_id", c.RunID), slog.String("call_sid", sid), slog.String("last_status", last))
	return DialResult{}, d.ended(ctx, wctx, c.RunID, sid, maxWait, fmt.Errorf("last status %q", last))
}

// ended is the error of a Dial cut short: by ctx, by MaxWait, or by err.
func (d *TwilioDialer) ended(ctx, wctx context.Context, run int64, sid string, maxWait time.Duration, err error) error {
	what := fmt.Sprintf("linetest: run %d", run)
	if sid != "" {
		what += ": call " + sid
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w (%v)", what, context.Cause(ctx), err)
	case errors.Is(context.Cause(wctx), ErrNoFinalStatus) && sid != "":
		return fmt.Errorf("%s: %w within %s (%v)", what, ErrNoFinalStatus, maxWait, err)
	case errors.Is(context.Cause(wctx), ErrNoFinalStatus):
		return fmt.Errorf("%s: placing the Twilio call did not end within %s: %w", what, maxWait, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}
