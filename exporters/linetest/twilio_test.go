package linetest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting/sms/twiliofake"
	"github.com/slawatch/slawatch/internal/secret"
	"github.com/slawatch/slawatch/internal/syncbuf"
)

const (
	twTo   = "+442079460123" // an advertised number (Ofcom's drama range)
	twFrom = "+447700900999" // the line-test caller number
)

// twLog is a log buffer safe to read while handlers write.
type twLog = syncbuf.Buffer

// twRig is a TwilioDialer on a fake Twilio, its CallbackHandler served
// on a loopback server that is its PublicURL.
type twRig struct {
	fake *twiliofake.Server
	d    *TwilioDialer
	log  *twLog
	cb   *httptest.Server
}

func newTwRig(t *testing.T, edit func(*TwilioOptions)) *twRig {
	t.Helper()
	r := &twRig{fake: twiliofake.New(twiliofake.Config{}), log: &twLog{}}
	t.Cleanup(r.fake.Close)
	mux := http.NewServeMux()
	r.cb = httptest.NewServer(mux)
	t.Cleanup(r.cb.Close)
	o := TwilioOptions{
		AccountSID: r.fake.AccountSID(), AuthToken: secret.New(r.fake.AuthToken()),
		PublicURL: r.cb.URL, BaseURL: r.fake.URL,
		Attempts: 3, Backoff: time.Millisecond, MaxWait: time.Minute,
		Logger: slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&o)
	}
	d, err := NewTwilioDialer(o)
	if err != nil {
		t.Fatalf("NewTwilioDialer: %v", err)
	}
	r.d = d
	mux.Handle(d.CallbackPath(), d.CallbackHandler())
	return r
}

type twOut struct {
	res DialResult
	err error
}

// dial starts Dial in the background.
func (r *twRig) dial(ctx context.Context, c Call) <-chan twOut {
	out := make(chan twOut, 1)
	go func() {
		res, err := r.d.Dial(ctx, c)
		out <- twOut{res, err}
	}()
	return out
}

// placed waits for the fake to have n calls and returns the last.
func (r *twRig) placed(t *testing.T, n int) twiliofake.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	calls, err := r.fake.WaitForCalls(ctx, n)
	if err != nil {
		t.Fatalf("the dialer placed no call: %v", err)
	}
	return calls[n-1]
}

// flush delivers every pending status callback and checks each was
// accepted.
func (r *twRig) flush(t *testing.T) []twiliofake.Callback {
	t.Helper()
	cbs, err := r.fake.FlushCalls(context.Background())
	if err != nil {
		t.Fatalf("FlushCalls: %v", err)
	}
	for _, cb := range cbs {
		if cb.URL != "" && cb.HTTPStatus != http.StatusNoContent {
			t.Errorf("callback %s answered %d, want 204", cb.Status, cb.HTTPStatus)
		}
	}
	return cbs
}

// wait is Dial's outcome (bounded so a hung Dial fails the test).
func wait(t *testing.T, out <-chan twOut) twOut {
	t.Helper()
	select {
	case o := <-out:
		return o
	case <-time.After(30 * time.Second):
		t.Fatal("Dial did not return")
		return twOut{}
	}
}

// twNoLeak fails when a phone number or the auth token shows in s.
func twNoLeak(t *testing.T, what, s string, r *twRig, numbers ...string) {
	t.Helper()
	for _, v := range append(numbers, twTo, twFrom, r.fake.AuthToken()) {
		if v != "" && strings.Contains(s, v) {
			t.Errorf("%s leaks %q: %s", what, v, s)
		}
	}
}

func testCall(run int64) Call {
	return Call{RunID: run, From: twFrom, To: twTo, Timeout: 30 * time.Second}
}

func TestTwilioDialAnswered(t *testing.T) {
	r := newTwRig(t, nil)
	var mu sync.Mutex
	var answered []string
	r.fake.OnAnswer(func(to string) {
		mu.Lock()
		defer mu.Unlock()
		answered = append(answered, to)
	})
	out := r.dial(context.Background(), testCall(41))
	call := r.placed(t, 1)
	cbs := r.flush(t)
	o := wait(t, out)
	if o.err != nil {
		t.Fatalf("Dial: %v", o.err)
	}
	want := DialResult{Status: DialCompleted, Connected: true, Ref: call.SID, Duration: 10 * time.Second, Detail: "AnsweredBy human"}
	if o.res != want {
		t.Errorf("Dial = %+v, want %+v", o.res, want)
	}
	if !strings.HasPrefix(o.res.Ref, "CA") || len(o.res.Ref) != 34 {
		t.Errorf("Ref = %q, want a call SID", o.res.Ref)
	}
	// What twilio-go sent.
	if call.To != twTo || call.From != twFrom || call.Twiml != DefaultTwilioTwiML || call.Timeout != 30 ||
		call.MachineDetection != "Enable" || !strings.HasPrefix(call.StatusCallback, r.d.CallbackURL()+"?dial=") ||
		strings.Join(call.StatusCallbackEvents, ",") != "initiated,ringing,answered,completed" {
		t.Errorf("call placed = %+v", call)
	}
	var statuses []string
	for _, cb := range cbs {
		statuses = append(statuses, cb.Status)
	}
	if got := strings.Join(statuses, ","); got != "initiated,ringing,in-progress,completed" {
		t.Errorf("callbacks = %s", got)
	}
	mu.Lock()
	if len(answered) != 1 || answered[0] != twTo {
		t.Errorf("OnAnswer saw %v, want the advertised number once", answered)
	}
	mu.Unlock()
	twNoLeak(t, "log", r.log.String(), r)
	if !strings.Contains(r.log.String(), "run_id=41") {
		t.Errorf("log does not name the run:\n%s", r.log)
	}
}

func TestTwilioDialLineBroken(t *testing.T) {
	tests := []struct {
		name   string
		line   twiliofake.Line
		status string
		detail string
	}{
		{"busy", twiliofake.Line{Outcome: twiliofake.CallBusy}, DialBusy, "SIP 486"},
		{"no answer", twiliofake.Line{Outcome: twiliofake.CallNoAnswer}, DialNoAnswer, "SIP 487"},
		{"failed", twiliofake.Line{Outcome: twiliofake.CallFail}, DialFailed, "SIP 404"},
		{"failed 503", twiliofake.Line{Outcome: twiliofake.CallFail, SIPCode: 503}, DialFailed, "SIP 503"},
		{"busy, callbacks swapped", twiliofake.Line{Outcome: twiliofake.CallBusy, OutOfOrder: true}, DialBusy, "SIP 486"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTwRig(t, nil)
			r.fake.SetLine(twTo, tc.line)
			r.fake.OnAnswer(func(string) { t.Errorf("OnAnswer called for a %s call", tc.status) })
			out := r.dial(context.Background(), testCall(7))
			call := r.placed(t, 1)
			r.flush(t)
			o := wait(t, out)
			want := DialResult{Status: tc.status, Connected: false, Ref: call.SID, Detail: tc.detail}
			if o.err != nil || o.res != want {
				t.Errorf("Dial = %+v, %v; want %+v", o.res, o.err, want)
			}
		})
	}
}

// Callbacks out of order: the final status wins, whatever comes after.
func TestTwilioDialOutOfOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		line twiliofake.Line
	}{
		{"completed before answered", twiliofake.Line{OutOfOrder: true}},
		{"slow, ringing thrice, completed before answered", twiliofake.Line{Outcome: twiliofake.CallSlow, Rings: 3, OutOfOrder: true}},
		{"answered by a machine", twiliofake.Line{AnsweredBy: "machine_start", OutOfOrder: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newTwRig(t, nil)
			r.fake.SetLine(twTo, tc.line)
			answers := 0
			r.fake.OnAnswer(func(string) { answers++ }) // StepCall runs it on this goroutine
			out := r.dial(context.Background(), testCall(8))
			call := r.placed(t, 1)
			cbs := r.flush(t)
			if n := len(cbs); cbs[n-2].Status != DialCompleted || cbs[n-1].Status != "in-progress" {
				t.Fatalf("the fake did not swap the last callbacks: %+v", cbs)
			}
			o := wait(t, out)
			by := tc.line.AnsweredBy
			if by == "" {
				by = "human"
			}
			want := DialResult{Status: DialCompleted, Connected: true, Ref: call.SID, Duration: 10 * time.Second, Detail: "AnsweredBy " + by}
			if o.err != nil || o.res != want {
				t.Errorf("Dial = %+v, %v; want %+v", o.res, o.err, want)
			}
			if answers != 1 {
				t.Errorf("OnAnswer ran %d times, want 1", answers)
			}
		})
	}
}

// Hand-made callbacks, in an order no fake line produces: a late
// answered and a second, different final status do not change the first.
func TestTwilioDialFirstFinalWins(t *testing.T) {
	r := newTwRig(t, func(o *TwilioOptions) { o.MachineDetection = "off" })
	r.fake.SetLine(twTo, twiliofake.Line{Outcome: twiliofake.CallSilent})
	out := r.dial(context.Background(), testCall(9))
	call := r.placed(t, 1)
	if call.MachineDetection != "" {
		t.Errorf("MachineDetection = %q with the option off", call.MachineDetection)
	}
	post := func(status string, extra url.Values) {
		t.Helper()
		form := url.Values{"CallSid": {call.SID}, "CallStatus": {status}, "AccountSid": {call.AccountSID}, "To": {twTo}, "From": {twFrom}}
		for k, v := range extra {
			form[k] = v
		}
		code, _, err := twiliofake.PostSigned(context.Background(), http.DefaultClient, r.fake.AuthToken(), call.StatusCallback, form)
		if err != nil || code != http.StatusNoContent {
			t.Fatalf("posting %s: %d %v", status, code, err)
		}
	}
	post("ringing", nil)
	post("ringing", nil)
	post(DialNoAnswer, url.Values{"SipResponseCode": {"487"}, "CallDuration": {"0"}})
	post("in-progress", url.Values{"AnsweredBy": {"human"}})
	post(DialCompleted, url.Values{"CallDuration": {"12"}})
	o := wait(t, out)
	want := DialResult{Status: DialNoAnswer, Ref: call.SID, Detail: "SIP 487"}
	if o.err != nil || o.res != want {
		t.Errorf("Dial = %+v, %v; want %+v", o.res, o.err, want)
	}
}

// A forged callback is refused and changes nothing: Dial goes on
// waiting for the real final status.
func TestTwilioDialBadSignature(t *testing.T) {
	r := newTwRig(t, nil)
	out := r.dial(context.Background(), testCall(10))
	call := r.placed(t, 1)
	forged := url.Values{"CallSid": {call.SID}, "CallStatus": {DialBusy}, "AccountSid": {call.AccountSID}}
	u, _ := url.Parse(call.StatusCallback)
	otherPath := r.cb.URL + "/elsewhere?" + u.RawQuery
	for _, tc := range []struct {
		name, token, signedURL string
	}{
		{"wrong token", "notthetoken0123456789", call.StatusCallback},
		{"signed for another URL", r.fake.AuthToken(), otherPath},
	} {
		req, _ := http.NewRequest(http.MethodPost, call.StatusCallback, strings.NewReader(forged.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", twiliofake.Signature(tc.token, tc.signedURL, forged))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: HTTP %d, want 403", tc.name, resp.StatusCode)
		}
	}
	resp, err := http.Post(call.StatusCallback, "application/x-www-form-urlencoded", strings.NewReader(forged.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned: HTTP %d, want 403", resp.StatusCode)
	}
	select {
	case o := <-out:
		t.Fatalf("Dial returned on a forged callback: %+v, %v", o.res, o.err)
	default:
	}
	r.flush(t)
	o := wait(t, out)
	if o.err != nil || o.res.Status != DialCompleted || !o.res.Connected {
		t.Errorf("Dial = %+v, %v; want completed", o.res, o.err)
	}
	if !strings.Contains(r.log.String(), "missing or bad signature") {
		t.Errorf("no warning logged for the forged callbacks:\n%s", r.log)
	}
}

func TestTwilioDialSilent(t *testing.T) {
	r := newTwRig(t, func(o *TwilioOptions) { o.MaxWait = 200 * time.Millisecond })
	r.fake.SetLine(twTo, twiliofake.Line{Outcome: twiliofake.CallSilent})
	out := r.dial(context.Background(), testCall(11))
	call := r.placed(t, 1)
	o := wait(t, out)
	if !errors.Is(o.err, ErrNoFinalStatus) || o.res != (DialResult{}) {
		t.Fatalf("Dial = %+v, %v; want ErrNoFinalStatus", o.res, o.err)
	}
	for _, s := range []string{"run 11", call.SID, "no final status from Twilio", `last status "queued"`} {
		if !strings.Contains(o.err.Error(), s) {
			t.Errorf("error %q does not say %q", o.err, s)
		}
	}
	twNoLeak(t, "error", o.err.Error(), r)
	twNoLeak(t, "log", r.log.String(), r)
	// A callback after Dial gave up is acknowledged and goes nowhere.
	form := url.Values{"CallSid": {call.SID}, "CallStatus": {DialCompleted}}
	if code, _, err := twiliofake.PostSigned(context.Background(), http.DefaultClient, r.fake.AuthToken(), call.StatusCallback, form); err != nil || code != http.StatusNoContent {
		t.Errorf("late callback: %d %v, want 204", code, err)
	}
}

func TestTwilioDialOutage(t *testing.T) {
	r := newTwRig(t, nil)
	r.fake.SetOutage(true)
	_, err := r.d.Dial(context.Background(), testCall(12))
	var te *TwilioError
	if !errors.As(err, &te) || te.Status != 500 || te.Code != 20500 || !te.Retry {
		t.Fatalf("Dial error = %v, want a transient HTTP 500 / 20500", err)
	}
	if n := r.fake.Requests(); n != 3 {
		t.Errorf("fake saw %d requests, want 3 attempts", n)
	}
	if n := strings.Count(r.log.String(), "line-test call not placed"); n != 3 {
		t.Errorf("logged %d failed attempts, want 3:\n%s", n, r.log)
	}
	if !strings.Contains(err.Error(), "run 12") || !strings.Contains(err.Error(), "attempt 3 of 3") {
		t.Errorf("error = %v", err)
	}
	twNoLeak(t, "log", r.log.String(), r)
}

func TestTwilioDialRateLimitedThenPlaced(t *testing.T) {
	r := newTwRig(t, nil)
	r.fake.RateLimit(2)
	out := r.dial(context.Background(), testCall(13))
	r.placed(t, 1)
	r.flush(t)
	o := wait(t, out)
	if o.err != nil || o.res.Status != DialCompleted {
		t.Fatalf("Dial = %+v, %v", o.res, o.err)
	}
	if n := r.fake.Requests(); n != 3 {
		t.Errorf("fake saw %d requests, want 429, 429, 201", n)
	}
}

func TestTwilioDialPermanentFailures(t *testing.T) {
	tests := []struct {
		name string
		call Call
		edit func(*TwilioOptions)
		code int
	}{
		{"invalid To", Call{RunID: 14, From: twFrom, To: "0207 946 0123"}, nil, 21217},
		{"invalid From", Call{RunID: 14, From: "Caller0", To: twTo}, nil, 21212},
		{"wrong auth token", testCall(14), func(o *TwilioOptions) { o.AuthToken = secret.New("wrongtoken123") }, 20003},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTwRig(t, tc.edit)
			_, err := r.d.Dial(context.Background(), tc.call)
			var te *TwilioError
			if !errors.As(err, &te) || te.Code != tc.code || te.Retry {
				t.Fatalf("Dial error = %v, want Twilio code %d, no retry", err, tc.code)
			}
			if n := r.fake.Requests(); n != 1 {
				t.Errorf("fake saw %d requests, want 1 (no retry)", n)
			}
			twNoLeak(t, "error", err.Error(), r, tc.call.To, tc.call.From)
			twNoLeak(t, "log", r.log.String(), r, tc.call.To, tc.call.From)
			t.Logf("error: %v", err)
		})
	}
}

func TestTwilioDialCancel(t *testing.T) {
	r := newTwRig(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	out := r.dial(ctx, testCall(15))
	r.placed(t, 1)
	cancel()
	o := wait(t, out)
	if !errors.Is(o.err, context.Canceled) || errors.Is(o.err, ErrNoFinalStatus) || !strings.Contains(o.err.Error(), "run 15") {
		t.Fatalf("Dial = %+v, %v; want context.Canceled", o.res, o.err)
	}
	// Already ended: nothing is placed.
	_, err := r.d.Dial(ctx, testCall(16))
	if !errors.Is(err, context.Canceled) || r.fake.Requests() != 1 {
		t.Errorf("Dial on an ended ctx = %v after %d requests", err, r.fake.Requests())
	}
}

// A Twilio that never answers the create: Timeout ends each attempt.
func TestTwilioDialCreateHangs(t *testing.T) {
	r := newTwRig(t, func(o *TwilioOptions) { o.Timeout, o.Attempts = 50*time.Millisecond, 2 })
	r.fake.SetHang(true)
	_, err := r.d.Dial(context.Background(), testCall(17))
	var te *TwilioError
	if !errors.As(err, &te) || te.Status != 0 || !te.Retry || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Dial error = %v, want no answer, deadline exceeded", err)
	}
}

// A final status that arrives before the create's answer is kept for
// the call it names.
func TestTwilioFinalBeforeSIDKnown(t *testing.T) {
	r := newTwRig(t, nil)
	w := r.d.register(18)
	defer r.d.unregister(w)
	sid := "CA0123456789abcdef0123456789abcdef"
	for _, st := range []twilioStatus{
		{Token: w.token, CallSid: "CAother", CallStatus: DialBusy, CallDuration: -1},
		{Token: w.token, CallSid: sid, CallStatus: DialCompleted, CallDuration: 9, AnsweredBy: "human"},
	} {
		if run, ok := r.d.record(st); !ok || run != 18 {
			t.Fatalf("record = %d, %v", run, ok)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // await must not need to wait
	res, ok := r.d.await(ctx, w, sid)
	want := DialResult{Status: DialCompleted, Connected: true, Ref: sid, Duration: 9 * time.Second, Detail: "AnsweredBy human"}
	if !ok || res != want {
		t.Errorf("await = %+v, %v; want %+v", res, ok, want)
	}
}

func TestTwilioCallbackHandlerRefusals(t *testing.T) {
	r := newTwRig(t, nil)
	u := r.d.CallbackURL()
	tok := newTwilioToken()
	signed := func(rawURL string, form url.Values) int {
		code, _, err := twiliofake.PostSigned(context.Background(), http.DefaultClient, r.fake.AuthToken(), rawURL, form)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	if code := signed(u, url.Values{"CallSid": {"CA1"}, "CallStatus": {"completed"}}); code != http.StatusBadRequest {
		t.Errorf("no dial token: %d, want 400", code)
	}
	if code := signed(u+"?dial="+tok, url.Values{"CallSid": {"SM1"}, "CallStatus": {"completed"}}); code != http.StatusBadRequest {
		t.Errorf("not a call SID: %d, want 400", code)
	}
	if code := signed(u+"?dial="+tok, url.Values{"CallSid": {"CA1"}, "CallStatus": {"exploded"}}); code != http.StatusBadRequest {
		t.Errorf("unknown status: %d, want 400", code)
	}
	if code := signed(u+"?dial="+tok, url.Values{"CallSid": {"CA1"}, "CallStatus": {"completed"}}); code != http.StatusNoContent {
		t.Errorf("no Dial waiting: %d, want 204", code)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
}

func TestNewTwilioDialerErrors(t *testing.T) {
	ok := TwilioOptions{AccountSID: "AC123", AuthToken: secret.New("tok"), PublicURL: "https://slawatch.example.org"}
	tests := []struct {
		edit func(*TwilioOptions)
		want string
	}{
		{func(o *TwilioOptions) { o.AccountSID = "" }, "AccountSID must be a Twilio account SID"},
		{func(o *TwilioOptions) { o.AuthToken = secret.Secret{} }, "AuthToken must be"},
		{func(o *TwilioOptions) { o.AuthToken = secret.New("s3cr:t") }, "AuthToken must be"},
		{func(o *TwilioOptions) { o.PublicURL = "" }, `PublicURL "" must be the absolute http(s) base URL`},
		{func(o *TwilioOptions) { o.PublicURL = "https://x.example/?a=1" }, "PublicURL"},
		{func(o *TwilioOptions) { o.CallbackPath = "linetest" }, `CallbackPath "linetest" must be a path starting with /`},
		{func(o *TwilioOptions) { o.BaseURL = "api.twilio.com" }, `BaseURL "api.twilio.com" must be an absolute http(s) URL`},
		{func(o *TwilioOptions) { o.MaxWait = -1 }, "must not be negative"},
		{func(o *TwilioOptions) { o.MachineDetection = "enable" }, `MachineDetection "enable" must be`},
	}
	for _, tc := range tests {
		o := ok
		tc.edit(&o)
		_, err := NewTwilioDialer(o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewTwilioDialer(%+v) = %v, want %q", o, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr:t") {
			t.Errorf("error leaks the token: %v", err)
		}
	}
	d, err := NewTwilioDialer(ok)
	if err != nil {
		t.Fatalf("NewTwilioDialer(valid) = %v", err)
	}
	if d.CallbackURL() != "https://slawatch.example.org/api/v1/twilio/linetest" {
		t.Errorf("CallbackURL = %q", d.CallbackURL())
	}
	if _, err := d.Dial(context.Background(), Call{RunID: 3, To: twTo}); err == nil || !strings.Contains(err.Error(), "run 3") || strings.Contains(err.Error(), twTo) {
		t.Errorf("Dial without From = %v", err)
	}
}
