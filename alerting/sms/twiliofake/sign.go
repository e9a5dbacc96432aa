package twiliofake

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Signature is Twilio's X-Twilio-Signature of a POST to rawURL with
// form: base64 of HMAC-SHA1, keyed with the auth token, of the URL then
// each parameter's name and value, in name order.
func Signature(authToken, rawURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(rawURL)
	for _, k := range keys {
		for _, v := range form[k] {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// PostSigned posts form to rawURL as Twilio posts webhooks, signed with
// authToken, and returns the answer's status and body (at most 64 KiB).
func PostSigned(ctx context.Context, c *http.Client, authToken, rawURL string, form url.Values) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", fmt.Errorf("twiliofake: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set("X-Twilio-Signature", Signature(authToken, rawURL, form))
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("twiliofake: posting webhook: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(body), err
}

// SendInbound posts a signed inbound SMS from the number from with body
// to rawURL (the number's incoming-message webhook) and returns the
// webhook's status and TwiML.
func (s *Server) SendInbound(ctx context.Context, rawURL, from, body string) (int, string, error) {
	sid := newSID("SM")
	form := url.Values{
		"AccountSid":    {s.cfg.AccountSID},
		"ApiVersion":    {"2010-04-01"},
		"Body":          {body},
		"From":          {from},
		"MessageSid":    {sid},
		"NumMedia":      {"0"},
		"NumSegments":   {"1"},
		"SmsMessageSid": {sid},
		"SmsSid":        {sid},
		"SmsStatus":     {"received"},
		"To":            {s.cfg.Number},
	}
	return PostSigned(ctx, s.cfg.Client, s.cfg.AuthToken, rawURL, form)
}
