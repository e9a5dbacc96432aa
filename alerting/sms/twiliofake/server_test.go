package twiliofake

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"
)

// The fake signs as Twilio does: twilio-go's own validator agrees.
func TestSignatureMatchesTwilioGo(t *testing.T) {
	v := client.NewRequestValidator(DefaultAuthToken)
	for _, u := range []string{
		"https://slawatch.example.org/api/v1/twilio/status",
		"https://slawatch.example.org/api/v1/twilio/status?page=7&x=%20y",
		"http://127.0.0.1:8080/sms",
	} {
		form := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}, "Body": {"ack 12a & <b>"}, "From": {"+447700900123"}}
		params := map[string]string{}
		for k, vs := range form {
			params[k] = vs[0]
		}
		sig := Signature(DefaultAuthToken, u, form)
		if !v.Validate(u, params, sig) {
			t.Errorf("twilio-go rejects the fake's signature for %s", u)
		}
		if v.Validate(u+"x", params, sig) {
			t.Errorf("twilio-go accepts the signature for another URL")
		}
		if Signature("other", u, form) == sig {
			t.Errorf("the signature does not depend on the token")
		}
	}
}

func post(t *testing.T, s *Server, user, pass string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/2010-04-01/Accounts/"+s.AccountSID()+"/Messages.json", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp.StatusCode, body
}

func TestCreateMessage(t *testing.T) {
	now := time.Date(2026, 7, 14, 1, 14, 5, 0, time.UTC)
	s := New(Config{Now: func() time.Time { return now }})
	defer s.Close()
	ok := url.Values{"To": {"+447700900123"}, "From": {"+447700900999"}, "Body": {"CRIT #12"}}
	tests := []struct {
		name       string
		user, pass string
		form       url.Values
		status     int
		code       float64
	}{
		{"no auth", "", "", ok, 401, 20003},
		{"wrong token", s.AccountSID(), "nope", ok, 401, 20003},
		{"no To", s.AccountSID(), s.AuthToken(), url.Values{"From": ok["From"], "Body": ok["Body"]}, 400, 21604},
		{"no From", s.AccountSID(), s.AuthToken(), url.Values{"To": ok["To"], "Body": ok["Body"]}, 400, 21603},
		{"no Body", s.AccountSID(), s.AuthToken(), url.Values{"To": ok["To"], "From": ok["From"]}, 400, 21602},
		{"not E.164", s.AccountSID(), s.AuthToken(), url.Values{"To": {"07700900123"}, "From": ok["From"], "Body": ok["Body"]}, 400, 21211},
		{"ok", s.AccountSID(), s.AuthToken(), ok, 201, 0},
	}
	for _, tc := range tests {
		status, body := post(t, s, tc.user, tc.pass, tc.form)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d: %v", tc.name, status, tc.status, body)
		}
		if tc.code != 0 && (body["code"] != tc.code || body["status"] != float64(tc.status) || body["more_info"] == nil) {
			t.Errorf("%s: error body %v, want code %v", tc.name, body, tc.code)
		}
		if tc.status == 201 {
			sid, _ := body["sid"].(string)
			if len(sid) != 34 || !strings.HasPrefix(sid, "SM") || body["status"] != "queued" ||
				body["to"] != "+447700900123" || body["date_created"] != "Tue, 14 Jul 2026 01:14:05 +0000" ||
				body["num_segments"] != "1" || body["direction"] != "outbound-api" || body["error_code"] != nil {
				t.Errorf("created: %v", body)
			}
		}
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("%d messages recorded, want 1", n)
	}
	s.OptOut("+447700900123")
	if status, body := post(t, s, s.AccountSID(), s.AuthToken(), ok); status != 400 || body["code"] != float64(21610) {
		t.Errorf("opted out: %d %v", status, body)
	}
	s.OptIn("+447700900123")
	if status, _ := post(t, s, s.AccountSID(), s.AuthToken(), ok); status != 201 {
		t.Errorf("opted in again: %d", status)
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		body string
		n    int
		enc  string
	}{
		{strings.Repeat("a", 160), 1, "GSM-7"},
		{strings.Repeat("a", 161), 2, "GSM-7"},
		{strings.Repeat("a", 159) + "€", 2, "GSM-7"},
		{strings.Repeat("é", 160), 1, "GSM-7"},
		{strings.Repeat("a", 70) + "☎", 2, "UCS-2"},
		{strings.Repeat("a", 69) + "☎", 1, "UCS-2"},
	}
	for _, tc := range tests {
		if n, enc := segments(tc.body); n != tc.n || enc != tc.enc {
			t.Errorf("segments(%d chars ending %q) = %d %s, want %d %s", len([]rune(tc.body)), tc.body[len(tc.body)-3:], n, enc, tc.n, tc.enc)
		}
	}
}

// A hanging fake lets go of its requests when closed.
func TestHangReleasedByClose(t *testing.T) {
	s := New(Config{})
	s.SetHang(true)
	done := make(chan error, 1)
	go func() {
		resp, err := http.Post(s.URL+"/x", "text/plain", nil)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	for s.Requests() == 0 {
		time.Sleep(time.Millisecond) // wait for the request to arrive, not a timing assertion
	}
	s.Close()
	<-done
}

func TestStepNothingPending(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	if _, ok, err := s.Step(context.Background()); ok || err != nil {
		t.Errorf("Step = %v, %v on an empty queue", ok, err)
	}
}
