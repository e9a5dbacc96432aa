package slackfake_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	slackgo "github.com/slack-go/slack"

	"github.com/slawatch/slawatch/alerting/slack/slackfake"
)

func newFake(t *testing.T) *slackfake.Server {
	s := slackfake.New(slackfake.Options{Token: "xoxb-t", Channels: map[string]string{"#ops": "C0OPS"}, Users: []string{"U0ANN"}})
	t.Cleanup(s.Close)
	return s
}

func client(s *slackfake.Server, token string) *slackgo.Client {
	return slackgo.New(token, slackgo.OptionAPIURL(s.URL()), slackgo.OptionHTTPClient(s.Client()))
}

func TestAuthTest(t *testing.T) {
	s := newFake(t)
	r, err := client(s, "xoxb-t").AuthTestContext(context.Background())
	if err != nil || r.UserID != slackfake.BotUserID || r.TeamID != slackfake.TeamID {
		t.Errorf("auth.test = %+v, %v", r, err)
	}
	if _, err := client(s, "xoxb-wrong").AuthTestContext(context.Background()); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("wrong token: %v; want invalid_auth", err)
	}
	if _, err := client(s, "").AuthTestContext(context.Background()); err == nil || err.Error() != "not_authed" {
		t.Errorf("no token: %v; want not_authed", err)
	}
}

// TestBearerToken: a raw call with the token in the Authorization header,
// as Slack recommends, is accepted; the JSON shape is Slack's.
func TestBearerToken(t *testing.T) {
	s := newFake(t)
	form := url.Values{"channel": {"ops"}, "text": {"hello"}}
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"chat.postMessage", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer xoxb-t")
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		OK      bool   `json:"ok"`
		Channel string `json:"channel"`
		TS      string `json:"ts"`
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if !out.OK || out.Channel != "C0OPS" || out.TS != "1700000000.000100" || out.Message.Text != "hello" {
		t.Errorf("response = %+v", out)
	}
}

func TestChatErrors(t *testing.T) {
	s := newFake(t)
	api := client(s, "xoxb-t")
	ctx := context.Background()
	long := strings.Repeat("x", 151)
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"unknown channel", func() error {
			_, _, err := api.PostMessageContext(ctx, "#nope", slackgo.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"no text", func() error { _, _, err := api.PostMessageContext(ctx, "#ops"); return err }, "no_text"},
		{"header too long", func() error {
			_, _, err := api.PostMessageContext(ctx, "#ops", slackgo.MsgOptionBlocks(
				slackgo.NewHeaderBlock(slackgo.NewTextBlockObject(slackgo.PlainTextType, long, false, false))))
			return err
		}, "invalid_blocks"},
		{"duplicate action ids", func() error {
			b := func() slackgo.BlockElement {
				return slackgo.NewButtonBlockElement("ack", "1", slackgo.NewTextBlockObject(slackgo.PlainTextType, "A", false, false))
			}
			_, _, err := api.PostMessageContext(ctx, "#ops", slackgo.MsgOptionBlocks(slackgo.NewActionBlock("a", b(), b())))
			return err
		}, "invalid_blocks"},
		{"update by name", func() error {
			_, ts, _ := api.PostMessageContext(ctx, "#ops", slackgo.MsgOptionText("x", false))
			_, _, _, err := api.UpdateMessageContext(ctx, "#ops", ts, slackgo.MsgOptionText("y", false))
			return err
		}, "channel_not_found"},
		{"update unknown ts", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, "C0OPS", "1.0", slackgo.MsgOptionText("y", false))
			return err
		}, "message_not_found"},
		{"ephemeral to unknown user", func() error {
			_, err := api.PostEphemeralContext(ctx, "C0OPS", "U0BOB", slackgo.MsgOptionText("y", false))
			return err
		}, "user_not_found"},
	} {
		if err := tc.call(); err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v; want %s", tc.name, err, tc.want)
		}
	}
}

func TestSwitches(t *testing.T) {
	s := newFake(t)
	api := client(s, "xoxb-t")
	ctx := context.Background()
	post := func() error {
		_, _, err := api.PostMessageContext(ctx, "U0ANN", slackgo.MsgOptionText("x", false))
		return err
	}
	s.SetOutage(true)
	if sc, ok := post().(slackgo.StatusCodeError); !ok || sc.Code != 503 {
		t.Errorf("outage: want StatusCodeError 503")
	}
	s.SetOutage(false)
	s.SetRateLimit(1500_000_000) // 1.5s → Retry-After: 2
	if rl, ok := post().(*slackgo.RateLimitedError); !ok || rl.RetryAfter.Seconds() != 2 {
		t.Errorf("rate limit: want RateLimitedError after 2s")
	}
	s.SetRateLimit(0)
	s.FailChannel("U0ANN", "user_disabled")
	if err := post(); err == nil || err.Error() != "user_disabled" {
		t.Errorf("per-channel failure: %v", err)
	}
	s.FailChannel("U0ANN", "")
	if err := post(); err != nil {
		t.Errorf("after clearing: %v", err)
	}
	if got := s.Messages(); len(got) != 1 || got[0].Channel != slackfake.DMChannel("U0ANN") {
		t.Errorf("messages = %+v; want one direct message", got)
	}
	if s.Calls("chat.postMessage") != 4 {
		t.Errorf("calls = %d; want 4 (failed ones count)", s.Calls("chat.postMessage"))
	}
}

func TestPressNamesTheButton(t *testing.T) {
	s := newFake(t)
	api := client(s, "xoxb-t")
	ch, ts, err := api.PostMessageContext(context.Background(), "#ops", slackgo.MsgOptionBlocks(slackgo.NewActionBlock("acts",
		slackgo.NewButtonBlockElement("ack", "12", slackgo.NewTextBlockObject(slackgo.PlainTextType, "Ack", false, false)))))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := s.Press(ch, ts, "ack", "U0ANN")
	if err != nil {
		t.Fatal(err)
	}
	var ic slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &ic); err != nil {
		t.Fatal(err)
	}
	a := ic.ActionCallback.BlockActions
	if ic.Type != slackgo.InteractionTypeBlockActions || len(a) != 1 || a[0].ActionID != "ack" || a[0].Value != "12" ||
		a[0].BlockID != "acts" || ic.User.ID != "U0ANN" || ic.Container.ChannelID != ch || ic.Container.MessageTs != ts ||
		len(ic.Message.Blocks.BlockSet) != 1 {
		t.Errorf("slack-go reads the payload as %+v", ic)
	}
	if _, err := s.Press(ch, ts, "escalate", "U0ANN"); err == nil {
		t.Error("pressing a button the message lacks should fail")
	}
}
