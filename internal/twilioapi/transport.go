package twilioapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Transport carries one attempt's ctx into twilio-go's requests (which it
// builds with context.Background), sends them to Base instead of
// api.twilio.com (Base's path, if any, is put before twilio-go's), and
// records what came back in Answer. One Transport serves one attempt.
type Transport struct {
	Ctx  context.Context
	Next http.RoundTripper
	Base *url.URL
	// Answer is what the last response said; zero until one came.
	Answer Answer
}

// Answer is what the transport saw of Twilio's answer.
type Answer struct {
	Status     int           // HTTP status, 0 when no answer
	RetryAfter time.Duration // a 429's or 503's Retry-After in seconds
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(t.Ctx)
	r.URL.Scheme = t.Base.Scheme
	r.URL.Host = t.Base.Host
	if p := strings.TrimSuffix(t.Base.Path, "/"); p != "" {
		r.URL.Path = p + r.URL.Path
		r.URL.RawPath = ""
	}
	r.Host = ""
	resp, err := t.Next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	t.Answer.Status = resp.StatusCode
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		t.Answer.RetryAfter = time.Duration(s) * time.Second
	}
	return resp, nil
}
