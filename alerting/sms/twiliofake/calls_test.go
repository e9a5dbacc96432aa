package twiliofake

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"
)

const (
	callTo   = "+442079460123"
	callFrom = "+447700900999"
)

func postCall(t *testing.T, s *Server, user, pass string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/2010-04-01/Accounts/"+s.AccountSID()+"/Calls.json", strings.NewReader(form.Encode()))
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

func TestCreateCall(t *testing.T) {
	now := time.Date(2026, 11, 22, 4, 0, 5, 0, time.UTC)
	s := New(Config{Now: func() time.Time { return now }})
	defer s.Close()
	ok := url.Values{"To": {callTo}, "From": {callFrom}, "Twiml": {"<Response><Hangup/></Response>"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range ok {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name       string
		user, pass string
		form       url.Values
		status     int
		code       float64
	}{
		{"no auth", "", "", ok, 401, 20003},
		{"wrong token", s.AccountSID(), "nope", ok, 401, 20003},
		{"no To", s.AccountSID(), s.AuthToken(), with("To", ""), 400, 21201},
		{"no From", s.AccountSID(), s.AuthToken(), with("From", ""), 400, 21213},
		{"no TwiML", s.AccountSID(), s.AuthToken(), with("Twiml", ""), 400, 21205},
		{"To not E.164", s.AccountSID(), s.AuthToken(), with("To", "02079460123"), 400, 21217},
		{"From not E.164", s.AccountSID(), s.AuthToken(), with("From", "caller"), 400, 21212},
		{"bad Timeout", s.AccountSID(), s.AuthToken(), with("Timeout", "soon"), 400, 21208},
		{"ok", s.AccountSID(), s.AuthToken(), ok, 201, 0},
	}
	for _, tc := range tests {
		status, body := postCall(t, s, tc.user, tc.pass, tc.form)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d: %v", tc.name, status, tc.status, body)
		}
		if tc.code != 0 && (body["code"] != tc.code || body["status"] != float64(tc.status) || body["more_info"] == nil) {
			t.Errorf("%s: error body %v, want code %v", tc.name, body, tc.code)
		}
		if tc.status == 201 {
			sid, _ := body["sid"].(string)
			if len(sid) != 34 || !strings.HasPrefix(sid, "CA") || body["status"] != "queued" ||
				body["to"] != callTo || body["from"] != callFrom || body["direction"] != "outbound-api" ||
				body["date_created"] != "Sun, 22 Nov 2026 04:00:05 +0000" || body["answered_by"] != nil ||
				body["uri"] != "/2010-04-01/Accounts/"+s.AccountSID()+"/Calls/"+sid+".json" {
				t.Errorf("created: %v", body)
			}
		}
	}
	calls := s.Calls()
	if len(calls) != 1 || calls[0].Timeout != 60 || calls[0].Status != "queued" {
		t.Errorf("calls recorded = %+v, want one, Timeout 60 by default", calls)
	}
	// Messages are still routed as before.
	if status, _ := post(t, s, s.AccountSID(), s.AuthToken(), url.Values{"To": {callTo}, "From": {callFrom}, "Body": {"x"}}); status != 201 {
		t.Errorf("a message after a call: %d", status)
	}
	if len(s.Messages()) != 1 || len(s.Calls()) != 1 {
		t.Errorf("%d messages, %d calls; want 1 and 1", len(s.Messages()), len(s.Calls()))
	}
}

// sink is a webhook receiver that checks signatures with twilio-go.
type sink struct {
	mu    sync.Mutex
	forms []url.Values
	srv   *httptest.Server
}

func newSink(t *testing.T) *sink {
	k := &sink{}
	v := client.NewRequestValidator(DefaultAuthToken)
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		params := map[string]string{}
		for key, vs := range r.PostForm {
			params[key] = vs[0]
		}
		if !v.Validate(k.srv.URL+r.URL.RequestURI(), params, r.Header.Get("X-Twilio-Signature")) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		k.mu.Lock()
		k.forms = append(k.forms, r.PostForm)
		k.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(k.srv.Close)
	return k
}

func (k *sink) statuses() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, f := range k.forms {
		out = append(out, f.Get("CallStatus"))
	}
	return strings.Join(out, ",")
}

func TestCallCallbacks(t *testing.T) {
	all := []string{"initiated", "ringing", "answered", "completed"}
	tests := []struct {
		name     string
		line     Line
		events   []string
		amd      string
		want     string // callbacks posted
		answered bool
	}{
		{"answer", Line{}, all, "Enable", "initiated,ringing,in-progress,completed", true},
		{"answer, final only", Line{}, nil, "", "completed", true},
		{"busy", Line{Outcome: CallBusy}, all, "", "initiated,busy", false},
		{"no answer", Line{Outcome: CallNoAnswer}, all, "", "initiated,ringing,no-answer", false},
		{"fail", Line{Outcome: CallFail}, all, "", "initiated,failed", false},
		{"slow", Line{Outcome: CallSlow, Rings: 2}, all, "", "initiated,ringing,ringing,in-progress,completed", true},
		{"out of order", Line{OutOfOrder: true}, all, "Enable", "initiated,ringing,completed,in-progress", true},
		{"silent", Line{Outcome: CallSilent}, all, "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Config{})
			defer s.Close()
			k := newSink(t)
			s.SetLine(callTo, tc.line)
			var answered []string
			s.OnAnswer(func(to string) { answered = append(answered, to) })
			form := url.Values{"To": {callTo}, "From": {callFrom}, "Twiml": {"<Response/>"},
				"StatusCallback": {k.srv.URL + "/cb?dial=1"}, "StatusCallbackEvent": tc.events}
			if tc.amd != "" {
				form.Set("MachineDetection", tc.amd)
			}
			if status, body := postCall(t, s, s.AccountSID(), s.AuthToken(), form); status != 201 {
				t.Fatalf("create: %d %v", status, body)
			}
			if _, err := s.FlushCalls(context.Background()); err != nil {
				t.Fatalf("FlushCalls: %v", err)
			}
			if got := k.statuses(); got != tc.want {
				t.Errorf("callbacks %q, want %q", got, tc.want)
			}
			if (len(answered) == 1) != tc.answered || len(answered) > 1 {
				t.Errorf("OnAnswer saw %v, answered %v", answered, tc.answered)
			}
			c := s.Calls()[0]
			if c.Answered != tc.answered {
				t.Errorf("call = %+v", c)
			}
			k.mu.Lock()
			defer k.mu.Unlock()
			for _, f := range k.forms {
				if f.Get("CallSid") != c.SID || f.Get("To") != callTo || f.Get("From") != callFrom || f.Get("AccountSid") != DefaultAccountSID {
					t.Errorf("callback form %v", f)
				}
				st := f.Get("CallStatus")
				if isFinal(st) && f.Get("CallDuration") == "" {
					t.Errorf("final callback without CallDuration: %v", f)
				}
				if (st == "completed" || st == "in-progress") && (f.Get("AnsweredBy") == "human") != (tc.amd != "") {
					t.Errorf("AnsweredBy %q with MachineDetection %q", f.Get("AnsweredBy"), tc.amd)
				}
			}
			if tc.line.Outcome != CallSilent && s.Calls()[0].Status == "queued" {
				t.Errorf("status not applied: %+v", s.Calls()[0])
			}
		})
	}
}

// A callback whose receiver refuses it is an error; the status is
// applied all the same.
func TestCallCallbackRefused(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer refuse.Close()
	s.SetLine(callTo, Line{Outcome: CallBusy})
	postCall(t, s, s.AccountSID(), s.AuthToken(), url.Values{"To": {callTo}, "From": {callFrom}, "Url": {"https://example.org/twiml"}, "StatusCallback": {refuse.URL}})
	if n := s.PendingCalls(); n != 2 {
		t.Fatalf("PendingCalls = %d, want 2", n)
	}
	cb, ok, err := s.StepCall(context.Background())
	if !ok || err != nil || cb.URL != "" || cb.Status != "initiated" {
		t.Errorf("initiated (not asked for): %+v %v %v", cb, ok, err)
	}
	cb, ok, err = s.StepCall(context.Background())
	if !ok || err == nil || cb.HTTPStatus != 403 || cb.Status != "busy" {
		t.Errorf("busy: %+v %v %v", cb, ok, err)
	}
	if st := s.Calls()[0].Status; st != "busy" {
		t.Errorf("status %q, want busy", st)
	}
	if _, ok, _ := s.StepCall(context.Background()); ok {
		t.Errorf("StepCall on an empty queue")
	}
}

func TestWaitForCalls(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.WaitForCalls(ctx, 1); err == nil {
		t.Errorf("WaitForCalls on an ended ctx with no call = nil")
	}
	done := make(chan []Call, 1)
	go func() {
		calls, _ := s.WaitForCalls(context.Background(), 1)
		done <- calls
	}()
	postCall(t, s, s.AccountSID(), s.AuthToken(), url.Values{"To": {callTo}, "From": {callFrom}, "Twiml": {"<Response/>"}})
	if calls := <-done; len(calls) != 1 || calls[0].To != callTo {
		t.Errorf("WaitForCalls = %+v", calls)
	}
}
