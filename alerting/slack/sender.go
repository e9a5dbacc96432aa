package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/slawatch/slawatch/alerting"
)

// DefaultTimeout bounds each Web API call when Options.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// Options configures a Sender.
type Options struct {
	// Token is the bot token (xoxb-…). Required.
	Token Secret
	// APIURL is the Web API base URL, "https://slack.com/api/" when "";
	// tests point it at slackfake.Server.URL().
	APIURL string
	// HTTPClient makes the calls (http.DefaultClient's transport when nil).
	// Each call is bounded by Timeout through its context, not by the client.
	HTTPClient *http.Client
	// Logger gets one line per call, never a member id (slog.Default when nil).
	Logger *slog.Logger
	// Timeout bounds each Web API call (DefaultTimeout when 0).
	Timeout time.Duration
	// Now is the clock for "Acknowledged … at HH:MM" (time.Now when nil).
	Now func() time.Time
	// Location is the time zone shown to people (Europe/London when nil).
	Location *time.Location
}

// Sender posts pages to Slack and updates them; it implements
// alerting.Sender for alerting.ChannelSlack.
type Sender struct {
	api     *slackgo.Client
	log     *slog.Logger
	timeout time.Duration
	now     func() time.Time
	loc     *time.Location
}

var _ alerting.Sender = (*Sender)(nil)

// New checks o and builds a Sender.
func New(o Options) (*Sender, error) {
	if o.Token.IsZero() {
		return nil, errors.New("slack: Options.Token is empty; want the app's bot token (xoxb-…)")
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("slack: Options.Timeout is %s; want a positive duration, or 0 for %s", o.Timeout, DefaultTimeout)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			return nil, fmt.Errorf("slack: no time zone data for Europe/London (set Options.Location or import time/tzdata): %w", err)
		}
		o.Location = loc
	}
	opts := []slackgo.Option{}
	if o.APIURL != "" {
		u := o.APIURL
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil, fmt.Errorf("slack: Options.APIURL %q is not an http(s) URL; want e.g. https://slack.com/api/", u)
		}
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slackgo.OptionAPIURL(u))
	}
	if o.HTTPClient != nil {
		opts = append(opts, slackgo.OptionHTTPClient(o.HTTPClient))
	}
	return &Sender{
		api:     slackgo.New(o.Token.Reveal(), opts...),
		log:     o.Logger,
		timeout: o.Timeout,
		now:     o.Now,
		loc:     o.Location,
	}, nil
}

// Channel is alerting.ChannelSlack.
func (s *Sender) Channel() string { return alerting.ChannelSlack }

// Send posts a page (MessagePage) or updates the earlier page named by
// m.Update (MessageAcknowledged, MessageResolved; a new short message when
// m.Update is ""). The receipt's Ref is "<channel id>/<ts>".
func (s *Sender) Send(ctx context.Context, m alerting.Message) (alerting.Receipt, bool, error) {
	switch m.Kind {
	case alerting.MessagePage:
		return s.page(ctx, m)
	case alerting.MessageAcknowledged, alerting.MessageResolved:
		return s.update(ctx, m)
	}
	return alerting.Receipt{}, false, fmt.Errorf("slack: message kind %q; want %q, %q or %q",
		m.Kind, alerting.MessagePage, alerting.MessageAcknowledged, alerting.MessageResolved)
}

func (s *Sender) page(ctx context.Context, m alerting.Message) (alerting.Receipt, bool, error) {
	d, err := destOf(m.To)
	if err != nil {
		return alerting.Receipt{}, false, err
	}
	v := s.view(m)
	return s.post(ctx, m, d, pageText(v), pageBlocks(v, d.mention())...)
}

func (s *Sender) update(ctx context.Context, m alerting.Message) (alerting.Receipt, bool, error) {
	v := s.view(m)
	line := closedLine(m, s.now().In(s.loc))
	if m.Update == "" {
		d, err := destOf(m.To)
		if err != nil {
			return alerting.Receipt{}, false, err
		}
		return s.post(ctx, m, d, noticeText(v, line), noticeBlocks(v, line)...)
	}
	channel, ts, ok := splitRef(m.Update)
	if !ok {
		return alerting.Receipt{}, false, fmt.Errorf("slack: Message.Update %q is not a Slack reference; want \"<channel id>/<ts>\" as returned in the page's receipt", m.Update)
	}
	d := dest{label: labelOfID(channel)}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, _, _, err := s.api.UpdateMessageContext(ctx, channel, ts,
		slackgo.MsgOptionText(noticeText(v, line), false),
		slackgo.MsgOptionBlocks(closedBlocks(v, line)...))
	if err != nil {
		if code := codeOf(err); code == "message_not_found" || code == "cant_update_message" {
			// The page is gone (deleted, or too old to edit): tell the
			// recipient in a new message instead.
			s.log.Info("slack message to update is gone; posting a new one",
				"incident", m.IncidentID, "page", m.PageID, "code", code)
			if nd, derr := destOf(m.To); derr == nil {
				return s.post(parent, m, nd, noticeText(v, line), noticeBlocks(v, line)...)
			}
		}
		retry, err := sendError("chat.update", d, err)
		s.log.Warn("slack update failed", "incident", m.IncidentID, "page", m.PageID, "kind", m.Kind, "err", err, "retry", retry)
		return alerting.Receipt{}, retry, err
	}
	s.log.Info("slack message updated", "incident", m.IncidentID, "page", m.PageID, "kind", m.Kind, "to", d.label)
	return alerting.Receipt{Ref: m.Update, Delivered: true}, false, nil
}

// post is chat.postMessage to d, bounded by the timeout.
func (s *Sender) post(ctx context.Context, m alerting.Message, d dest, text string, blocks ...slackgo.Block) (alerting.Receipt, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	channel, ts, err := s.api.PostMessageContext(ctx, d.to.Reveal(),
		slackgo.MsgOptionText(text, false), slackgo.MsgOptionBlocks(blocks...))
	if err != nil {
		retry, err := sendError("chat.postMessage", d, err)
		s.log.Warn("slack post failed", "incident", m.IncidentID, "page", m.PageID, "kind", m.Kind, "err", err, "retry", retry)
		return alerting.Receipt{}, retry, err
	}
	s.log.Info("slack message posted", "incident", m.IncidentID, "page", m.PageID, "kind", m.Kind, "to", d.label)
	return alerting.Receipt{Ref: channel + "/" + ts, Delivered: true}, false, nil
}

// splitRef splits a receipt's Ref "<channel id>/<ts>".
func splitRef(ref string) (channel, ts string, ok bool) {
	channel, ts, ok = strings.Cut(ref, "/")
	return channel, ts, ok && channel != "" && ts != "" && !strings.Contains(ts, "/")
}
