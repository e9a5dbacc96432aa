package linetest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// twilioTransport carries one attempt's ctx into twilio-go's requests
// (which it builds with context.Background), sends them to base instead
// of api.twilio.com, and records what came back.
type twilioTransport struct {
	ctx  context.Context
	next http.RoundTripper
	base *url.URL
	res  twilioAnswer
}

// twilioAnswer is what the transport saw of Twilio's answer.
type twilioAnswer struct {
	Status     int           // HTTP status, 0 when no answer
	RetryAfter time.Duration // a 429's or 503's Retry-After in seconds
}

func (t *twilioTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(t.ctx)
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	if p := strings.TrimSuffix(t.base.Path, "/"); p != "" {
		r.URL.Path = p + r.URL.Path
		r.URL.RawPath = ""
	}
	r.Host = ""
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	t.res.Status = resp.StatusCode
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		t.res.RetryAfter = time.Duration(s) * time.Second
	}
	return resp, nil
}
