package slack_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/slack"
	"github.com/slawatch/slawatch/alerting/slack/slackfake"
	"github.com/slawatch/slawatch/catalog"
)

type button struct {
	ActionID string                `json:"action_id"`
	Value    string                `json:"value"`
	Text     struct{ Text string } `json:"text"`
}

type block struct {
	Type     string                  `json:"type"`
	Text     *struct{ Text string }  `json:"text"`
	Fields   []struct{ Text string } `json:"fields"`
	Elements []json.RawMessage       `json:"elements"`
}

func blocksOf(t *testing.T, m slackfake.Message) []block {
	t.Helper()
	var b []block
	if err := json.Unmarshal(m.Blocks, &b); err != nil {
		t.Fatalf("blocks of %s: %v\n%s", m.Method, err, m.Blocks)
	}
	return b
}

func buttonsOf(t *testing.T, m slackfake.Message) []button {
	t.Helper()
	var out []button
	for _, b := range blocksOf(t, m) {
		if b.Type != "actions" {
			continue
		}
		for _, raw := range b.Elements {
			var e button
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
	}
	return out
}

// shown is every text a person sees in the message, blocks and fallback.
func shown(t *testing.T, m slackfake.Message) string {
	t.Helper()
	var parts []string
	parts = append(parts, m.Text)
	for _, b := range blocksOf(t, m) {
		if b.Text != nil {
			parts = append(parts, b.Text.Text)
		}
		for _, f := range b.Fields {
			parts = append(parts, f.Text)
		}
		for _, raw := range b.Elements {
			var e struct {
				Text  any `json:"text"`
				Value string
			}
			_ = json.Unmarshal(raw, &e)
			if s, ok := e.Text.(string); ok {
				parts = append(parts, s)
			}
			if m, ok := e.Text.(map[string]any); ok {
				parts = append(parts, m["text"].(string))
			}
		}
	}
	return strings.Join(parts, "\n")
}

func TestPagePostsBlockKitWithBothButtons(t *testing.T) {
	f := newFixture(t)
	r, retry, err := f.send(t, page())
	if err != nil || retry {
		t.Fatalf("Send: retry=%v err=%v", retry, err)
	}
	if r.Ref != channelID+"/1700000000.000100" || !r.Delivered {
		t.Errorf("receipt = %+v; want Ref %s/1700000000.000100, Delivered", r, channelID)
	}
	msgs := f.fake.Messages()
	if len(msgs) != 1 || msgs[0].Method != "chat.postMessage" || msgs[0].Channel != channelID {
		t.Fatalf("fake got %+v; want one chat.postMessage to %s", msgs, channelID)
	}
	m := msgs[0]
	bs := blocksOf(t, m)
	if bs[0].Type != "header" || bs[0].Text.Text != "CRITICAL · SLABreached" {
		t.Errorf("first block = %+v; want the header CRITICAL · SLABreached", bs[0])
	}
	got := buttonsOf(t, m)
	if len(got) != 2 || got[0].ActionID != "ack" || got[0].Value != "12" || got[0].Text.Text != "Acknowledge" ||
		got[1].ActionID != "escalate" || got[1].Value != "12" || got[1].Text.Text != "Escalate" {
		t.Errorf("buttons = %+v; want Acknowledge (ack, 12) and Escalate (escalate, 12)", got)
	}
	text := shown(t, m)
	for _, want := range []string{"*PO*\nrbkc", "*Service option*\nnoise", "*Access number*\n+442071234567",
		"*Since*\n02:04 Mon 6 Jul", "*Ref*\n12", "Paging <@" + member + ">",
		"fell to 71% &lt;!channel&gt; &amp; co"} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(m.Text, "CRITICAL SLABreached rbkc/noise since 02:04 Mon 6 Jul") {
		t.Errorf("fallback text = %q", m.Text)
	}
	// The only personal data is the mention.
	for _, p := range []string{personName, phone, "rbkc-noise-1", "<!channel>"} {
		if strings.Contains(text, p) || strings.Contains(string(m.Blocks), p) {
			t.Errorf("message holds %q", p)
		}
	}
	if strings.Count(string(m.Blocks), member) != 1 {
		t.Errorf("member id should appear once, in the mention:\n%s", m.Blocks)
	}
}

func TestPageIsADirectMessageWithoutChannel(t *testing.T) {
	f := newFixture(t)
	m := page()
	m.To.SlackChannel = ""
	r, _, err := f.send(t, m)
	if err != nil {
		t.Fatal(err)
	}
	dm := slackfake.DMChannel(member)
	if !strings.HasPrefix(r.Ref, dm+"/") {
		t.Errorf("Ref = %q; want the direct message %s/…", r.Ref, dm)
	}
	msgs := f.fake.Messages()
	if len(msgs) != 1 || msgs[0].Channel != dm {
		t.Fatalf("fake got %+v; want one post to %s", msgs, dm)
	}
	if strings.Contains(shown(t, msgs[0]), "Paging") || len(buttonsOf(t, msgs[0])) != 2 {
		t.Errorf("a direct message has both buttons and no mention:\n%s", msgs[0].Blocks)
	}
}

func TestAcknowledgedAndResolvedUpdateThePage(t *testing.T) {
	for _, tc := range []struct {
		kind, by, via, want string
	}{
		{alerting.MessageAcknowledged, member, "slack", "Acknowledged by <@" + member + "> via slack at 02:10"},
		{alerting.MessageAcknowledged, "rbkc-noise-1", "sms", "Acknowledged by rbkc-noise-1 via sms at 02:10"},
		{alerting.MessageResolved, "", "", "Resolved at 02:10"},
	} {
		t.Run(tc.kind+"-"+tc.via, func(t *testing.T) {
			f := newFixture(t)
			r, _, err := f.send(t, page())
			if err != nil {
				t.Fatal(err)
			}
			m := page()
			m.Kind, m.By, m.Via, m.Update = tc.kind, tc.by, tc.via, r.Ref
			r2, retry, err := f.send(t, m)
			if err != nil || retry {
				t.Fatalf("Send %s: retry=%v err=%v", tc.kind, retry, err)
			}
			if r2.Ref != r.Ref {
				t.Errorf("update Ref = %q; want the page's %q", r2.Ref, r.Ref)
			}
			channel, ts, _ := strings.Cut(r.Ref, "/")
			cur, _ := f.fake.Message(channel, ts)
			if cur.Method != "chat.update" {
				t.Fatalf("page not updated: %+v", f.fake.Messages())
			}
			if b := buttonsOf(t, cur); len(b) != 0 {
				t.Errorf("buttons still there after %s: %+v", tc.kind, b)
			}
			text := shown(t, cur)
			if !strings.Contains(text, tc.want) || !strings.Contains(text, "*Ref*\n12") {
				t.Errorf("updated message lacks %q or the details:\n%s", tc.want, text)
			}
		})
	}
}

func TestUpdateWithoutReferencePostsANewMessage(t *testing.T) {
	f := newFixture(t)
	m := page()
	m.Kind = alerting.MessageResolved
	r, _, err := f.send(t, m)
	if err != nil {
		t.Fatal(err)
	}
	msgs := f.fake.Messages()
	if len(msgs) != 1 || msgs[0].Method != "chat.postMessage" || !strings.Contains(msgs[0].Text, "SLABreached rbkc/noise (ref 12): Resolved at 02:10") {
		t.Fatalf("fake got %+v", msgs)
	}
	if !strings.HasPrefix(r.Ref, channelID+"/") || len(buttonsOf(t, msgs[0])) != 0 {
		t.Errorf("receipt %+v, message %s", r, msgs[0].Blocks)
	}
}

func TestUpdateOfAGoneMessagePostsANewOne(t *testing.T) {
	f := newFixture(t)
	m := page()
	m.Kind, m.Update = alerting.MessageResolved, channelID+"/1600000000.000100"
	if _, _, err := f.send(t, m); err != nil {
		t.Fatal(err)
	}
	if f.fake.Calls("chat.update") != 1 || f.fake.Calls("chat.postMessage") != 1 {
		t.Errorf("calls: update %d, post %d; want one chat.update (message_not_found) then one post",
			f.fake.Calls("chat.update"), f.fake.Calls("chat.postMessage"))
	}
}

func TestFailuresAreClassified(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(*slackfake.Server, *alerting.Message)
		retry  bool
		errHas []string
	}{
		{"outage", func(s *slackfake.Server, _ *alerting.Message) { s.SetOutage(true) }, true,
			[]string{"chat.postMessage to channel #rbkc-ooh", "http_503", "transient"}},
		{"rate limit", func(s *slackfake.Server, _ *alerting.Message) { s.SetRateLimit(30 * time.Second) }, true,
			[]string{"rate_limited (retry after 30s)", "transient"}},
		{"unknown channel", func(_ *slackfake.Server, m *alerting.Message) { m.To.SlackChannel = "#nowhere" }, false,
			[]string{"channel #nowhere", "channel_not_found", "permanent"}},
		{"not in channel", func(s *slackfake.Server, _ *alerting.Message) { s.FailChannel("#rbkc-ooh", "not_in_channel") }, false,
			[]string{"not_in_channel", "permanent"}},
		{"archived", func(s *slackfake.Server, _ *alerting.Message) { s.FailChannel(channelID, "is_archived") }, false,
			[]string{"is_archived"}},
		{"unknown member", func(_ *slackfake.Server, m *alerting.Message) {
			m.To.SlackChannel, m.To.SlackUser = "", catalog.NewPrivate("U0GONE001")
		}, false, []string{"to a direct message", "channel_not_found"}},
		{"inactive member", func(s *slackfake.Server, m *alerting.Message) {
			m.To.SlackChannel = ""
			s.FailChannel(member, "account_inactive")
		}, false, []string{"to a direct message", "account_inactive"}},
		{"slack internal error", func(s *slackfake.Server, _ *alerting.Message) { s.FailChannel(channelID, "internal_error") }, true,
			[]string{"internal_error", "transient"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			m := page()
			tc.setup(f.fake, &m)
			_, retry, err := f.send(t, m)
			if err == nil {
				t.Fatal("Send succeeded; want an error")
			}
			if retry != tc.retry {
				t.Errorf("retry = %v; want %v (err %v)", retry, tc.retry, err)
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			assertNoPersonalData(t, "error", err.Error())
			if strings.Contains(err.Error(), "U0GONE001") {
				t.Errorf("error names the member: %v", err)
			}
		})
	}
}

func TestWrongTokenIsPermanent(t *testing.T) {
	fake := slackfake.New(slackfake.Options{Token: token, Channels: map[string]string{"rbkc-ooh": channelID}})
	defer fake.Close()
	s, err := slack.New(slack.Options{Token: slack.NewSecret("xoxb-revoked"), APIURL: fake.URL(), Now: func() time.Time { return now }, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := s.Send(context.Background(), page())
	if err == nil || retry || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xoxb-revoked") {
		t.Errorf("retry=%v err=%v; want a permanent invalid_auth without the token", retry, err)
	}
}

func TestTimeoutIsTransient(t *testing.T) {
	// The server answers only when the client has gone (or after a bound,
	// so a broken client cannot hang the test).
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client closing
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	defer hang.Close()
	s, err := slack.New(slack.Options{Token: slack.NewSecret(token), APIURL: hang.URL + "/api",
		Timeout: 20 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := s.Send(context.Background(), page())
	if err == nil || !retry || !strings.Contains(err.Error(), "network") {
		t.Errorf("retry=%v err=%v; want a transient network error", retry, err)
	}
}

func TestBadMessagesAreRefusedBeforeSending(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		edit func(*alerting.Message)
		want string
	}{
		{"no recipient", func(m *alerting.Message) { m.To = alerting.Recipient{} }, "neither a Slack channel nor a Slack member id"},
		{"unknown kind", func(m *alerting.Message) { m.Kind = "poke" }, `message kind "poke"`},
		{"bad update ref", func(m *alerting.Message) { m.Kind, m.Update = alerting.MessageResolved, "SM123" }, `Message.Update "SM123" is not a Slack reference`},
	} {
		m := page()
		tc.edit(&m)
		_, retry, err := f.send(t, m)
		if err == nil || retry || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: retry=%v err=%v; want permanent %q", tc.name, retry, err, tc.want)
		}
	}
	if n := len(f.fake.Messages()); n != 0 {
		t.Errorf("%d messages reached Slack", n)
	}
}

func TestNewChecksOptions(t *testing.T) {
	for _, tc := range []struct {
		o    slack.Options
		want string
	}{
		{slack.Options{}, "Options.Token is empty"},
		{slack.Options{Token: slack.NewSecret("x"), Timeout: -time.Second}, "Options.Timeout is -1s"},
		{slack.Options{Token: slack.NewSecret("x"), APIURL: "slack.com/api"}, "not an http(s) URL"},
	} {
		if _, err := slack.New(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v; want %q", tc.o, err, tc.want)
		}
	}
	s, err := slack.New(slack.Options{Token: slack.NewSecret("x")})
	if err != nil || s.Channel() != alerting.ChannelSlack {
		t.Errorf("New: %v, channel %q", err, s.Channel())
	}
}

// TestLongTextIsClippedToSlackLimits: Slack refuses a header over 150
// characters (invalid_blocks); the page is clipped instead.
func TestLongTextIsClippedToSlackLimits(t *testing.T) {
	f := newFixture(t)
	m := page()
	m.AlertName = strings.Repeat("A", 200)
	m.Summary = strings.Repeat("s", 5000)
	if _, _, err := f.send(t, m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if h := blocksOf(t, f.fake.Messages()[0])[0].Text.Text; len([]rune(h)) != 150 || !strings.HasSuffix(h, "…") {
		t.Errorf("header = %q; want clipped to 150 with …", h)
	}
}
