package sms

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/sms/twiliofake"
)

const publicURL = "https://slawatch.example.org"

var clock = time.Date(2026, 7, 14, 1, 20, 0, 0, time.UTC)

// toLoopback is a TLS-terminating proxy in miniature: whatever the URL,
// the request goes to the webhook server, path and query kept.
type toLoopback struct{ target *url.URL }

func (p toLoopback) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = p.target.Scheme, p.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

// rig is Twilio's fake, a Sender on it and the Webhooks served behind a
// "proxy" at publicURL, as in production.
type rig struct {
	fake   *twiliofake.Server
	sender *Sender
	hooks  *Webhooks
	resp   *fakeResponder
	web    *httptest.Server
	log    *bytes.Buffer // the webhooks' log
}

func newRig(t *testing.T, token string) *rig {
	t.Helper()
	rg := &rig{resp: &fakeResponder{}, log: &bytes.Buffer{}}
	var err error
	rg.hooks, err = NewWebhooks(WebhookOptions{
		AuthToken: NewSecret(twiliofake.DefaultAuthToken), PublicURL: publicURL + "/",
		Responder: rg.resp, Now: func() time.Time { return clock },
		Logger: slog.New(slog.NewTextHandler(rg.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	rg.web = httptest.NewServer(rg.hooks)
	t.Cleanup(rg.web.Close)
	target, _ := url.Parse(rg.web.URL)
	rg.fake = twiliofake.New(twiliofake.Config{AuthToken: token, Client: &http.Client{Transport: toLoopback{target}}})
	t.Cleanup(rg.fake.Close)
	rg.sender, _ = newSender(t, rg.fake, func(o *Options) { o.StatusCallbackURL = rg.hooks.StatusCallbackURL() })
	return rg
}

func (rg *rig) send(t *testing.T, phone string) string {
	t.Helper()
	r, _, err := rg.sender.Send(context.Background(), pageTo(phone))
	if err != nil {
		t.Fatal(err)
	}
	return r.Ref
}

func TestWebhookURLs(t *testing.T) {
	rg := newRig(t, "")
	if got := rg.hooks.StatusCallbackURL(); got != publicURL+"/api/v1/twilio/status" {
		t.Errorf("StatusCallbackURL = %q", got)
	}
	if got := rg.hooks.InboundURL(); got != publicURL+"/api/v1/twilio/sms" {
		t.Errorf("InboundURL = %q", got)
	}
}

func TestStatusCallbacks(t *testing.T) {
	tests := []struct {
		name     string
		delivery twiliofake.Delivery
		want     []string
		detail   string
	}{
		{"delivered", twiliofake.Delivery{}, []string{"queued", "sent", "delivered"}, ""},
		{"out of order", twiliofake.Delivery{OutOfOrder: true}, []string{"queued", "delivered", "sent"}, ""},
		{"undelivered", twiliofake.Delivery{Outcome: twiliofake.Undeliver, ErrorCode: 30003},
			[]string{"queued", "sent", "undelivered"}, "ErrorCode 30003 (unreachable destination handset)"},
		{"failed", twiliofake.Delivery{Outcome: twiliofake.Fail, ErrorCode: 30006},
			[]string{"queued", "failed"}, "ErrorCode 30006 (landline or unreachable carrier)"},
		{"silent", twiliofake.Delivery{Outcome: twiliofake.Silent}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rg := newRig(t, "")
			rg.fake.SetDelivery(annPhone, tc.delivery)
			sid := rg.send(t, annPhone)
			cbs, err := rg.fake.Flush(context.Background())
			if err != nil {
				t.Fatalf("Flush: %v", err)
			}
			for _, cb := range cbs {
				if cb.HTTPStatus != http.StatusNoContent {
					t.Errorf("callback %+v answered %d, want 204", cb, cb.HTTPStatus)
				}
			}
			if got := rg.resp.statuses(); !slices.Equal(got, tc.want) {
				t.Fatalf("Responder got statuses %v, want %v", got, tc.want)
			}
			for i, r := range rg.resp.receipts {
				last := i == len(rg.resp.receipts)-1
				want := receiptCall{channel: alerting.ChannelSMS, ref: sid, status: tc.want[i], at: clock}
				if last {
					want.detail = tc.detail
				}
				if r != want {
					t.Errorf("receipt %d = %+v, want %+v", i, r, want)
				}
			}
		})
	}
}

// Callbacks reach the Responder one at a time, as the test steps them.
func TestStatusCallbacksStepped(t *testing.T) {
	rg := newRig(t, "")
	a := rg.send(t, annPhone)
	b := rg.send(t, "+447700900456")
	if n := rg.fake.Pending(); n != 6 {
		t.Fatalf("Pending = %d, want 6", n)
	}
	if rg.resp.calls() != 0 {
		t.Fatalf("Responder called before any step")
	}
	cb, ok, err := rg.fake.Step(context.Background())
	if !ok || err != nil || cb.SID != a || cb.Status != "queued" {
		t.Fatalf("Step = %+v, %v, %v", cb, ok, err)
	}
	if got := rg.resp.statuses(); !slices.Equal(got, []string{"queued"}) {
		t.Fatalf("after one step: %v", got)
	}
	rg.fake.Flush(context.Background())
	var refs []string
	for _, r := range rg.resp.receipts {
		refs = append(refs, r.ref)
	}
	if !slices.Equal(refs, []string{a, a, a, b, b, b}) {
		t.Errorf("receipts for %v", refs)
	}
	if m := rg.fake.Messages(); m[0].Status != "delivered" || m[1].Status != "delivered" {
		t.Errorf("fake's messages end %s, %s", m[0].Status, m[1].Status)
	}
}

func TestStatusCallbackResponderError(t *testing.T) {
	rg := newRig(t, "")
	rg.resp.receiptErr = errors.New("store down")
	rg.send(t, annPhone)
	cb, _, err := rg.fake.Step(context.Background())
	if err == nil || cb.HTTPStatus != http.StatusInternalServerError {
		t.Errorf("Step = %+v, %v; want 500", cb, err)
	}
}

// Signed with another token: 403 and the Responder hears nothing.
func TestBadSignature(t *testing.T) {
	rg := newRig(t, "anothertoken0123456789abcdef0123")
	rg.fake.SetDelivery(annPhone, twiliofake.Delivery{})
	// The fake authenticates the sender with its own token.
	s, _ := newSender(t, rg.fake, func(o *Options) { o.StatusCallbackURL = rg.hooks.StatusCallbackURL() })
	if _, _, err := s.Send(context.Background(), pageTo(annPhone)); err != nil {
		t.Fatal(err)
	}
	cbs, err := rg.fake.Flush(context.Background())
	if err == nil || len(cbs) != 3 {
		t.Fatalf("Flush = %+v, %v; want 3 refused callbacks", cbs, err)
	}
	for _, cb := range cbs {
		if cb.HTTPStatus != http.StatusForbidden {
			t.Errorf("callback %+v answered %d, want 403", cb, cb.HTTPStatus)
		}
	}
	code, _, err := rg.fake.SendInbound(context.Background(), rg.hooks.InboundURL(), annPhone, "12A")
	if err != nil || code != http.StatusForbidden {
		t.Errorf("inbound answered %d, %v; want 403", code, err)
	}
	if rg.resp.calls() != 0 {
		t.Errorf("Responder was called %d times", rg.resp.calls())
	}
}

func TestSignatureChecks(t *testing.T) {
	rg := newRig(t, "")
	form := url.Values{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "MessageStatus": {"delivered"}}
	post := func(target, sig string, form url.Values) int {
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sig != "" {
			req.Header.Set("X-Twilio-Signature", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tok := twiliofake.DefaultAuthToken
	status := rg.web.URL + DefaultStatusPath
	public := publicURL + DefaultStatusPath
	tampered := url.Values{"MessageSid": form["MessageSid"], "MessageStatus": {"failed"}}
	tests := []struct {
		name   string
		target string
		sig    string
		form   url.Values
		want   int
	}{
		{"valid for the public URL", status, twiliofake.Signature(tok, public, form), form, 204},
		{"missing", status, "", form, 403},
		{"garbage", status, "bm90IGEgc2lnbmF0dXJl", form, 403},
		// Signed for the URL as the server sees it, not as Twilio was given it.
		{"signed for the loopback URL", status, twiliofake.Signature(tok, status, form), form, 403},
		{"body changed after signing", status, twiliofake.Signature(tok, public, form), tampered, 403},
		{"query signed", status + "?page=7", twiliofake.Signature(tok, public+"?page=7", form), form, 204},
		{"query not signed", status + "?page=7", twiliofake.Signature(tok, public, form), form, 403},
	}
	for _, tc := range tests {
		if got := post(tc.target, tc.sig, tc.form); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if n := len(rg.resp.receipts); n != 2 {
		t.Errorf("Responder got %d receipts, want 2 (the valid ones)", n)
	}
	for _, r := range rg.resp.receipts {
		if r.status != "delivered" {
			t.Errorf("receipt %+v: a tampered status got through", r)
		}
	}
	// Wrong method, unknown path.
	if resp, _ := http.Get(status); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	if got := post(rg.web.URL+"/elsewhere", twiliofake.Signature(tok, publicURL+"/elsewhere", form), form); got != 404 {
		t.Errorf("unknown path: %d, want 404", got)
	}
}

// twimlMessage is the reply in a TwiML response, and whether it has one.
func twimlMessage(t *testing.T, body string) (string, bool) {
	t.Helper()
	var r struct {
		XMLName xml.Name `xml:"Response"`
		Message []string `xml:"Message"`
	}
	if err := xml.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("TwiML %q: %v", body, err)
	}
	if len(r.Message) > 1 {
		t.Fatalf("TwiML %q: %d messages", body, len(r.Message))
	}
	if len(r.Message) == 0 {
		return "", false
	}
	return r.Message[0], true
}

func TestInbound(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		ackReply string
		ackErr   error
		acks     []ackCall
		optOuts  []optOutCall
		reply    string // "" for no <Message>
	}{
		{name: "stop", body: "STOP", optOuts: []optOutCall{{"sms", annPhone, true}}},
		{name: "unsubscribe", body: " unsubscribe ", optOuts: []optOutCall{{"sms", annPhone, true}}},
		{name: "start", body: "Start", optOuts: []optOutCall{{"sms", annPhone, false}}},
		{name: "ack", body: "ack #12a", ackReply: "Thanks: #12 is yours <rbkc> & acked",
			acks: []ackCall{{"sms", annPhone, "12A"}}, reply: "Thanks: #12 is yours <rbkc> & acked"},
		{name: "ack fails", body: "12A", ackErr: errors.New("store down"),
			acks: []ackCall{{"sms", annPhone, "12A"}}, reply: AckErrorReply},
		{name: "help", body: "what is this?", reply: HelpReply},
		{name: "empty", body: "", reply: HelpReply},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rg := newRig(t, "")
			rg.resp.ackReply, rg.resp.ackErr = tc.ackReply, tc.ackErr
			code, body, err := rg.fake.SendInbound(context.Background(), rg.hooks.InboundURL(), annPhone, tc.body)
			if err != nil || code != http.StatusOK {
				t.Fatalf("inbound answered %d, %v: %s", code, err, body)
			}
			if strings.Contains(tc.reply, "<") && !strings.Contains(body, "&lt;rbkc&gt; &amp; acked") {
				t.Errorf("reply not XML-escaped: %s", body)
			}
			msg, has := twimlMessage(t, body)
			if msg != tc.reply || has != (tc.reply != "") {
				t.Errorf("TwiML reply %q (present %v), want %q in %s", msg, has, tc.reply, body)
			}
			if !slices.Equal(rg.resp.acks, tc.acks) || !slices.Equal(rg.resp.optOuts, tc.optOuts) {
				t.Errorf("Responder got acks %+v, opt-outs %+v; want %+v, %+v", rg.resp.acks, rg.resp.optOuts, tc.acks, tc.optOuts)
			}
			if rg.log.Len() == 0 {
				t.Errorf("nothing logged")
			}
			noLeak(t, "log", rg.log.String(), annPhone, twiliofake.DefaultAuthToken)
		})
	}
}

// With Advanced Opt-Out, Twilio's OptOutType decides, whatever the words.
func TestInboundOptOutType(t *testing.T) {
	rg := newRig(t, "")
	form := url.Values{"From": {annPhone}, "Body": {"arrêt"}, "OptOutType": {"STOP"}}
	code, _, err := twiliofake.PostSigned(context.Background(), &http.Client{Transport: toLoopback{mustURL(rg.web.URL)}},
		twiliofake.DefaultAuthToken, rg.hooks.InboundURL(), form)
	if err != nil || code != http.StatusOK {
		t.Fatalf("answered %d, %v", code, err)
	}
	if want := []optOutCall{{"sms", annPhone, true}}; !slices.Equal(rg.resp.optOuts, want) {
		t.Errorf("opt-outs %+v, want %+v", rg.resp.optOuts, want)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestNewWebhooksErrors(t *testing.T) {
	ok := WebhookOptions{AuthToken: NewSecret("tok"), PublicURL: publicURL, Responder: &fakeResponder{}}
	tests := []struct {
		edit func(*WebhookOptions)
		want string
	}{
		{func(o *WebhookOptions) { o.AuthToken = Secret{} }, "need AuthToken"},
		{func(o *WebhookOptions) { o.Responder = nil }, "need a Responder"},
		{func(o *WebhookOptions) { o.PublicURL = "" }, `PublicURL "" must be the absolute http(s) base URL`},
		{func(o *WebhookOptions) { o.PublicURL = "slawatch.example.org" }, "must be the absolute"},
		{func(o *WebhookOptions) { o.PublicURL = publicURL + "?x=1" }, "must be the absolute"},
		{func(o *WebhookOptions) { o.StatusPath = "status" }, `path "status" must start with /`},
		{func(o *WebhookOptions) { o.StatusPath = DefaultInboundPath }, "they must differ"},
	}
	for _, tc := range tests {
		o := ok
		tc.edit(&o)
		if _, err := NewWebhooks(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewWebhooks = %v, want %q", err, tc.want)
		}
	}
}
