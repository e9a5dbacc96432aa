package twilioapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/twilio/twilio-go/client"

	"github.com/slawatch/slawatch/internal/secret"
)

// MaxForm bounds a webhook's body; Twilio's are about a kilobyte.
const MaxForm = 64 << 10

// Verifier reads Twilio's webhooks (status callbacks, inbound messages)
// and checks their X-Twilio-Signature against the public URL Twilio was
// given: behind a proxy the request's own URL differs, and Twilio signs
// PublicURL + path (+ ?query). It is safe for concurrent use.
type Verifier struct {
	public    string
	validator client.RequestValidator
	log       *slog.Logger
	what      string
}

// NewVerifier checks publicURL (the absolute http(s) base URL Twilio is
// given, no query) and returns a Verifier keyed by authToken. Rejected
// requests are logged to log (nil: no log) as what ("twilio webhook",
// "line-test callback") with a missing or bad signature.
func NewVerifier(publicURL string, authToken secret.Secret, log *slog.Logger, what string) (*Verifier, error) {
	if authToken.IsZero() {
		return nil, errors.New("AuthToken, the Twilio auth token that signs the webhooks, is required")
	}
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("PublicURL %q must be the absolute http(s) base URL Twilio is given, such as https://slawatch.example.org", publicURL)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Verifier{
		public:    strings.TrimSuffix(publicURL, "/"),
		validator: client.NewRequestValidator(authToken.Reveal()),
		log:       log,
		what:      what,
	}, nil
}

// URL is the public URL of path, the one to give Twilio.
func (v *Verifier) URL(path string) string { return v.public + path }

// Read reads r's form and checks X-Twilio-Signature over URL(path) and
// r's query, whatever path r came in on. When it fails it has answered
// itself, 405 (not POST), 400 (not a form of at most MaxForm bytes) or
// 403 (signature missing or bad), and returns false.
func (v *Verifier) Read(rw http.ResponseWriter, r *http.Request, path string) (url.Values, bool) {
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		http.Error(rw, "Twilio webhooks are POST", http.StatusMethodNotAllowed)
		return nil, false
	}
	r.Body = http.MaxBytesReader(rw, r.Body, MaxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(rw, "want an application/x-www-form-urlencoded body of at most 64 KiB", http.StatusBadRequest)
		return nil, false
	}
	signed := v.URL(path)
	if r.URL.RawQuery != "" {
		signed += "?" + r.URL.RawQuery
	}
	params := make(map[string]string, len(r.PostForm))
	for k, vals := range r.PostForm {
		params[k] = vals[0]
	}
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" || !v.validator.Validate(signed, params, sig) {
		v.log.LogAttrs(r.Context(), slog.LevelWarn, v.what+" with a missing or bad signature",
			slog.String("path", path), slog.Bool("signature_present", sig != ""))
		http.Error(rw, "X-Twilio-Signature missing or not valid for this URL", http.StatusForbidden)
		return nil, false
	}
	return r.PostForm, true
}
