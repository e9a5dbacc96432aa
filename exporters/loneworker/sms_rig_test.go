package loneworker

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/alerting/sms/twiliofake"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/secret"
	"github.com/slawatch/slawatch/internal/syncbuf"
	"github.com/slawatch/slawatch/store"
)

const (
	hookToken  = "twilio-auth-token-0f9e"
	hookPublic = "https://slawatch.example.org" // what Twilio is given; the test server is behind it
	lineNumber = "+442079460000"                // the lone-worker number
	// Officers' numbers in examples/london-ooh.yaml.
	telASB1    = "+447700900411" // haringey-asb-1: anti_social_behaviour (45 min, max 90, no extension)
	telASB2    = "+447700900412" // haringey-asb-2
	telEO1     = "+447700900401" // haringey-eo-1: enforcement then anti_social_behaviour; PIN 246810
	telEO2     = "+447700900402" // haringey-eo-2: enforcement (60 min, max 120, 2 extensions)
	telStrange = "+447700900999" // nobody's
)

// hookRig is the SMS and voice webhooks of a service without a pager on a
// temp SQLite store, on a loopback server standing behind hookPublic.
type hookRig struct {
	t          *testing.T
	ctx        context.Context
	clock      *clock
	st         *store.Store
	cat        *catalog.Catalog
	svc        *Service
	srv        *httptest.Server
	logs       *syncbuf.Buffer
	sms, voice *Webhook
}

func newHookRig(t *testing.T) *hookRig {
	t.Helper()
	ctx := context.Background()
	cat, st := openExample(t)
	var err error
	r := &hookRig{t: t, ctx: ctx, clock: &clock{t: t0}, st: st, cat: cat, logs: &syncbuf.Buffer{}}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.svc, err = New(Options{Catalog: func(context.Context) (*catalog.Catalog, error) { return r.cat, nil }, Store: st,
		Logger: log, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	o := WebhookOptions{PublicURL: hookPublic, AuthToken: secret.New(hookToken)}
	if r.sms, err = r.svc.SMSWebhook(o); err != nil {
		t.Fatal(err)
	}
	if r.voice, err = r.svc.VoiceWebhook(o); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(r.sms.Path(), r.sms)
	mux.Handle(r.voice.Path(), r.voice)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

// post posts form to the loopback server as Twilio posts it to publicURL,
// signed with token (over the public URL, query included).
func (r *hookRig) post(publicURL, token string, form url.Values) (int, string) {
	r.t.Helper()
	return r.postSig(publicURL, twiliofake.Signature(token, publicURL, form), form)
}

// postSig posts form to publicURL with the X-Twilio-Signature sig (none
// when "").
func (r *hookRig) postSig(publicURL, sig string, form url.Values) (int, string) {
	r.t.Helper()
	rest, ok := strings.CutPrefix(publicURL, hookPublic)
	if !ok {
		r.t.Fatalf("%q is not below %s", publicURL, hookPublic)
	}
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, r.srv.URL+rest, strings.NewReader(form.Encode()))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// text sends an inbound SMS and returns the reply (fails unless 200
// with one <Message>).
func (r *hookRig) text(from, body string) string {
	r.t.Helper()
	code, out := r.post(r.sms.URL(), hookToken, smsForm(from, body))
	if code != http.StatusOK {
		r.t.Fatalf("SMS %q: status %d: %s", body, code, out)
	}
	var doc struct {
		Message *string `xml:"Message"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil || doc.Message == nil {
		r.t.Fatalf("SMS %q: reply %q is not TwiML with a <Message> (%v)", body, out, err)
	}
	return *doc.Message
}

func smsForm(from, body string) url.Values {
	return url.Values{"AccountSid": {"AC00000000000000000000000000000000"}, "Body": {body}, "From": {from},
		"MessageSid": {"SM00000000000000000000000000000001"}, "NumMedia": {"0"}, "To": {lineNumber}}
}

// open is the open sessions of haringey.
func (r *hookRig) open() []store.LoneWorkerSession {
	r.t.Helper()
	l, err := r.svc.List(r.ctx, "haringey")
	if err != nil {
		r.t.Fatal(err)
	}
	return l
}

func (r *hookRig) session(id int64) (store.LoneWorkerSession, []store.LoneWorkerEvent) {
	r.t.Helper()
	s, ev, err := r.svc.Show(r.ctx, id)
	if err != nil {
		r.t.Fatalf("session %d: %v", id, err)
	}
	return s, ev
}

// noSessions fails when any session (open or closed) was stored.
func (r *hookRig) noSessions() {
	r.t.Helper()
	if _, err := r.st.Session(r.ctx, 1); err == nil {
		r.t.Fatal("a session was stored; want none")
	}
}

// noPersonalLogs fails when the logs hold a phone number or an address.
func (r *hookRig) noPersonalLogs(words ...string) {
	r.t.Helper()
	logs := r.logs.String()
	for _, w := range append([]string{"+4477", "447700", "246810"}, words...) {
		if strings.Contains(logs, w) {
			r.t.Errorf("logs hold %q:\n%s", w, logs)
		}
	}
}

// voiceDoc is a voice TwiML response as a test reads it.
type voiceDoc struct {
	raw     string
	Says    []string `xml:"Say"`
	Gathers []struct {
		Action      string `xml:"action,attr"`
		Method      string `xml:"method,attr"`
		Input       string `xml:"input,attr"`
		NumDigits   string `xml:"numDigits,attr"`
		FinishOnKey string `xml:"finishOnKey,attr"`
		Say         string `xml:"Say"`
	} `xml:"Gather"`
	Hangup *struct{} `xml:"Hangup"`
}

// prompt is what the first <Gather> says ("" without one).
func (d voiceDoc) prompt() string {
	if len(d.Gathers) == 0 {
		return ""
	}
	return d.Gathers[0].Say
}

// said is everything said, gathers' prompts included.
func (d voiceDoc) said() string {
	return strings.Join(append(append([]string{}, d.Says...), d.prompt()), " | ")
}

// voicePost posts a voice webhook to publicURL as Twilio does.
func (r *hookRig) voicePost(publicURL, from, digits string, withDigits bool) voiceDoc {
	r.t.Helper()
	form := url.Values{"AccountSid": {"AC00000000000000000000000000000000"}, "CallSid": {"CA00000000000000000000000000000001"},
		"CallStatus": {"in-progress"}, "Direction": {"inbound"}, "From": {from}, "To": {lineNumber}}
	if withDigits {
		form.Set("Digits", digits)
	}
	code, out := r.post(publicURL, hookToken, form)
	if code != http.StatusOK {
		r.t.Fatalf("voice %s: status %d: %s", publicURL, code, out)
	}
	d := voiceDoc{raw: out}
	if err := xml.Unmarshal([]byte(out), &d); err != nil {
		r.t.Fatalf("voice %s: %q is not TwiML: %v", publicURL, out, err)
	}
	return d
}

// dial starts a call from from.
func (r *hookRig) dial(from string) voiceDoc {
	r.t.Helper()
	return r.voicePost(r.voice.URL(), from, "", false)
}

// press answers d's <Gather> with digits, as Twilio posts them to its
// action (without the # that ended them).
func (r *hookRig) press(d voiceDoc, from, digits string) voiceDoc {
	r.t.Helper()
	if len(d.Gathers) == 0 {
		r.t.Fatalf("no <Gather> to answer in %s", d.raw)
	}
	g := d.Gathers[0]
	if g.Method != "POST" || g.Input != "dtmf" {
		r.t.Fatalf("<Gather> method %q input %q; want POST dtmf", g.Method, g.Input)
	}
	return r.voicePost(g.Action, from, digits, true)
}
