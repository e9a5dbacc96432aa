package alerting

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// maxDuePerTick bounds the pages one tick sends; the rest wait a tick.
const maxDuePerTick = 500

// deliverDue sends the pages that are due. SMS pages to one person due
// together go out as one text (a storm is one message per person, not
// one per alert), and no person gets two texts within SMSInterval.
func (p *Pager) deliverDue(ctx context.Context, cat *catalog.Catalog, now time.Time) error {
	stale := now.Add(-p.opts.StaleSending)
	due, err := p.opts.Store.DuePages(ctx, now, stale, maxDuePerTick)
	if err != nil {
		return err
	}
	type batch struct{ pages []store.Page }
	var order []string
	batches := map[string]*batch{}
	for _, pg := range due {
		key := strconv.FormatInt(pg.ID, 10)
		if pg.Channel == ChannelSMS {
			if p.smsHeld(pg.Person, now) {
				continue
			}
			key = "sms/" + pg.Kind + "/" + pg.Person // a notice never rides with a page
		}
		b, ok := batches[key]
		if !ok {
			b = &batch{}
			batches[key] = b
			order = append(order, key)
		}
		b.pages = append(b.pages, pg)
	}
	var errs []error
	for _, key := range order {
		b := batches[key]
		ids := make([]int64, len(b.pages))
		for i, pg := range b.pages {
			ids[i] = pg.ID
		}
		got, err := p.opts.Store.ClaimPages(ctx, ids, now, stale)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(got) == 0 {
			continue // another process has them
		}
		mine := b.pages[:0]
		for _, pg := range b.pages {
			for _, id := range got {
				if pg.ID == id {
					mine = append(mine, pg)
				}
			}
		}
		mine, ended := p.stillWanted(ctx, mine)
		for state, ids := range ended {
			errs = append(errs, p.opts.Store.CancelPages(ctx, ids, "not sent: "+state, now))
		}
		if len(mine) == 0 {
			continue
		}
		if err := p.send(ctx, cat, mine, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (p *Pager) smsHeld(person string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	last, ok := p.lastSMS[person]
	return ok && now.Sub(last) < p.opts.SMSInterval
}

func (p *Pager) noteSMS(person string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastSMS[person] = now
}

// send delivers one claimed page, or several bundled SMS pages to one
// person, and records the outcome.
func (p *Pager) send(ctx context.Context, cat *catalog.Catalog, pages []store.Page, now time.Time) error {
	first := pages[0]
	msgs := make([]Message, 0, len(pages))
	for _, pg := range pages {
		m, err := p.message(ctx, cat, pg)
		if err != nil {
			return p.opts.Store.RecordSent(ctx, store.Sent{IDs: []int64{pg.ID}, Err: err.Error(), Now: now,
				Events: []store.EscalationEvent{pageEvent(pg, store.EscFailed, now, err.Error())}})
		}
		msgs = append(msgs, m)
	}
	m := msgs[0]
	if len(msgs) > 1 {
		m = bundle(msgs)
	}
	if first.Channel == ChannelSMS {
		m.CallbackURL = p.opts.StatusCallbackURL
		p.noteSMS(first.Person, now)
	}
	rc, retry, err := p.deliver(ctx, first.Channel, m)
	ids := make([]int64, len(pages))
	for i, pg := range pages {
		ids[i] = pg.ID
	}
	rec := store.Sent{IDs: ids, Ref: rc.Ref, Delivered: rc.Delivered, Now: p.opts.Now()}
	var failed []store.Page
	switch {
	case err == nil:
		kind, outcome := store.EscSent, "sent"
		if rc.Delivered {
			kind, outcome = store.EscDelivered, "delivered"
		}
		for _, pg := range pages {
			rec.Events = append(rec.Events, pageEvent(pg, kind, rec.Now, bundleNote(len(pages))))
			p.m.pages.WithLabelValues(pg.Channel, outcome).Inc()
			if rc.Delivered {
				p.m.delivery.WithLabelValues(pg.Channel).Observe(rec.Now.Sub(pg.Created).Seconds())
			}
		}
	case retry && first.Attempts+1 < p.opts.Attempts:
		rec.Err = err.Error()
		rec.RetryAt = now.Add(p.opts.RetryBackoff << min(first.Attempts, 6))
		for _, pg := range pages {
			rec.Events = append(rec.Events, pageEvent(pg, store.EscRetry, rec.Now, fmt.Sprintf("attempt %d: %v; again at %s",
				first.Attempts+1, err, rec.RetryAt.UTC().Format(time.TimeOnly))))
			p.m.pages.WithLabelValues(pg.Channel, "retried").Inc()
		}
	default:
		rec.Err = err.Error()
		for _, pg := range pages {
			rec.Events = append(rec.Events, pageEvent(pg, store.EscFailed, rec.Now, fmt.Sprintf("attempt %d: %v", first.Attempts+1, err)))
			p.m.pages.WithLabelValues(pg.Channel, "failed").Inc()
			pg.Status = store.PageFailed
			failed = append(failed, pg)
		}
	}
	if err := p.opts.Store.RecordSent(ctx, rec); err != nil {
		return err
	}
	return p.fallback(ctx, failed, rec.Now)
}

// deliver calls the channel's senders with a timeout each.
func (p *Pager) deliver(ctx context.Context, channel string, m Message) (Receipt, bool, error) {
	senders := p.senders[channel]
	if len(senders) == 0 {
		return Receipt{}, false, fmt.Errorf("no %s sender configured", channel)
	}
	var rc Receipt
	var errs []error
	retry := false
	for _, s := range senders {
		sctx, cancel := context.WithTimeout(ctx, p.opts.SendTimeout)
		p.m.requests.WithLabelValues(channel).Inc()
		r, rt, err := s.Send(sctx, m)
		cancel()
		if err != nil {
			p.m.errors.WithLabelValues(channel).Inc()
			errs = append(errs, err)
			retry = retry || rt
			continue
		}
		if rc.Ref == "" {
			rc = r
		}
	}
	return rc, retry, errors.Join(errs...)
}

func pageEvent(pg store.Page, kind string, at time.Time, detail string) store.EscalationEvent {
	who := pg.Person
	if who == "" {
		who = pg.SlackChannel
	}
	return store.EscalationEvent{IncidentID: pg.IncidentID, At: at, Kind: kind, Step: pg.Step, Person: who, Channel: pg.Channel,
		Detail: strings.TrimSpace(pg.Kind + " " + detail)}
}

func bundleNote(n int) string {
	if n > 1 {
		return fmt.Sprintf("(bundled: %d pages in one message)", n)
	}
	return ""
}

// bundle makes one message of several pages to one person: the first
// page's fields with a summary naming every incident and its code.
func bundle(msgs []Message) Message {
	m := msgs[0]
	var parts []string
	for _, x := range msgs {
		part := fmt.Sprintf("#%s %s %s", x.Ref, x.AlertName, where(x.PO, x.ServiceOption))
		if x.AckCode != "" {
			part += " (" + x.AckCode + ")"
		}
		parts = append(parts, part)
	}
	m.AlertName = fmt.Sprintf("%d alerts", len(msgs))
	m.Summary = strings.Join(parts, "; ")
	m.ServiceOption, m.AccessNumber = "", ""
	return m
}

func where(po, so string) string {
	switch {
	case po == "":
		return "provider"
	case so == "":
		return po
	}
	return po + "/" + so
}

// expire marks SMS without a delivery receipt within DeliveryBound as
// undelivered and falls back.
func (p *Pager) expire(ctx context.Context, _ *catalog.Catalog, now time.Time) error {
	pages, err := p.opts.Store.ExpireUndelivered(ctx, ChannelSMS, now.Add(-p.opts.DeliveryBound), now)
	if err != nil || len(pages) == 0 {
		return err
	}
	var events []store.EscalationEvent
	for _, pg := range pages {
		events = append(events, pageEvent(pg, store.EscUndelivered, now, "no delivery receipt within "+p.opts.DeliveryBound.String()))
		p.m.pages.WithLabelValues(pg.Channel, "undelivered").Inc()
	}
	if err := p.opts.Store.AddEscalationEvents(ctx, events...); err != nil {
		return err
	}
	return p.fallback(ctx, pages, now)
}

// fallback acts on pages that failed for good or were not delivered in
// time: a person with another channel was paged there too (every page goes
// out on all of a person's channels at once, so a Slack outage still gets
// the SMS through); when nobody of the failed pages' step has a page still
// on its way or delivered, the escalation moves on now rather than waiting
// out the step's delay.
func (p *Pager) fallback(ctx context.Context, failed []store.Page, now time.Time) error {
	done := map[int64]bool{}
	var errs []error
	for _, f := range failed {
		if f.Kind != store.PageKindPage || done[f.IncidentID] {
			continue
		}
		done[f.IncidentID] = true
		all, err := p.opts.Store.Pages(ctx, f.IncidentID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		alive := 0
		for _, pg := range all {
			if pg.Kind == store.PageKindPage && pg.Step == f.Step && pg.Person != "" && pageAlive(pg.Status) {
				alive++
			}
		}
		if alive > 0 {
			continue
		}
		ok, err := p.opts.Store.EscalateNowFrom(ctx, f.IncidentID, f.Step+1, "notifier", "fallback", now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			p.opts.Logger.Warn("no page of the step reached anyone; escalating now", "incident", f.IncidentID, "step", f.Step)
			errs = append(errs, p.opts.Store.AddEscalationEvents(ctx, store.EscalationEvent{IncidentID: f.IncidentID, At: now,
				Kind: store.EscFallback, Step: f.Step, Detail: "no page of this step reached anyone; the next step is paged now"}))
			p.Wake()
		}
	}
	return errors.Join(errs...)
}

func pageAlive(status string) bool {
	switch status {
	case store.PagePending, store.PageSending, store.PageSent, store.PageDelivered:
		return true
	}
	return false
}

// stillWanted drops the pages whose escalation was acknowledged or resolved
// while they waited (a page a crash left half-sent, say): those are
// returned by state, to be cancelled rather than sent after the notice.
func (p *Pager) stillWanted(ctx context.Context, pages []store.Page) (keep []store.Page, ended map[string][]int64) {
	ended = map[string][]int64{}
	for _, pg := range pages {
		if pg.Kind == store.PageKindPage {
			e, err := p.opts.Store.Escalation(ctx, pg.IncidentID)
			if err == nil && (e.State == store.EscalationAcknowledged || e.State == store.EscalationResolved) {
				ended[e.State] = append(ended[e.State], pg.ID)
				continue
			}
		}
		keep = append(keep, pg)
	}
	return keep, ended
}
