package sms

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/slawatch/slawatch/alerting"
)

// Paths the webhooks are served on by default, below PublicURL.
const (
	DefaultStatusPath  = "/api/v1/twilio/status"
	DefaultInboundPath = "/api/v1/twilio/sms"
)

// maxForm bounds a webhook's body; Twilio's are a few hundred bytes.
const maxForm = 64 << 10

// WebhookOptions configure Webhooks.
type WebhookOptions struct {
	// AuthToken is the account's auth token, the key of X-Twilio-Signature.
	AuthToken Secret
	// PublicURL is the base URL Twilio is given, e.g.
	// "https://slawatch.example.org" (behind a proxy the request's own URL
	// differs). Twilio signs PublicURL + path (+ ?query), so it must be
	// exactly what Twilio was configured with.
	PublicURL string
	// StatusPath and InboundPath are the paths below PublicURL of the
	// status callback and the inbound SMS webhook (defaults above).
	StatusPath, InboundPath string
	// Responder receives receipts, ack codes and opt-outs.
	Responder alerting.Responder
	Logger    *slog.Logger
	Now       func() time.Time
}

// Webhooks serves Twilio's status callbacks and inbound SMS. Requests
// without a valid X-Twilio-Signature get 403 and reach no one.
type Webhooks struct {
	o         WebhookOptions
	public    string
	validator client.RequestValidator
	log       *slog.Logger
}

// NewWebhooks checks o and fills in its defaults.
func NewWebhooks(o WebhookOptions) (*Webhooks, error) {
	if o.AuthToken.IsZero() {
		return nil, errors.New("sms: webhooks need AuthToken, the Twilio auth token that signs them")
	}
	if o.Responder == nil {
		return nil, errors.New("sms: webhooks need a Responder")
	}
	u, err := url.Parse(o.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("sms: PublicURL %q must be the absolute http(s) base URL Twilio is given, such as https://slawatch.example.org", o.PublicURL)
	}
	if o.StatusPath == "" {
		o.StatusPath = DefaultStatusPath
	}
	if o.InboundPath == "" {
		o.InboundPath = DefaultInboundPath
	}
	for _, p := range []string{o.StatusPath, o.InboundPath} {
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("sms: webhook path %q must start with /", p)
		}
	}
	if o.StatusPath == o.InboundPath {
		return nil, fmt.Errorf("sms: StatusPath and InboundPath are both %q; they must differ", o.StatusPath)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	w := &Webhooks{
		o:         o,
		public:    strings.TrimSuffix(o.PublicURL, "/"),
		validator: client.NewRequestValidator(o.AuthToken.Reveal()),
		log:       o.Logger,
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	return w, nil
}

// StatusCallbackURL is the URL to give Twilio for status callbacks
// (Options.StatusCallbackURL of the Sender).
func (w *Webhooks) StatusCallbackURL() string { return w.public + w.o.StatusPath }

// InboundURL is the URL to configure on the Twilio number (or Messaging
// Service) as its incoming-message webhook.
func (w *Webhooks) InboundURL() string { return w.public + w.o.InboundPath }

// ServeHTTP routes StatusPath and InboundPath; anything else is 404.
func (w *Webhooks) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case w.o.StatusPath:
		w.Status().ServeHTTP(rw, r)
	case w.o.InboundPath:
		w.Inbound().ServeHTTP(rw, r)
	default:
		http.NotFound(rw, r)
	}
}

// Status is the status-callback handler alone, verified against
// PublicURL + StatusPath whatever path it is mounted on.
func (w *Webhooks) Status() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if form, ok := w.verify(rw, r, w.o.StatusPath); ok {
			w.status(rw, r, form)
		}
	})
}

// Inbound is the inbound-SMS handler alone, verified against
// PublicURL + InboundPath whatever path it is mounted on.
func (w *Webhooks) Inbound() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if form, ok := w.verify(rw, r, w.o.InboundPath); ok {
			w.inbound(rw, r, form)
		}
	})
}

// verify reads the form and checks X-Twilio-Signature over the URL
// Twilio was given, answering 405, 400 or 403 itself when it fails.
func (w *Webhooks) verify(rw http.ResponseWriter, r *http.Request, path string) (url.Values, bool) {
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		http.Error(rw, "Twilio webhooks are POST", http.StatusMethodNotAllowed)
		return nil, false
	}
	r.Body = http.MaxBytesReader(rw, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(rw, "want an application/x-www-form-urlencoded body of at most 64 KiB", http.StatusBadRequest)
		return nil, false
	}
	signed := w.public + path
	if r.URL.RawQuery != "" {
		signed += "?" + r.URL.RawQuery
	}
	params := make(map[string]string, len(r.PostForm))
	for k, v := range r.PostForm {
		params[k] = v[0]
	}
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" || !w.validator.Validate(signed, params, sig) {
		w.log.LogAttrs(r.Context(), slog.LevelWarn, "twilio webhook with a missing or bad signature",
			slog.String("path", path), slog.Bool("signature_present", sig != ""))
		http.Error(rw, "X-Twilio-Signature missing or not valid for this URL", http.StatusForbidden)
		return nil, false
	}
	return r.PostForm, true
}
