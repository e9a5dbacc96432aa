package sms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/sms/twiliofake"
	"github.com/slawatch/slawatch/catalog"
)

const (
	annPhone = "+447700900123"
	ourFrom  = "+447700900999"
	cbURL    = "https://slawatch.example.org/api/v1/twilio/status"
)

func newFake(t *testing.T) *twiliofake.Server {
	t.Helper()
	srv := twiliofake.New(twiliofake.Config{})
	t.Cleanup(srv.Close)
	return srv
}

// newSender is a Sender on srv with quick retries; edit adjusts its
// options. Its log goes to the returned buffer.
func newSender(t *testing.T, srv *twiliofake.Server, edit func(*Options)) (*Sender, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	o := Options{
		AccountSID: srv.AccountSID(), AuthToken: NewSecret(srv.AuthToken()),
		From: ourFrom, BaseURL: srv.URL, StatusCallbackURL: cbURL,
		Attempts: 3, Backoff: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&o)
	}
	s, err := NewSender(o)
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	return s, &log
}

func pageTo(phone string) alerting.Message {
	m := page()
	m.To = alerting.Recipient{PersonID: "p-ann", Name: catalog.NewPrivate("Ann Example"), Phone: catalog.NewPrivate(phone)}
	return m
}

// noLeak fails when the phone number or auth token shows in s.
func noLeak(t *testing.T, what, s, phone, token string) {
	t.Helper()
	if strings.Contains(s, phone) || strings.Contains(s, token) {
		t.Errorf("%s leaks the phone number or auth token: %s", what, s)
	}
}

func TestSendOK(t *testing.T) {
	srv := newFake(t)
	s, _ := newSender(t, srv, nil)
	m := pageTo(annPhone)
	m.CallbackURL = cbURL + "?page=7"
	r, retry, err := s.Send(context.Background(), m)
	if err != nil || retry {
		t.Fatalf("Send = %v, retry %v", err, retry)
	}
	if s.Channel() != alerting.ChannelSMS {
		t.Errorf("Channel = %q", s.Channel())
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("fake has %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	want := twiliofake.Message{
		SID: r.Ref, AccountSID: srv.AccountSID(), To: annPhone, From: ourFrom, Body: Text(m),
		StatusCallback: cbURL + "?page=7", Status: "queued", Segments: 1, Encoding: "GSM-7",
		DateCreated: got.DateCreated,
	}
	if got != want {
		t.Errorf("message =\n%+v\nwant\n%+v", got, want)
	}
	if !strings.HasPrefix(r.Ref, "SM") || len(r.Ref) != 34 || r.Delivered {
		t.Errorf("Receipt = %+v, want an SM… SID, not delivered", r)
	}
}

func TestSendDefaultCallbackAndMessagingService(t *testing.T) {
	srv := newFake(t)
	s, _ := newSender(t, srv, func(o *Options) { o.From, o.MessagingServiceSID = "", "MG0123456789abcdef0123456789abcdef" })
	if _, _, err := s.Send(context.Background(), pageTo(annPhone)); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()[0]
	if got.StatusCallback != cbURL || got.MessagingServiceSID != "MG0123456789abcdef0123456789abcdef" || got.From != "" || got.Status != "accepted" {
		t.Errorf("message = %+v, want the default callback, sent through the messaging service", got)
	}
}

func TestSendPermanentFailures(t *testing.T) {
	tests := []struct {
		name  string
		phone string
		setup func(*twiliofake.Server)
		edit  func(*Options)
		code  int
	}{
		{name: "invalid number", phone: "07700 900123", code: CodeInvalidTo},
		{name: "opted out", phone: annPhone, setup: func(s *twiliofake.Server) { s.OptOut(annPhone) }, code: CodeUnsubscribed},
		{name: "wrong auth token", phone: annPhone, edit: func(o *Options) { o.AuthToken = NewSecret("wrongtoken123") }, code: CodeAuthenticate},
		{name: "wrong account", phone: annPhone, edit: func(o *Options) { o.AccountSID = "AC99999999999999999999999999999999" }, code: CodeAuthenticate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t)
			if tc.setup != nil {
				tc.setup(srv)
			}
			s, log := newSender(t, srv, tc.edit)
			r, retry, err := s.Send(context.Background(), pageTo(tc.phone))
			if err == nil || retry {
				t.Fatalf("Send = %+v, retry %v, %v; want a permanent error", r, retry, err)
			}
			var se *Error
			if !errors.As(err, &se) || se.Code != tc.code || se.Retry {
				t.Errorf("error = %#v, want Twilio code %d, no retry", se, tc.code)
			}
			if n := srv.Requests(); n != 1 {
				t.Errorf("fake saw %d requests, want 1 (no retry)", n)
			}
			if len(srv.Messages()) != 0 {
				t.Errorf("fake accepted %d messages", len(srv.Messages()))
			}
			noLeak(t, "error", err.Error(), tc.phone, srv.AuthToken())
			noLeak(t, "log", log.String(), tc.phone, srv.AuthToken())
			t.Logf("error: %v", err)
		})
	}
}

func TestSendOutageRetriesThenGivesUp(t *testing.T) {
	srv := newFake(t)
	srv.SetOutage(true)
	s, log := newSender(t, srv, nil)
	_, retry, err := s.Send(context.Background(), pageTo(annPhone))
	if err == nil || !retry {
		t.Fatalf("Send = %v, retry %v; want a transient error", err, retry)
	}
	var se *Error
	if !errors.As(err, &se) || se.Status != 500 || se.Code != 20500 {
		t.Errorf("error = %v, want HTTP 500, code 20500", err)
	}
	if n := srv.Requests(); n != 3 {
		t.Errorf("fake saw %d requests, want 3 attempts", n)
	}
	if n := strings.Count(log.String(), "sms send failed"); n != 3 {
		t.Errorf("logged %d failures, want 3:\n%s", n, log)
	}
	noLeak(t, "log", log.String(), annPhone, srv.AuthToken())
}

func TestSendRateLimitedThenOK(t *testing.T) {
	srv := newFake(t)
	srv.RateLimit(1)
	s, _ := newSender(t, srv, nil)
	r, retry, err := s.Send(context.Background(), pageTo(annPhone))
	if err != nil || retry {
		t.Fatalf("Send = %v, retry %v", err, retry)
	}
	if n := srv.Requests(); n != 2 {
		t.Errorf("fake saw %d requests, want 2 (429, then 201)", n)
	}
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].SID != r.Ref {
		t.Errorf("messages = %+v, want the one with SID %s", msgs, r.Ref)
	}
}

func TestSendRateLimitedToTheEnd(t *testing.T) {
	srv := newFake(t)
	srv.RateLimit(5)
	s, _ := newSender(t, srv, func(o *Options) { o.Attempts = 2 })
	_, retry, err := s.Send(context.Background(), pageTo(annPhone))
	var se *Error
	if !retry || !errors.As(err, &se) || se.Code != CodeTooManyRequests {
		t.Fatalf("Send = %v, retry %v; want code 20429, retry", err, retry)
	}
}

// A Twilio that never answers: the per-attempt Timeout, or ctx, ends
// the call. No timing is asserted, only that it returns, transient.
func TestSendTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{name: "Options.Timeout", edit: func(o *Options) { o.Timeout, o.Attempts = 50*time.Millisecond, 2 },
			ctx: func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
		{name: "ctx deadline", edit: func(o *Options) { o.Timeout = time.Minute },
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t)
			srv.SetHang(true)
			s, _ := newSender(t, srv, tc.edit)
			ctx, cancel := tc.ctx()
			defer cancel()
			_, retry, err := s.Send(ctx, pageTo(annPhone))
			if err == nil || !retry {
				t.Fatalf("Send = %v, retry %v; want a transient error", err, retry)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
			}
			t.Logf("error: %v", err)
		})
	}
}

func TestSendCancelledCtx(t *testing.T) {
	srv := newFake(t)
	s, _ := newSender(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, retry, err := s.Send(ctx, pageTo(annPhone))
	if !errors.Is(err, context.Canceled) || !retry {
		t.Fatalf("Send = %v, retry %v; want context.Canceled, retry", err, retry)
	}
	if srv.Requests() != 0 {
		t.Errorf("fake saw %d requests", srv.Requests())
	}
}

func TestSendNoPhone(t *testing.T) {
	srv := newFake(t)
	s, _ := newSender(t, srv, nil)
	_, retry, err := s.Send(context.Background(), page())
	if err == nil || retry || srv.Requests() != 0 {
		t.Fatalf("Send = %v, retry %v; want a permanent error before calling Twilio", err, retry)
	}
}

func TestNewSenderErrors(t *testing.T) {
	ok := Options{AccountSID: "AC123", AuthToken: NewSecret("tok"), From: ourFrom}
	tests := []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.AccountSID = "" }, "AccountSID must be a Twilio account SID"},
		{func(o *Options) { o.AccountSID = "AC 1" }, "AccountSID must be"},
		{func(o *Options) { o.AuthToken = Secret{} }, "AuthToken must be"},
		{func(o *Options) { o.AuthToken = NewSecret("s3cr:t") }, "AuthToken must be"},
		{func(o *Options) { o.From = "" }, "set From"},
		{func(o *Options) { o.BaseURL = "api.twilio.com" }, `BaseURL "api.twilio.com" must be an absolute http(s) URL`},
		{func(o *Options) { o.StatusCallbackURL = "/status" }, `StatusCallbackURL "/status" must be an absolute URL`},
		{func(o *Options) { o.Attempts = -1 }, "must not be negative"},
	}
	for _, tc := range tests {
		o := ok
		tc.edit(&o)
		_, err := NewSender(o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewSender(%+v) = %v, want %q", o, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr:t") {
			t.Errorf("error leaks the token: %v", err)
		}
	}
	if _, err := NewSender(ok); err != nil {
		t.Errorf("NewSender(valid) = %v", err)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret("hunter2token")
	o := Options{AuthToken: s}
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("x", "token", s, "opts", o)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q", o, o, o, s, s), log.String()} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("secret printed: %s", out)
		}
	}
	if s.Reveal() != "hunter2token" {
		t.Errorf("Reveal = %q", s.Reveal())
	}
}

// A wait longer than ctx has left is not waited out: Send returns the
// transient error at once for the pager to retry or fall back.
func TestSendNoTimeLeftForBackoff(t *testing.T) {
	srv := newFake(t)
	srv.SetOutage(true)
	s, _ := newSender(t, srv, func(o *Options) { o.Backoff = time.Hour })
	// Waits are capped at 30s: less than that is left.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, retry, err := s.Send(ctx, pageTo(annPhone))
	if err == nil || !retry || !strings.Contains(err.Error(), "no time left") {
		t.Fatalf("Send = %v, retry %v; want a transient error, no wait", err, retry)
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("fake saw %d requests, want 1", n)
	}
}
