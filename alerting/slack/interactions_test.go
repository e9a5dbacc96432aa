package slack_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/slack"
	"github.com/slawatch/slawatch/alerting/slack/slackfake"
)

type interactionFixture struct {
	*fixture
	h    *slack.Interactions
	resp *responder
	ref  string // the page's channel/ts
}

// newInteractionFixture posts the page and builds the handler.
func newInteractionFixture(t *testing.T, out alerting.Outcome, actErr error) *interactionFixture {
	t.Helper()
	f := newFixture(t)
	r, _, err := f.send(t, page())
	if err != nil {
		t.Fatal(err)
	}
	resp := &responder{out: out, err: actErr}
	h, err := slack.NewInteractions(slack.InteractionsOptions{
		SigningSecret: slack.NewSecret(signSecret), Responder: resp, Sender: f.sender,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &interactionFixture{fixture: f, h: h, resp: resp, ref: r.Ref}
}

// press presses actionID on the page as member, signed with secret at at.
func (f *interactionFixture) press(t *testing.T, actionID, secret string, at time.Time) *httptest.ResponseRecorder {
	t.Helper()
	channel, ts, _ := strings.Cut(f.ref, "/")
	payload, err := f.fake.Press(channel, ts, actionID, member)
	if err != nil {
		t.Fatal(err)
	}
	return f.post(t, payload, secret, at)
}

func (f *interactionFixture) post(t *testing.T, payload, secret string, at time.Time) *httptest.ResponseRecorder {
	t.Helper()
	req, err := slackfake.NewCallbackRequest(context.Background(), "http://notifier/api/v1/slack/interactions", secret, at, payload)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	f.h.Wait()
	return w
}

func (f *interactionFixture) current(t *testing.T) slackfake.Message {
	t.Helper()
	channel, ts, _ := strings.Cut(f.ref, "/")
	m, ok := f.fake.Message(channel, ts)
	if !ok {
		t.Fatalf("no message %s", f.ref)
	}
	return m
}

func TestAcknowledgeButton(t *testing.T) {
	f := newInteractionFixture(t, alerting.Outcome{IncidentID: 12, Ref: "12", Status: "acknowledged", AckedBy: member,
		Text: "Acknowledged by <@" + member + "> at 02:10"}, nil)
	w := f.press(t, "ack", signSecret, now.Add(-30*time.Second))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d %q; want 200", w.Code, w.Body)
	}
	want := []actCall{{12, alerting.ActionAcknowledge, alerting.ChannelSlack, member}}
	if got := f.resp.Calls(); len(got) != 1 || got[0] != want[0] {
		t.Errorf("Act calls = %+v; want %+v", got, want)
	}
	cur := f.current(t)
	if cur.Method != "chat.update" || len(buttonsOf(t, cur)) != 0 {
		t.Errorf("message after ack: %s %s; want updated without buttons", cur.Method, cur.Blocks)
	}
	text := shown(t, cur)
	if !strings.Contains(text, "Acknowledged by <@"+member+"> at 02:10") || !strings.Contains(text, "*Ref*\n12") {
		t.Errorf("updated message lacks the outcome or the details:\n%s", text)
	}
}

func TestEscalateButtonKeepsButtonsWhileFiring(t *testing.T) {
	f := newInteractionFixture(t, alerting.Outcome{IncidentID: 12, Status: "firing", Text: "Escalated to the duty manager"}, nil)
	if w := f.press(t, "escalate", signSecret, now); w.Code != http.StatusOK {
		t.Fatalf("status %d %q", w.Code, w.Body)
	}
	if got := f.resp.Calls(); len(got) != 1 || got[0].Action != alerting.ActionEscalate || got[0].IncidentID != 12 {
		t.Errorf("Act calls = %+v; want escalate of 12", got)
	}
	cur := f.current(t)
	if b := buttonsOf(t, cur); len(b) != 2 || !strings.Contains(shown(t, cur), "Escalated to the duty manager") {
		t.Errorf("after escalation: buttons %+v, text:\n%s", b, shown(t, cur))
	}
	// A second press still finds the buttons, as Slack would.
	if w := f.press(t, "ack", signSecret, now); w.Code != http.StatusOK {
		t.Fatalf("second press: %d", w.Code)
	}
}

func TestFailedActTellsOnlyThePresser(t *testing.T) {
	f := newInteractionFixture(t, alerting.Outcome{}, errors.New("store: database is locked"))
	if w := f.press(t, "ack", signSecret, now); w.Code != http.StatusOK {
		t.Fatalf("status %d; want 200 so Slack shows our message, not its own error", w.Code)
	}
	var eph []slackfake.Message
	for _, m := range f.fake.Messages() {
		if m.Method == "chat.postEphemeral" {
			eph = append(eph, m)
		}
	}
	if len(eph) != 1 || eph[0].User != member || !strings.Contains(eph[0].Text, "Could not acknowledge incident 12") {
		t.Errorf("ephemeral messages = %+v; want one to the presser saying it failed", eph)
	}
	if f.fake.Calls("chat.update") != 0 || len(buttonsOf(t, f.current(t))) != 2 {
		t.Error("the page was changed although nothing was acknowledged")
	}
}

func TestRefusedCallbacksDoNotAct(t *testing.T) {
	for _, tc := range []struct {
		name   string
		do     func(t *testing.T, f *interactionFixture) *httptest.ResponseRecorder
		status int
		body   string
	}{
		{"wrong secret", func(t *testing.T, f *interactionFixture) *httptest.ResponseRecorder {
			return f.press(t, "ack", "not-the-secret", now)
		}, 401, "does not match"},
		{"stale timestamp", func(t *testing.T, f *interactionFixture) *httptest.ResponseRecorder {
			return f.press(t, "ack", signSecret, now.Add(-6*time.Minute))
		}, 401, "6m0s from now"},
		{"future timestamp", func(t *testing.T, f *interactionFixture) *httptest.ResponseRecorder {
			return f.press(t, "ack", signSecret, now.Add(6*time.Minute))
		}, 401, "more than 5m0s old"},
		{"no signature", func(t *testing.T, f *interactionFixture) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(slackfake.CallbackBody(`{"type":"block_actions"}`)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, req)
			return w
		}, 401, "missing X-Slack-Signature"},
		{"body changed after signing", func(t *testing.T, f *interactionFixture) *httptest.ResponseRecorder {
			body := slackfake.CallbackBody(`{"type":"block_actions"}`)
			ts, sig := slackfake.Sign(signSecret, now, body)
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(append(body, 'x')))
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sig)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, req)
			return w
		}, 401, "does not match"},
		{"GET", func(t *testing.T, f *interactionFixture) *httptest.ResponseRecorder {
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			return w
		}, 405, "use POST"},
		{"body over 1 MiB", func(t *testing.T, f *interactionFixture) *httptest.ResponseRecorder {
			return f.post(t, strings.Repeat("x", slack.MaxBodyBytes), signSecret, now)
		}, 413, "body over 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newInteractionFixture(t, alerting.Outcome{Status: "acknowledged", Text: "ok"}, nil)
			w := tc.do(t, f)
			f.h.Wait()
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("got %d %q; want %d with %q", w.Code, w.Body, tc.status, tc.body)
			}
			if n := len(f.resp.Calls()); n != 0 {
				t.Errorf("Act called %d times", n)
			}
			if f.fake.Calls("chat.update")+f.fake.Calls("chat.postEphemeral") != 0 {
				t.Error("Slack was called back")
			}
		})
	}
}

func TestMalformedPayloadsAre400(t *testing.T) {
	f := newInteractionFixture(t, alerting.Outcome{Status: "acknowledged"}, nil)
	for _, tc := range []struct{ payload, want string }{
		{``, `missing form field "payload"`},
		{`{"type":`, "payload is not an interaction JSON object"},
		{`{"type":"view_submission","user":{"id":"U1"}}`, `interaction type "view_submission"`},
		{`{"type":"block_actions","user":{"id":"U1"},"actions":[{"block_id":"incident_actions","action_id":"snooze","value":"12","type":"button"}]}`, `no action with action_id "ack" or "escalate"`},
		{`{"type":"block_actions","user":{"id":"U1"},"actions":[{"block_id":"incident_actions","action_id":"ack","value":"twelve","type":"button"}]}`, `action value "twelve" is not an incident id`},
		{`{"type":"block_actions","user":{"id":"U1"},"actions":[{"block_id":"incident_actions","action_id":"ack","value":"-3","type":"button"}]}`, `action value "-3"`},
		{`{"type":"block_actions","actions":[{"block_id":"incident_actions","action_id":"ack","value":"12","type":"button"}]}`, "payload has no user.id"},
	} {
		w := f.post(t, tc.payload, signSecret, now)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("payload %q: got %d %q; want 400 with %q", tc.payload, w.Code, w.Body, tc.want)
		}
	}
	// Not form-encoded at all, though signed.
	body := []byte(`{"payload":"x"}`)
	ts, sig := slackfake.Sign(signSecret, now, body)
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "want application/x-www-form-urlencoded") {
		t.Errorf("JSON body: got %d %q", w.Code, w.Body)
	}
	if n := len(f.resp.Calls()); n != 0 {
		t.Errorf("Act called %d times", n)
	}
}

// TestOverHTTP presses a button through a real loopback server, as Slack
// (and the end-to-end test) does.
func TestOverHTTP(t *testing.T) {
	f := newInteractionFixture(t, alerting.Outcome{Status: "acknowledged", Text: "Acknowledged"}, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	channel, ts, _ := strings.Cut(f.ref, "/")
	payload, err := f.fake.Press(channel, ts, "ack", member)
	if err != nil {
		t.Fatal(err)
	}
	req, err := slackfake.NewCallbackRequest(context.Background(), srv.URL, signSecret, now, payload)
	if err != nil {
		t.Fatal(err)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	f.h.Wait()
	if res.StatusCode != 200 || len(f.resp.Calls()) != 1 || len(buttonsOf(t, f.current(t))) != 0 {
		t.Errorf("status %d, Act calls %d, buttons %d", res.StatusCode, len(f.resp.Calls()), len(buttonsOf(t, f.current(t))))
	}
}

// TestFakeSignsAsSlackGoVerifies checks slackfake.Sign against slack-go's
// own verifier, so the handler's check and Slack's scheme agree.
func TestFakeSignsAsSlackGoVerifies(t *testing.T) {
	body := slackfake.CallbackBody(`{"type":"block_actions"}`)
	ts, sig := slackfake.Sign(signSecret, time.Now(), body)
	h := http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {sig}}
	for _, tc := range []struct {
		secret string
		body   []byte
		ok     bool
	}{{signSecret, body, true}, {"other", body, false}, {signSecret, append(body, '!'), false}} {
		v, err := slackgo.NewSecretsVerifier(h, tc.secret)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = v.Write(tc.body)
		if err := v.Ensure(); (err == nil) != tc.ok {
			t.Errorf("slack-go Ensure = %v; want ok=%v", err, tc.ok)
		}
	}
}

func TestNewInteractionsChecksOptions(t *testing.T) {
	f := newFixture(t)
	good := slack.InteractionsOptions{SigningSecret: slack.NewSecret("s"), Responder: &responder{}, Sender: f.sender}
	for _, tc := range []struct {
		edit func(*slack.InteractionsOptions)
		want string
	}{
		{func(o *slack.InteractionsOptions) { o.SigningSecret = slack.Secret{} }, "SigningSecret is empty"},
		{func(o *slack.InteractionsOptions) { o.Responder = nil }, "Responder is nil"},
		{func(o *slack.InteractionsOptions) { o.Sender = nil }, "Sender is nil"},
		{func(o *slack.InteractionsOptions) { o.ActTimeout = -1 }, "ActTimeout is -1ns"},
	} {
		o := good
		tc.edit(&o)
		if _, err := slack.NewInteractions(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v; want %q", err, tc.want)
		}
	}
}
