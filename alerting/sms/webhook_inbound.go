package sms

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/slawatch/slawatch/alerting"
)

// Replies to inbound SMS the Responder does not write.
const (
	HelpReply     = "Reply with the code in the page, e.g. 12A"
	AckErrorReply = "Sorry, your ack was not recorded. Try again or call the duty manager."
)

// inbound handles a verified inbound SMS: From and Body, and with
// Twilio's Advanced Opt-Out also OptOutType.
func (w *Webhooks) inbound(rw http.ResponseWriter, r *http.Request, form url.Values) {
	from := form.Get("From")
	if from == "" {
		http.Error(rw, "want From, the sender's number", http.StatusBadRequest)
		return
	}
	reply := ParseReply(form.Get("Body"))
	switch strings.ToUpper(form.Get("OptOutType")) { // Twilio's own reading wins
	case "STOP":
		reply = Reply{Kind: ReplyStop}
	case "START":
		reply = Reply{Kind: ReplyStart}
	}
	ctx := r.Context()
	w.log.LogAttrs(ctx, slog.LevelInfo, "inbound SMS", slog.String("kind", reply.Kind.String()),
		slog.String("sid", form.Get("MessageSid")))
	switch reply.Kind {
	case ReplyStop, ReplyStart:
		// Twilio confirms opt-outs and opt-ins itself: no reply of ours.
		if err := w.o.Responder.OptOut(ctx, alerting.ChannelSMS, from, reply.Kind == ReplyStop); err != nil {
			w.log.LogAttrs(ctx, slog.LevelError, "recording an SMS opt-out failed",
				slog.String("kind", reply.Kind.String()), slog.String("error", err.Error()))
			http.Error(rw, "could not record the opt-out", http.StatusInternalServerError)
			return
		}
		WriteReply(rw, "")
	case ReplyAck:
		text, err := w.o.Responder.AckCode(ctx, alerting.ChannelSMS, from, reply.Code)
		if err != nil {
			w.log.LogAttrs(ctx, slog.LevelError, "SMS ack failed",
				slog.String("code", reply.Code), slog.String("error", err.Error()))
			text = AckErrorReply
		}
		WriteReply(rw, text)
	default:
		if w.o.Commands != nil {
			if text, ok := w.o.Commands(ctx, from, form.Get("Body")); ok {
				WriteReply(rw, text)
				return
			}
		}
		WriteReply(rw, HelpReply)
	}
}
