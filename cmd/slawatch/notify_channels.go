package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/slack"
	"github.com/slawatch/slawatch/alerting/sms"
)

// Environment variables of the notifier's channels. Secrets come from the
// environment (or the container's secret files via the shell), never flags:
// flags show in ps.
const (
	envSlackToken       = "SLAWATCH_SLACK_TOKEN"
	envSlackSigning     = "SLAWATCH_SLACK_SIGNING_SECRET"
	envSlackAPIURL      = "SLAWATCH_SLACK_API_URL"
	envTwilioAccountSID = "SLAWATCH_TWILIO_ACCOUNT_SID"
	envTwilioAuthToken  = "SLAWATCH_TWILIO_AUTH_TOKEN"
	envTwilioFrom       = "SLAWATCH_TWILIO_FROM" // a number, or a Messaging Service SID (MG…)
	envTwilioAPIURL     = "SLAWATCH_TWILIO_API_URL"
)

// SlackInteractionsPath is where Slack posts button presses.
const SlackInteractionsPath = "/api/v1/slack/interactions"

// channels are the notifier's senders and the webhooks that come back.
type channels struct {
	senders  []alerting.Sender
	slack    *slack.Sender
	sms      *sms.Sender
	handlers map[string]http.Handler // path -> inbound webhook
	wait     func()                  // background work of the handlers
	summary  []string
}

// buildChannels reads the channel settings from getenv. Slack needs a
// token (and a signing secret for its buttons); SMS an account, token and
// sender, and a public URL for receipts and replies. The console and file
// sinks are added as asked; with no channel at all, the console.
//
// commands, when not nil, is offered the texts to the paging number that
// are not ack codes (lone workers replying to their reminders).
func buildChannels(getenv func(string) string, log *slog.Logger, publicURL string, console bool, file string,
	stdout io.Writer, responder alerting.Responder, commands func(ctx context.Context, from, body string) (string, bool)) (*channels, error) {
	ch := &channels{handlers: map[string]http.Handler{}, wait: func() {}}
	if tok := getenv(envSlackToken); tok != "" {
		s, err := slack.New(slack.Options{Token: slack.NewSecret(tok), APIURL: getenv(envSlackAPIURL), Logger: log.With("channel", "slack")})
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		ch.slack = s
		ch.senders = append(ch.senders, s)
		ch.summary = append(ch.summary, "slack")
		if sec := getenv(envSlackSigning); sec != "" {
			ih, err := slack.NewInteractions(slack.InteractionsOptions{SigningSecret: slack.NewSecret(sec), Responder: responder,
				Sender: s, Logger: log.With("channel", "slack")})
			if err != nil {
				return nil, fmt.Errorf("slack buttons: %w", err)
			}
			ch.handlers[SlackInteractionsPath] = ih
			ch.wait = ih.Wait
			ch.summary = append(ch.summary, "slack buttons at "+SlackInteractionsPath)
		} else {
			log.Warn("no " + envSlackSigning + ": Slack pages go out, but their buttons are refused (acknowledge by SMS code or slawatch ack)")
		}
	}
	if sid := getenv(envTwilioAccountSID); sid != "" {
		tok, from := getenv(envTwilioAuthToken), getenv(envTwilioFrom)
		if tok == "" || from == "" {
			return nil, fmt.Errorf("SMS: %s is set, so %s and %s are needed too", envTwilioAccountSID, envTwilioAuthToken, envTwilioFrom)
		}
		if publicURL == "" {
			return nil, fmt.Errorf("SMS: --public-url is needed: Twilio posts delivery receipts and replies (acks, STOP) to it")
		}
		wh, err := sms.NewWebhooks(sms.WebhookOptions{AuthToken: sms.NewSecret(tok), PublicURL: publicURL, Responder: responder,
			Commands: commands, Logger: log.With("channel", "sms")})
		if err != nil {
			return nil, fmt.Errorf("SMS webhooks: %w", err)
		}
		o := sms.Options{AccountSID: sid, AuthToken: sms.NewSecret(tok), From: from,
			StatusCallbackURL: wh.StatusCallbackURL(), BaseURL: getenv(envTwilioAPIURL), Logger: log.With("channel", "sms")}
		if strings.HasPrefix(from, "MG") { // a Messaging Service rather than a number
			o.From, o.MessagingServiceSID = "", from
		}
		s, err := sms.NewSender(o)
		if err != nil {
			return nil, fmt.Errorf("SMS: %w", err)
		}
		ch.sms = s
		ch.senders = append(ch.senders, s)
		ch.handlers[sms.DefaultStatusPath] = wh.Status()
		ch.handlers[sms.DefaultInboundPath] = wh.Inbound()
		ch.summary = append(ch.summary, "sms (receipts at "+wh.StatusCallbackURL()+", replies at "+wh.InboundURL()+")")
	}
	if console || (file == "" && len(ch.senders) == 0) {
		ch.senders = append(ch.senders, alerting.NewConsoleSender(stdout, nil))
		ch.summary = append(ch.summary, "console")
	}
	if file != "" {
		ch.senders = append(ch.senders, alerting.NewFileSender(file, nil))
		ch.summary = append(ch.summary, "file "+file)
	}
	return ch, nil
}

func (c *channels) String() string { return strings.Join(c.summary, ", ") }
