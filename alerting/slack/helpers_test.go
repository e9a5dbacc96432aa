package slack_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/slack"
	"github.com/slawatch/slawatch/alerting/slack/slackfake"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/syncbuf"
)

const (
	token      = "xoxb-test-token"
	signSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	channelID  = "C0RBKC001"
	member     = "U0RBKCN01"
	personName = "Noise Officer 1"
	phone      = "+447700900301"
)

var quiet = slog.New(slog.DiscardHandler)

// now is 02:10 in London (BST).
var now = time.Date(2026, 7, 6, 1, 10, 0, 0, time.UTC)

// lockedBuffer is a log sink safe for the handler's background updates.
type lockedBuffer = syncbuf.Buffer

type fixture struct {
	fake   *slackfake.Server
	sender *slack.Sender
	logs   *lockedBuffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fake := slackfake.New(slackfake.Options{
		Token:    token,
		Channels: map[string]string{"rbkc-ooh": channelID},
		Users:    []string{member},
	})
	t.Cleanup(fake.Close)
	logs := &lockedBuffer{}
	s, err := slack.New(slack.Options{
		Token:      slack.NewSecret(token),
		APIURL:     fake.URL(),
		HTTPClient: fake.Client(),
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { assertNoPersonalData(t, "logs", logs.String()) })
	return &fixture{fake: fake, sender: s, logs: logs}
}

// page is a page of incident 12 to the RBKC channel, paging member.
func page() alerting.Message {
	return alerting.Message{
		Kind: alerting.MessagePage, PageID: 42, IncidentID: 12, Ref: "12", AckCode: "12A",
		Severity: "critical", PO: "rbkc", ServiceOption: "noise", AccessNumber: "+442071234567",
		AlertName: "SLABreached", Summary: "Answered within 60s fell to 71% <!channel> & co",
		Since: time.Date(2026, 7, 6, 1, 4, 0, 0, time.UTC),
		To: alerting.Recipient{PersonID: "rbkc-noise-1", Name: catalog.NewPrivate(personName),
			Phone: catalog.NewPrivate(phone), SlackUser: catalog.NewPrivate(member), SlackChannel: "#rbkc-ooh"},
	}
}

func (f *fixture) send(t *testing.T, m alerting.Message) (alerting.Receipt, bool, error) {
	t.Helper()
	return f.sender.Send(context.Background(), m)
}

func assertNoPersonalData(t *testing.T, what, s string) {
	t.Helper()
	for _, p := range []string{personName, phone, member, token, signSecret} {
		if strings.Contains(s, p) {
			t.Errorf("%s hold %q:\n%s", what, p, s)
		}
	}
}

// responder is a fake pager: it records Act calls and answers out or err.
type responder struct {
	mu    sync.Mutex
	calls []actCall
	out   alerting.Outcome
	err   error
}

type actCall struct {
	IncidentID            int64
	Action, Channel, User string
}

func (r *responder) Act(_ context.Context, id int64, action, channel, user string) (alerting.Outcome, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, actCall{id, action, channel, user})
	return r.out, r.err
}

func (r *responder) Calls() []actCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]actCall(nil), r.calls...)
}

func (r *responder) Receipt(context.Context, string, string, string, time.Time, string) error {
	panic("not used by Slack buttons")
}

func (r *responder) AckCode(context.Context, string, string, string) (string, error) {
	panic("not used by Slack buttons")
}

func (r *responder) OptOut(context.Context, string, string, bool) error {
	panic("not used by Slack buttons")
}
