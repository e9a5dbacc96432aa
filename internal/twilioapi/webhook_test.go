package twilioapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
)

const publicURL = "https://slawatch.example.org/"

// sign is Twilio's X-Twilio-Signature of u and form, computed here from
// Twilio's documented scheme rather than by twilio-go's validator.
func sign(u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := u
	for _, k := range keys {
		s += k + form.Get(k)
	}
	m := hmac.New(sha1.New, []byte(testToken))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerifierRead(t *testing.T) {
	var log bytes.Buffer
	v, err := NewVerifier(publicURL, secretOf(testToken), slog.New(slog.NewTextHandler(&log, nil)), "test webhook")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.URL("/hook"); got != "https://slawatch.example.org/hook" {
		t.Errorf("URL = %q", got)
	}
	form := url.Values{"MessageSid": {"SM1"}, "From": {testPhone}}
	good := sign("https://slawatch.example.org/hook?t=1", form)
	tests := []struct {
		name, method, target, sig string
		body                      string
		want                      int
	}{
		{"signed over the public URL and query", "POST", "/mounted/elsewhere?t=1", good, form.Encode(), 0},
		{"query changed", "POST", "/hook?t=2", good, form.Encode(), 403},
		{"form changed", "POST", "/hook?t=1", good, form.Encode() + "&x=1", 403},
		{"no signature", "POST", "/hook?t=1", "", form.Encode(), 403},
		{"GET", "GET", "/hook?t=1", good, "", 405},
		{"too big", "POST", "/hook?t=1", good, "a=" + strings.Repeat("x", MaxForm), 400},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.sig != "" {
			r.Header.Set("X-Twilio-Signature", tc.sig)
		}
		rw := httptest.NewRecorder()
		got, ok := v.Read(rw, r, "/hook")
		switch {
		case tc.want == 0 && (!ok || got.Get("MessageSid") != "SM1" || rw.Code != http.StatusOK):
			t.Errorf("%s: Read = %v, %v (%d); want the form", tc.name, got, ok, rw.Code)
		case tc.want != 0 && (ok || rw.Code != tc.want):
			t.Errorf("%s: Read = %v (%d), want %d", tc.name, ok, rw.Code, tc.want)
		}
	}
	if !strings.Contains(log.String(), "test webhook with a missing or bad signature") || strings.Contains(log.String(), testPhone) {
		t.Errorf("log: %s", log.String())
	}
}

func TestNewVerifierErrors(t *testing.T) {
	for _, u := range []string{"", "slawatch.example.org", publicURL + "?x=1", "ftp://x.example"} {
		if _, err := NewVerifier(u, secretOf(testToken), nil, "w"); err == nil || !strings.Contains(err.Error(), "must be the absolute http(s) base URL") {
			t.Errorf("NewVerifier(%q) = %v", u, err)
		}
	}
	if _, err := NewVerifier(publicURL, secretOf(""), nil, "w"); err == nil || !strings.Contains(err.Error(), "AuthToken") {
		t.Errorf("NewVerifier without token = %v", err)
	}
}
