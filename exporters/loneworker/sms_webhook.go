package loneworker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/secret"
	"github.com/slawatch/slawatch/internal/twilioapi"
)

// Paths the Twilio webhooks are served on by default, below PublicURL.
const (
	DefaultSMSPath   = "/api/v1/loneworker/sms"
	DefaultVoicePath = "/api/v1/loneworker/voice"
)

// WebhookOptions configure SMSWebhook and VoiceWebhook.
type WebhookOptions struct {
	// PublicURL is the base URL Twilio is given, e.g.
	// "https://slawatch.example.org". Twilio signs PublicURL + Path
	// (+ ?query), so it must be exactly what Twilio was configured with.
	PublicURL string
	// AuthToken is the account's auth token, the key of X-Twilio-Signature.
	AuthToken secret.Secret
	// Path is the webhook's path below PublicURL; default DefaultSMSPath
	// or DefaultVoicePath.
	Path string
	// Logger; default the service's.
	Logger *slog.Logger
}

// Webhook is a Twilio webhook of the lone-worker number (SMS or voice).
// Requests without a valid X-Twilio-Signature get 403 and change nothing.
type Webhook struct {
	path   string
	verify *twilioapi.Verifier
	log    *slog.Logger
	serve  func(rw http.ResponseWriter, r *http.Request, form url.Values)
}

func (s *Service) newWebhook(o WebhookOptions, defPath, what string) (*Webhook, error) {
	if o.Path == "" {
		o.Path = defPath
	}
	if !strings.HasPrefix(o.Path, "/") || strings.ContainsAny(o.Path, "?#") {
		return nil, fmt.Errorf("loneworker: %s path %q must start with / and have no query", what, o.Path)
	}
	if o.Logger == nil {
		o.Logger = s.o.Logger
	}
	v, err := twilioapi.NewVerifier(o.PublicURL, o.AuthToken, o.Logger, what)
	if err != nil {
		return nil, fmt.Errorf("loneworker: %s: %w", what, err)
	}
	return &Webhook{path: o.Path, verify: v, log: o.Logger}, nil
}

// Path is the path the webhook expects to be mounted on.
func (w *Webhook) Path() string { return w.path }

// URL is the URL to configure on the Twilio number (its messaging or
// voice webhook, method POST).
func (w *Webhook) URL() string { return w.verify.URL(w.path) }

// ServeHTTP verifies the request against PublicURL + Path (whatever path
// it came in on) and answers it in TwiML.
func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if form, ok := w.verify.Read(rw, r, w.path); ok {
		w.serve(rw, r, form)
	}
}

// groupAlias is the short name of a staff group id: the initials of a
// multi-word id (anti_social_behaviour: asb), else "".
func groupAlias(id string) string {
	parts := strings.FieldsFunc(id, func(r rune) bool { return r == '_' || r == '-' })
	if len(parts) < 2 {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte(p[0])
	}
	return strings.ToLower(b.String())
}

// resolveGroup finds the officer's staff group named word: its id, its
// alias (groupAlias) or a unique prefix of its id (underscores optional).
func resolveGroup(word string, groups []string) (string, bool) {
	w := strings.ToLower(word)
	if w == "" {
		return "", false
	}
	squash := func(s string) string { return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s)) }
	for _, g := range groups {
		if w == strings.ToLower(g) || w == groupAlias(g) {
			return g, true
		}
	}
	var match []string
	for _, g := range groups {
		if sw := squash(w); sw != "" && strings.HasPrefix(squash(g), sw) {
			match = append(match, g)
		}
	}
	if len(match) == 1 {
		return match[0], true
	}
	return "", false
}

// groupList names groups for a reply: "enforcement, anti_social_behaviour (asb)".
func groupList(groups []string) string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g
		if a := groupAlias(g); a != "" {
			out[i] += " (" + a + ")"
		}
	}
	return strings.Join(out, ", ")
}

// catalogue is the catalogue in force, for a webhook.
func (s *Service) catalogue(ctx context.Context) (*catalog.Catalog, error) {
	cat, err := s.o.Catalog(ctx)
	if err == nil && cat == nil {
		err = errors.New("no catalogue loaded")
	}
	return cat, err
}
