package alerting

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/store"
)

// The pager answers the inbound webhooks (Responder) and the duty
// manager's console (Acknowledge, Escalate).
var _ Responder = (*Pager)(nil)

// Receipt records a provider's delivery status; a failed or undelivered
// page falls back (see fallback).
func (p *Pager) Receipt(ctx context.Context, channel, ref, status string, at time.Time, detail string) error {
	changed, err := p.opts.Store.RecordReceipt(ctx, channel, ref, status, at, detail)
	if err != nil || len(changed) == 0 {
		return err
	}
	var events []store.EscalationEvent
	var failed []store.Page
	for _, pg := range changed {
		switch pg.Status {
		case store.PageDelivered:
			events = append(events, pageEvent(pg, store.EscDelivered, at, "receipt "+status))
			p.m.pages.WithLabelValues(pg.Channel, "delivered").Inc()
			p.m.delivery.WithLabelValues(pg.Channel).Observe(at.Sub(pg.Created).Seconds())
		case store.PageFailed, store.PageUndelivered:
			events = append(events, pageEvent(pg, store.EscUndelivered, at, strings.TrimSpace("receipt "+status+" "+detail)))
			p.m.pages.WithLabelValues(pg.Channel, pg.Status).Inc()
			failed = append(failed, pg)
		}
	}
	if err := p.opts.Store.AddEscalationEvents(ctx, events...); err != nil {
		return err
	}
	return p.fallback(ctx, failed, p.opts.Now())
}

// AckCode acknowledges by a reply code from the person's own phone.
func (p *Pager) AckCode(ctx context.Context, channel, address, code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	cat, err := p.opts.Catalog(ctx)
	if err != nil {
		return "Sorry, paging is unavailable; call the duty manager.", err
	}
	pages, err := p.opts.Store.PagesByAckCode(ctx, code)
	if err != nil {
		return "Sorry, that did not work; try again or call the duty manager.", err
	}
	if len(pages) == 0 {
		return fmt.Sprintf("%s is not a page code. Reply with the code in the page, e.g. 12A.", code), nil
	}
	// The code's own person, if the reply comes from their number: two
	// people may share an on-call handset.
	who, _, ok := cat.PersonByID(pages[0].Person)
	if !ok || channel != ChannelSMS || who.SMS.IsZero() || who.SMS.Reveal() != address {
		return fmt.Sprintf("%s is not your code. Reply with the code in your own page.", code), nil
	}
	out, err := p.Acknowledge(ctx, pages[0].IncidentID, who.ID, channel)
	return out.Text, err
}

// Act applies a Slack button: acknowledge or escalate.
func (p *Pager) Act(ctx context.Context, incidentID int64, action, channel, user string) (Outcome, error) {
	by := channel + ":" + user
	if cat, err := p.opts.Catalog(ctx); err == nil {
		if who, _, ok := cat.PersonBy(channel, user); ok {
			by = who.ID
		}
	}
	switch action {
	case ActionAcknowledge:
		return p.Acknowledge(ctx, incidentID, by, channel)
	case ActionEscalate:
		return p.Escalate(ctx, incidentID, by, channel)
	}
	return Outcome{}, fmt.Errorf("unknown action %q; want %s or %s", action, ActionAcknowledge, ActionEscalate)
}

// OptOut records STOP or START from a known person's phone.
func (p *Pager) OptOut(ctx context.Context, channel, address string, stop bool) error {
	cat, err := p.opts.Catalog(ctx)
	if err != nil {
		return err
	}
	who, _, ok := cat.PersonBy(channel, address)
	if !ok {
		p.opts.Logger.Warn("opt-out from an address not in the catalogue; ignored", "channel", channel, "stop", stop)
		return nil
	}
	p.opts.Logger.Info("opt-out", "person", who.ID, "channel", channel, "stop", stop)
	return p.opts.Store.SetOptOut(ctx, channel, who.ID, stop, p.opts.Now())
}

// Acknowledge stops an incident's escalation: by is a person id (or a
// Slack member), via how (sms, slack, verbal). Everyone paged is told.
// Acknowledging twice is not an error: the outcome says who did first.
func (p *Pager) Acknowledge(ctx context.Context, incidentID int64, by, via string) (Outcome, error) {
	now := p.opts.Now()
	inc, err := p.opts.Store.Incident(ctx, incidentID)
	if err != nil {
		return Outcome{Ref: strconv.FormatInt(incidentID, 10), Text: fmt.Sprintf("#%d: no such incident.", incidentID)}, err
	}
	out := Outcome{IncidentID: incidentID, Ref: strconv.FormatInt(incidentID, 10)}
	changed, err := p.end(ctx, incidentID, store.End{IncidentID: incidentID, State: store.EscalationAcknowledged, By: by, Via: via, Now: now,
		Detail: "acknowledged by " + by + " via " + via})
	if err != nil && !errors.Is(err, store.ErrNoEscalation) {
		out.Text = "Sorry, that did not work; try again or call the duty manager."
		return out, err
	}
	e, eerr := p.opts.Store.Escalation(ctx, incidentID)
	what := fmt.Sprintf("#%d %s %s", incidentID, inc.AlertName, where(inc.PO, inc.ServiceOption))
	switch {
	case eerr != nil:
		out.Status, out.Text = inc.Status, what+": nothing to acknowledge (it paged nobody)."
	case e.State == store.EscalationAcknowledged && e.AckedBy == by:
		out.Status, out.AckedBy = outcomeStatus(e.State), by
		out.Text = fmt.Sprintf("Acknowledged %s. Thank you.", what)
		if !changed {
			out.Text = fmt.Sprintf("You acknowledged %s already.", what)
		}
	case e.AckedBy != "":
		out.Status, out.AckedBy = outcomeStatus(e.State), e.AckedBy
		out.Text = fmt.Sprintf("%s was already acknowledged by %s via %s.", what, e.AckedBy, e.AckedVia)
	default:
		out.Status = outcomeStatus(e.State)
		out.Text = fmt.Sprintf("%s is %s; nothing to acknowledge.", what, e.State)
	}
	return out, nil
}

// Escalate pages the next step now (the Escalate button, or the duty
// manager's console).
func (p *Pager) Escalate(ctx context.Context, incidentID int64, by, via string) (Outcome, error) {
	out := Outcome{IncidentID: incidentID, Ref: strconv.FormatInt(incidentID, 10)}
	ok, err := p.opts.Store.EscalateNow(ctx, incidentID, by, via, p.opts.Now())
	if err != nil {
		out.Text = "Sorry, that did not work; try again or call the duty manager."
		return out, err
	}
	if !ok {
		e, _ := p.opts.Store.Escalation(ctx, incidentID)
		out.Status, out.AckedBy = outcomeStatus(e.State), e.AckedBy
		out.Text = fmt.Sprintf("#%d is not escalating (%s); nothing to escalate.", incidentID, orDash(e.State))
		return out, nil
	}
	p.Wake()
	out.Status = outcomeStatus(store.EscalationActive)
	out.Text = fmt.Sprintf("#%d escalated by %s: the next step is being paged now.", incidentID, by)
	return out, nil
}

// end ends an escalation and queues the notices: every Slack message of
// the incident is updated; people paged by SMS (but the one who
// acknowledged by SMS) get a short notice; console pages get a line.
func (p *Pager) end(ctx context.Context, incidentID int64, e store.End) (bool, error) {
	changed, paged, err := p.opts.Store.EndEscalation(ctx, e)
	if err != nil {
		return false, err
	}
	if !changed {
		_, err := p.opts.Store.Escalation(ctx, incidentID)
		return false, err
	}
	kind := store.PageKindResolved
	if e.State == store.EscalationAcknowledged {
		kind = store.PageKindAcknowledged
		inc, _ := p.opts.Store.Incident(ctx, incidentID)
		p.m.acks.WithLabelValues(inc.PO, e.Via).Inc()
	}
	var notices []store.Page
	seen := map[string]bool{}
	for _, pg := range paged {
		key := pg.Channel + "/" + pg.Person + "/" + pg.SlackChannel
		if pg.Channel == ChannelSlack {
			key += "/" + pg.ProviderRef
		}
		if seen[key] || (pg.Channel == ChannelSMS && pg.Person == e.By && e.Via == ChannelSMS) {
			continue
		}
		seen[key] = true
		n := store.Page{IncidentID: incidentID, Kind: kind, Step: pg.Step, Person: pg.Person, Channel: pg.Channel,
			SlackChannel: pg.SlackChannel, Due: e.Now, Detail: "notice: " + kind}
		if pg.Channel == ChannelSlack {
			n.UpdateRef = pg.ProviderRef
		}
		notices = append(notices, n)
	}
	if len(notices) > 0 {
		if _, err := p.opts.Store.AddPages(ctx, notices, nil, e.Now); err != nil {
			return true, err
		}
	}
	p.Wake()
	return true, nil
}

// outcomeStatus is the incident's state for an Outcome: firing while the
// escalation runs (or has run out), else acknowledged or resolved.
func outcomeStatus(state string) string {
	switch state {
	case store.EscalationActive, store.EscalationExhausted:
		return "firing"
	}
	return state
}
