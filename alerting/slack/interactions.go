package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/slawatch/slawatch/alerting"
)

// MaxBodyBytes bounds an interactive callback's body.
const MaxBodyBytes = 1 << 20

// DefaultActTimeout bounds Responder.Act when InteractionsOptions.ActTimeout
// is 0: Slack wants the HTTP answer within 3 seconds.
const DefaultActTimeout = 2 * time.Second

// InteractionsOptions configures the Interactions handler.
type InteractionsOptions struct {
	// SigningSecret is the Slack app's signing secret. Required.
	SigningSecret Secret
	// Responder applies the button presses (the pager). Required.
	Responder alerting.Responder
	// Sender updates the pressed message. Required.
	Sender *Sender
	// Logger gets one line per callback, never a member id (slog.Default when nil).
	Logger *slog.Logger
	// Now is the clock the request timestamp is checked against (time.Now when nil).
	Now func() time.Time
	// ActTimeout bounds Responder.Act (DefaultActTimeout when 0).
	ActTimeout time.Duration
}

// Interactions is the http.Handler for Slack's interactive callbacks (the
// app's Interactivity Request URL). For a press of a page's Acknowledge or
// Escalate button it:
//
//   - answers 405 to anything but POST, 413 past MaxBodyBytes, 401 when the
//     signature is missing or wrong or the timestamp is more than
//     MaxRequestAge from now, and 400 (with the reason) when the payload
//     is not a block_actions press of our buttons; Act is not called then;
//   - calls Responder.Act, bounded by ActTimeout, and answers 200;
//   - then, in the background (see Wait), redraws the pressed message with
//     the Outcome's text: without the buttons once the incident is
//     acknowledged or resolved, with them while it still fires (after an
//     escalation, so someone else can still take it);
//   - when Act fails it still answers 200 (Slack would show any other
//     status as a bare "something went wrong") and posts an ephemeral
//     message that only the presser sees, saying it did not work and to try
//     again or phone the duty manager; the buttons stay.
type Interactions struct {
	secret     Secret
	responder  alerting.Responder
	sender     *Sender
	log        *slog.Logger
	now        func() time.Time
	actTimeout time.Duration
	wg         sync.WaitGroup
}

// NewInteractions checks o and builds the handler.
func NewInteractions(o InteractionsOptions) (*Interactions, error) {
	switch {
	case o.SigningSecret.IsZero():
		return nil, errors.New("slack: InteractionsOptions.SigningSecret is empty; want the app's signing secret (Basic Information page)")
	case o.Responder == nil:
		return nil, errors.New("slack: InteractionsOptions.Responder is nil; want the pager")
	case o.Sender == nil:
		return nil, errors.New("slack: InteractionsOptions.Sender is nil; want the Sender that posted the pages")
	case o.ActTimeout < 0:
		return nil, fmt.Errorf("slack: InteractionsOptions.ActTimeout is %s; want a positive duration, or 0 for %s", o.ActTimeout, DefaultActTimeout)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ActTimeout == 0 {
		o.ActTimeout = DefaultActTimeout
	}
	return &Interactions{secret: o.SigningSecret, responder: o.Responder, sender: o.Sender,
		log: o.Logger, now: o.Now, actTimeout: o.ActTimeout}, nil
}

// ServeHTTP handles one callback; see Interactions.
func (h *Interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "slack interactions: use POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, fmt.Sprintf("slack interactions: body over %d bytes", MaxBodyBytes), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "slack interactions: reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := verifySignature(r.Header, body, h.secret.Reveal(), h.now()); err != nil {
		h.log.Warn("slack callback refused", "reason", err)
		http.Error(w, "slack interactions: "+err.Error(), http.StatusUnauthorized)
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		http.Error(w, fmt.Sprintf("slack interactions: Content-Type %q; want application/x-www-form-urlencoded", clip(ct, 60)), http.StatusBadRequest)
		return
	}
	p, err := parsePress(body)
	if err != nil {
		h.log.Warn("slack callback malformed", "err", err)
		http.Error(w, "slack interactions: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.actTimeout)
	out, actErr := h.responder.Act(ctx, p.IncidentID, p.Action, alerting.ChannelSlack, p.User)
	cancel()
	w.WriteHeader(http.StatusOK)

	if actErr != nil {
		h.log.Error("slack button press failed", "incident", p.IncidentID, "action", p.Action, "err", actErr)
	} else {
		h.log.Info("slack button pressed", "incident", p.IncidentID, "action", p.Action, "status", out.Status)
	}
	if p.Channel == "" || p.TS == "" {
		h.log.Warn("slack callback names no message; not updating it", "incident", p.IncidentID)
		return
	}
	bg := context.WithoutCancel(r.Context())
	h.wg.Go(func() {
		if actErr != nil {
			h.tellFailure(bg, p)
			return
		}
		h.redraw(bg, p, out)
	})
}

// Wait returns when the message updates started by earlier callbacks are
// done (each is bounded by the Sender's Timeout). Call it after the HTTP
// server has stopped taking requests, before exiting; tests call it after
// ServeHTTP, before looking at the fake.
func (h *Interactions) Wait() { h.wg.Wait() }

// redraw replaces the pressed message with the outcome.
func (h *Interactions) redraw(ctx context.Context, p press, out alerting.Outcome) {
	line := out.Text
	if line == "" {
		verb := "Acknowledged"
		if p.Action == alerting.ActionEscalate {
			verb = "Escalated"
		}
		line = verb + " by <@" + p.User + "> at " + h.now().In(h.sender.loc).Format("15:04")
	}
	keep := out.Status == "firing" || (out.Status == "" && p.Action == alerting.ActionEscalate)
	blocks := afterAction(p.Blocks, line, keep)
	if err := h.sender.updateMessage(ctx, p.Channel, p.TS, line, blocks); err != nil {
		h.log.Warn("slack message not redrawn after a button press", "incident", p.IncidentID, "err", err)
	}
}

// tellFailure shows the presser, and only them, that the press did not work.
func (h *Interactions) tellFailure(ctx context.Context, p press) {
	verb := "acknowledge"
	if p.Action == alerting.ActionEscalate {
		verb = "escalate"
	}
	text := fmt.Sprintf(":warning: Could not %s incident %d: please try again, or phone the duty manager.", verb, p.IncidentID)
	if err := h.sender.ephemeral(ctx, p.Channel, p.User, text); err != nil {
		h.log.Warn("slack failure notice not posted", "incident", p.IncidentID, "err", err)
	}
}

// updateMessage is chat.update of channel/ts, bounded by the timeout.
func (s *Sender) updateMessage(ctx context.Context, channel, ts, text string, blocks []slackgo.Block) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, _, _, err := s.api.UpdateMessageContext(ctx, channel, ts, slackgo.MsgOptionText(text, false), slackgo.MsgOptionBlocks(blocks...))
	if err != nil {
		_, err = sendError("chat.update", dest{label: labelOfID(channel)}, err)
	}
	return err
}

// ephemeral is chat.postEphemeral to user in channel, bounded by the timeout.
func (s *Sender) ephemeral(ctx context.Context, channel, user, text string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.api.PostEphemeralContext(ctx, channel, user, slackgo.MsgOptionText(text, false))
	if err != nil {
		_, err = sendError("chat.postEphemeral", dest{label: labelOfID(channel)}, err)
	}
	return err
}
