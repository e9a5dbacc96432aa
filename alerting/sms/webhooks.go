package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/internal/twilioapi"
)

// Paths the webhooks are served on by default, below PublicURL.
const (
	DefaultStatusPath  = "/api/v1/twilio/status"
	DefaultInboundPath = "/api/v1/twilio/sms"
)

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
	// Commands, when set, is offered the texts that are neither an ack
	// code nor STOP/START (a lone worker replying OUT to a reminder sent
	// from this number); handled true sends its reply instead of the help.
	Commands func(ctx context.Context, from, body string) (reply string, handled bool)
	Logger   *slog.Logger
	Now      func() time.Time
}

// Webhooks serves Twilio's status callbacks and inbound SMS. Requests
// without a valid X-Twilio-Signature get 403 and reach no one.
type Webhooks struct {
	o      WebhookOptions
	verify *twilioapi.Verifier
	log    *slog.Logger
}

// NewWebhooks checks o and fills in its defaults.
func NewWebhooks(o WebhookOptions) (*Webhooks, error) {
	if o.AuthToken.IsZero() {
		return nil, errors.New("sms: webhooks need AuthToken, the Twilio auth token that signs them")
	}
	if o.Responder == nil {
		return nil, errors.New("sms: webhooks need a Responder")
	}
	v, err := twilioapi.NewVerifier(o.PublicURL, o.AuthToken, o.Logger, "twilio webhook")
	if err != nil {
		return nil, fmt.Errorf("sms: %w", err)
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
	w := &Webhooks{o: o, verify: v, log: o.Logger}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	return w, nil
}

// StatusCallbackURL is the URL to give Twilio for status callbacks
// (Options.StatusCallbackURL of the Sender).
func (w *Webhooks) StatusCallbackURL() string { return w.verify.URL(w.o.StatusPath) }

// InboundURL is the URL to configure on the Twilio number (or Messaging
// Service) as its incoming-message webhook.
func (w *Webhooks) InboundURL() string { return w.verify.URL(w.o.InboundPath) }

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
		if form, ok := w.verify.Read(rw, r, w.o.StatusPath); ok {
			w.status(rw, r, form)
		}
	})
}

// Inbound is the inbound-SMS handler alone, verified against
// PublicURL + InboundPath whatever path it is mounted on.
func (w *Webhooks) Inbound() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if form, ok := w.verify.Read(rw, r, w.o.InboundPath); ok {
			w.inbound(rw, r, form)
		}
	})
}
