package loneworker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/slawatch/slawatch/alerting/sms"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Replies of the SMS webhook that do not depend on a session.
const (
	NotRegisteredReply = "This number is not registered for lone-worker check-in. Nothing was recorded. Call the lone-worker line to use your PIN, or the duty manager."
	SMSFailedReply     = "Sorry, that was NOT recorded: the service has a fault. Try again, or call the duty manager."
)

// SMSWebhook is the handler for Twilio's inbound-SMS webhook of the
// lone-worker number (default path DefaultSMSPath): officers text IN, OUT,
// EXT and HELP (ParseCommand). The sender is identified by From (their
// sms number in the catalogue); every action is stored before the TwiML
// reply says it was taken, and a refused one says why and stores nothing.
// Logs carry the command, the outcome and the session id, never a
// number, an officer or an address.
func (s *Service) SMSWebhook(o WebhookOptions) (*Webhook, error) {
	w, err := s.newWebhook(o, DefaultSMSPath, "lone-worker SMS webhook")
	if err != nil {
		return nil, err
	}
	w.serve = func(rw http.ResponseWriter, r *http.Request, form url.Values) { s.serveSMS(w.log, rw, r, form) }
	return w, nil
}

// smsOfficer is the officer who sent an SMS.
type smsOfficer struct {
	id, po, phone string
	groups        []string
}

// smsResult is what an SMS command did: the reply, and what to log.
type smsResult struct {
	reply   string
	outcome string // checked_in, refused_duplicate, …
	session int64
	group   string
	err     error // why it failed (outcome "failed"), for the log
}

func (s *Service) serveSMS(log *slog.Logger, rw http.ResponseWriter, r *http.Request, form url.Values) {
	from := form.Get("From")
	if from == "" {
		http.Error(rw, "want From, the sender's number", http.StatusBadRequest)
		return
	}
	if t := strings.ToUpper(form.Get("OptOutType")); t == "STOP" || t == "START" {
		sms.WriteReply(rw, "") // Twilio confirms opt-outs itself
		return
	}
	ctx := r.Context()
	res := s.smsCommand(ctx, from, form.Get("Body"))
	attrs := []slog.Attr{slog.String("outcome", res.outcome), slog.String("sid", form.Get("MessageSid"))}
	if res.session != 0 {
		attrs = append(attrs, slog.Int64("session", res.session))
	}
	if res.group != "" {
		attrs = append(attrs, slog.String("staff_group", res.group))
	}
	level := slog.LevelInfo
	if res.err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("err", res.err.Error()))
	}
	log.LogAttrs(ctx, level, "lone-worker SMS", attrs...)
	sms.WriteReply(rw, res.reply)
}

// SMSCommand handles a lone-worker command texted to another number that
// shares the service: the pager's, which sends the reminders, so that an
// officer replying OUT to one is heard (alerting/sms WebhookOptions.Commands).
// handled is false when the sender is not a lone-worker officer: the
// caller answers as it would have.
func (s *Service) SMSCommand(ctx context.Context, from, body string) (reply string, handled bool) {
	res := s.smsCommand(ctx, from, body)
	if res.outcome == "unknown_number" {
		return "", false
	}
	attrs := []slog.Attr{slog.String("outcome", res.outcome), slog.String("via", "paging number")}
	level := slog.LevelInfo
	if res.err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("err", res.err.Error()))
	}
	s.o.Logger.LogAttrs(ctx, level, "lone-worker SMS", attrs...)
	return res.reply, true // the paging webhook writes it in GSM-7
}

// smsCommand identifies the sender, parses the body and acts.
func (s *Service) smsCommand(ctx context.Context, from, body string) smsResult {
	cat, err := s.catalogue(ctx)
	if err != nil {
		return smsResult{reply: SMSFailedReply, outcome: "failed", err: err}
	}
	p, po, groups, ok := cat.OfficerBy(from)
	if !ok {
		return smsResult{reply: NotRegisteredReply, outcome: "unknown_number"}
	}
	who := smsOfficer{id: p.ID, po: po, phone: from, groups: groups}
	cmd, err := ParseCommand(body)
	var ce *CommandError
	if errors.As(err, &ce) {
		return smsResult{reply: ce.Reply, outcome: "malformed"}
	}
	var res smsResult
	switch cmd.Kind {
	case CmdIn:
		res = s.smsIn(ctx, cat, who, cmd)
	case CmdOut:
		res = s.smsOut(ctx, cat, who)
	case CmdExtend:
		res = s.smsExtend(ctx, cat, who, cmd.Minutes)
	default:
		res = smsResult{reply: CommandUsage + " Your groups: " + groupList(groups) + ".", outcome: "help"}
	}
	return res
}

func (s *Service) smsIn(ctx context.Context, cat *catalog.Catalog, who smsOfficer, cmd Command) smsResult {
	group, note := who.groups[0], ""
	switch {
	case cmd.Group != "":
		g, ok := resolveGroup(cmd.Group, who.groups)
		if !ok {
			return smsResult{outcome: "refused_group", reply: fmt.Sprintf("%q is not one of your groups: %s. Nothing was recorded. E.g. IN %s 30",
				clip(cmd.Group), groupList(who.groups), shortName(who.groups[len(who.groups)-1]))}
		}
		group = g
	case len(who.groups) > 1:
		note = fmt.Sprintf(" Group %s: you are in %d groups, name one to choose, e.g. IN %s 30.", group, len(who.groups),
			shortName(who.groups[1]))
	}
	g, ok := cat.StaffGroup(who.po, group)
	if !ok { // the officer's own group: the catalogue changed under us
		return smsResult{outcome: "failed", reply: SMSFailedReply, err: fmt.Errorf("staff group %s of %s gone from the catalogue", group, who.po)}
	}
	if cmd.Minutes > g.MaxMinutes {
		return smsResult{outcome: "refused_minutes", group: group, reply: fmt.Sprintf(
			"%s visits are at most %d minutes. Nothing was recorded. Send IN %d or less.", group, g.MaxMinutes, g.MaxMinutes)}
	}
	sess, err := s.CheckIn(ctx, CheckIn{PO: who.po, StaffGroup: group, Officer: who.id, Phone: who.phone,
		Location: cmd.Location, Minutes: cmd.Minutes, Via: store.ViaSMS, By: who.id})
	var open *store.SessionOpenError
	switch {
	case errors.As(err, &open):
		return s.smsDuplicate(ctx, cat, open.ID, group)
	case errors.Is(err, ErrInvalid):
		return smsResult{outcome: "refused_invalid", group: group,
			reply: "Check-in refused by the catalogue; nothing was recorded. Call the duty manager."}
	case err != nil:
		return smsResult{outcome: "failed", group: group, reply: SMSFailedReply, err: err}
	}
	now := s.o.Now()
	reply := fmt.Sprintf("Checked in: session %d (%s), check out by %s. Reply OUT when safe", sess.ID, group,
		clockText(sess.Deadline, now, cat.Location()))
	if g.Extensions() > 0 {
		reply += ", EXT 15 to extend"
	}
	return smsResult{outcome: "checked_in", session: sess.ID, group: group, reply: reply + "." + note}
}

// smsDuplicate answers an IN from an officer whose session id is open.
func (s *Service) smsDuplicate(ctx context.Context, cat *catalog.Catalog, id int64, group string) smsResult {
	res := smsResult{outcome: "refused_duplicate", session: id, group: group}
	cur, err := s.o.Store.Session(ctx, id)
	switch {
	case err != nil:
		res.reply = fmt.Sprintf("You already have session %d open; nothing new was recorded. Send OUT first, then IN again.", id)
	case cur.State == store.SessionOverdue || !s.o.Now().Before(cur.Deadline):
		res.reply = fmt.Sprintf("Session %d is past its deadline and the alarm is raised; nothing new was recorded. Reply OUT if you are safe, then IN again.", id)
	default:
		res.reply = fmt.Sprintf("You already have session %d open until %s; nothing new was recorded. Send OUT first, then IN again.", id,
			clockText(cur.Deadline, s.o.Now(), cat.Location()))
	}
	return res
}

func (s *Service) smsOut(ctx context.Context, cat *catalog.Catalog, who smsOfficer) smsResult {
	sess, err := s.CheckOutOfficer(ctx, who.po, who.id, store.ViaSMS)
	switch {
	case errors.Is(err, ErrNoOpenSession), errors.Is(err, store.ErrSessionClosed):
		return smsResult{outcome: "refused_no_session", reply: "You have no open session, so nothing was checked out. Send IN to check in."}
	case err != nil:
		return smsResult{outcome: "failed", reply: SMSFailedReply, err: err}
	}
	reply := fmt.Sprintf("Checked out: session %d is closed at %s. Stay safe.", sess.ID, clockText(sess.CheckedOut, s.o.Now(), cat.Location()))
	if sess.AlarmRaised {
		reply = fmt.Sprintf("Checked out: session %d is closed and its alarm cancelled; everyone paged is told.", sess.ID)
	}
	return smsResult{outcome: "checked_out", session: sess.ID, group: sess.StaffGroup, reply: reply}
}

func (s *Service) smsExtend(ctx context.Context, cat *catalog.Catalog, who smsOfficer, minutes int) smsResult {
	cur, err := s.OpenSessionOf(ctx, who.po, who.id)
	switch {
	case errors.Is(err, ErrNoOpenSession):
		return smsResult{outcome: "refused_no_session", reply: "You have no open session to extend. Send IN to check in."}
	case err != nil:
		return smsResult{outcome: "failed", reply: SMSFailedReply, err: err}
	}
	res := smsResult{session: cur.ID, group: cur.StaffGroup}
	sess, err := s.Extend(ctx, cur.ID, minutes, store.ViaSMS, who.id)
	switch {
	case errors.Is(err, store.ErrSessionOverdue):
		res.outcome, res.reply = "refused_overdue", fmt.Sprintf(
			"Too late to extend: session %d is past its deadline and the alarm is raised. Reply OUT if you are safe, then IN again.", cur.ID)
	case errors.Is(err, store.ErrExtensionRefused):
		res.outcome, res.reply = "refused_extension", fmt.Sprintf("Extension refused: %s. Your deadline is still %s.",
			extensionRefusal(cat, cur, minutes), clockText(cur.Deadline, s.o.Now(), cat.Location()))
	case errors.Is(err, store.ErrSessionClosed):
		res.outcome, res.reply = "refused_no_session", "You have no open session to extend. Send IN to check in."
	case errors.Is(err, ErrInvalid):
		res.outcome, res.reply = "refused_invalid", "Extension refused; nothing was recorded. Call the duty manager."
	case err != nil:
		res.outcome, res.reply, res.err = "failed", SMSFailedReply, err
	default:
		res.outcome, res.reply = "extended", fmt.Sprintf("Extended: session %d, new deadline %s. Reply OUT when safe.", sess.ID,
			clockText(sess.Deadline, s.o.Now(), cat.Location()))
	}
	return res
}

// extensionRefusal says why extending cur by minutes is refused (SMS and
// voice).
func extensionRefusal(cat *catalog.Catalog, cur store.LoneWorkerSession, minutes int) string {
	g, ok := cat.StaffGroup(cur.PO, cur.StaffGroup)
	if !ok {
		return "the staff group is no longer in the catalogue"
	}
	left := int((g.Max() - cur.Deadline.Sub(cur.Started)).Minutes())
	switch {
	case g.Extensions() == 0:
		return fmt.Sprintf("%s sessions cannot be extended", g.ID)
	case cur.Extensions >= g.Extensions():
		return fmt.Sprintf("extended %d times already, the most allowed", cur.Extensions)
	case left < 1:
		return fmt.Sprintf("the session is at its maximum of %d minutes", g.MaxMinutes)
	}
	return fmt.Sprintf("%d minutes would pass the maximum of %d; at most %d more", minutes, g.MaxMinutes, left)
}

// shortName is how an officer may name a group: its alias, else its id.
func shortName(id string) string {
	if a := groupAlias(id); a != "" {
		return a
	}
	return id
}
