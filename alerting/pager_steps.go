package alerting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// fireDue pages the steps that are due. Steps that reach nobody are
// skipped at once, not waited out.
func (p *Pager) fireDue(ctx context.Context, cat *catalog.Catalog, now time.Time) error {
	due, err := p.opts.Store.DueEscalations(ctx, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range due {
		if err := p.fire(ctx, cat, e, now); err != nil {
			errs = append(errs, fmt.Errorf("incident %d: %w", e.IncidentID, err))
		}
	}
	return errors.Join(errs...)
}

func (p *Pager) fire(ctx context.Context, cat *catalog.Catalog, e store.Escalation, now time.Time) error {
	codes, err := p.ackCodes(ctx, e.IncidentID)
	if err != nil {
		return err
	}
	adv := store.Advance{IncidentID: e.IncidentID, From: e.NextStep, Policy: e.Policy, Now: now}
	var outcomes []string
	first := e.NextStep
	if e.Policy != "" && !hasPolicy(cat, e.PO, e.Policy) {
		// The named policy left the catalogue (renamed, removed) while its
		// page escalated: carry on with the PO's own policy from its first
		// step rather than stop paging.
		adv.Policy, first = "", 0
		adv.Events = append(adv.Events, store.EscalationEvent{IncidentID: e.IncidentID, At: now, Kind: store.EscSkipped, Step: e.NextStep,
			Detail: fmt.Sprintf("policy %s is no longer in the catalogue: following %s's own policy from its first step", e.Policy, e.PO)})
		e.Policy = ""
		p.opts.Logger.Error("escalation policy gone from the catalogue; following the PO's own policy", "incident", e.IncidentID, "po", e.PO)
	}
	for k := first; ; k++ {
		step, delay, ok := stepOf(cat, e, k, now)
		delay /= time.Duration(p.opts.Speedup)
		if !ok {
			adv.Next = k
			adv.Events = append(adv.Events, store.EscalationEvent{IncidentID: e.IncidentID, At: now, Kind: store.EscExhausted, Step: k,
				Detail: "every step has paged and nobody has acknowledged"})
			outcomes = append(outcomes, "exhausted")
			break
		}
		pages, unreached := p.expand(ctx, cat, step, e, k, codes, now)
		adv.Pages = append(adv.Pages, pages...)
		people := 0
		for _, pg := range pages {
			if pg.Person != "" {
				people++
			}
		}
		if len(pages) == 0 || (people == 0 && hasPeopleTargets(step)) {
			adv.Events = append(adv.Events, store.EscalationEvent{IncidentID: e.IncidentID, At: now, Kind: store.EscSkipped, Step: k,
				Detail: "nobody reachable: " + strings.Join(unreached, "; ")})
			outcomes = append(outcomes, "skipped")
			continue
		}
		detail := stepName(step)
		if len(unreached) > 0 {
			detail += "; unreached: " + strings.Join(unreached, "; ")
		}
		adv.Events = append(adv.Events, store.EscalationEvent{IncidentID: e.IncidentID, At: now, Kind: store.EscStep, Step: k,
			Detail: fmt.Sprintf("%s: %d page(s); next step in %s", detail, len(pages), delay)})
		outcomes = append(outcomes, "paged")
		adv.Next, adv.NextAt = k+1, now.Add(delay)
		break
	}
	claimed, err := p.opts.Store.AdvanceEscalation(ctx, adv)
	if err != nil || !claimed {
		return err
	}
	po := e.PO
	for _, o := range outcomes {
		p.m.steps.WithLabelValues(po, o).Inc()
	}
	p.opts.Logger.Info("escalation step", "incident", e.IncidentID, "po", po, "from", e.NextStep, "next", adv.Next,
		"pages", len(adv.Pages), "outcomes", strings.Join(outcomes, ","))
	return nil
}

// stepOf is step k of the escalation's policy: the named one, or the
// service option's.
func stepOf(cat *catalog.Catalog, e store.Escalation, k int, now time.Time) (catalog.Step, time.Duration, bool) {
	if e.Policy != "" {
		return cat.StepAtPolicy(e.PO, e.Policy, k, now)
	}
	return cat.StepAt(e.PO, e.ServiceOption, k, now)
}

// hasPolicy reports whether the PO still has the named policy.
func hasPolicy(cat *catalog.Catalog, po, policy string) bool {
	p, ok := cat.PO(po)
	if !ok {
		return false
	}
	_, ok = p.Policy(policy)
	return ok
}

func hasPeopleTargets(s catalog.Step) bool {
	for _, pg := range s.Pages {
		if pg.Kind != catalog.TargetSlackChannel {
			return true
		}
	}
	return len(s.Unreached) > 0
}

func stepName(s catalog.Step) string {
	switch {
	case s.CatchAll:
		return "catch-all: the provider's duty managers"
	case s.Pass > 0:
		return fmt.Sprintf("step %d of policy %s (repeat %d)", s.Index+1, s.Policy, s.Pass)
	}
	return fmt.Sprintf("step %d of policy %s", s.Index+1, s.Policy)
}

// expand turns a step's targets into pages: each person on each of their
// channels that has a sender (the console when none has), the duty
// managers one by one with their channel, Slack channels as posts.
func (p *Pager) expand(ctx context.Context, cat *catalog.Catalog, step catalog.Step, e store.Escalation, k int,
	codes map[string]string, now time.Time) (pages []store.Page, unreached []string) {
	unreached = append(unreached, step.Unreached...)
	seen := map[string]bool{}
	person := func(who catalog.Person, via string) {
		if seen[who.ID] {
			return
		}
		seen[who.ID] = true
		code := codes[who.ID]
		if code == "" {
			code = fmt.Sprintf("%d%s", e.IncidentID, letters(len(codes)))
			codes[who.ID] = code
		}
		n := 0
		for _, ch := range who.Channels() {
			if len(p.senders[ch]) == 0 {
				continue
			}
			if ch == ChannelSMS {
				if out, err := p.opts.Store.OptedOut(ctx, ChannelSMS, who.ID); err == nil && out {
					unreached = append(unreached, who.ID+" has stopped SMS")
					continue
				}
			}
			pages = append(pages, store.Page{IncidentID: e.IncidentID, Kind: store.PageKindPage, Step: k, Person: who.ID,
				Channel: ch, AckCode: code, Due: now, Detail: via})
			n++
		}
		if n == 0 && len(p.senders[ChannelConsole]) > 0 {
			pages = append(pages, store.Page{IncidentID: e.IncidentID, Kind: store.PageKindPage, Step: k, Person: who.ID,
				Channel: ChannelConsole, AckCode: code, Due: now, Detail: via})
			n++
		}
		if n == 0 {
			unreached = append(unreached, who.ID+": no channel with a sender")
		}
	}
	post := func(channel string) {
		ch := ChannelSlack
		if len(p.senders[ChannelSlack]) == 0 {
			if len(p.senders[ChannelConsole]) == 0 {
				return
			}
			ch = ChannelConsole
		}
		pages = append(pages, store.Page{IncidentID: e.IncidentID, Kind: store.PageKindPage, Step: k, Channel: ch,
			SlackChannel: channel, Due: now, Detail: "slack " + channel})
	}
	for _, pg := range step.Pages {
		switch pg.Kind {
		case catalog.TargetPerson:
			person(pg.Person, pg.Via)
		case catalog.TargetDutyManagers:
			dms := cat.DutyManagers()
			if len(dms) == 0 {
				unreached = append(unreached, "duty managers: the catalogue's provider section lists none")
			}
			for _, dm := range dms {
				person(dm, "duty managers")
			}
			if c := cat.Provider.SlackChannel; c != "" {
				post(c)
			}
		case catalog.TargetSlackChannel:
			post(pg.SlackChannel)
		}
	}
	return pages, unreached
}

// ackCodes maps each person already paged for the incident to their code.
func (p *Pager) ackCodes(ctx context.Context, incidentID int64) (map[string]string, error) {
	pages, err := p.opts.Store.Pages(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	codes := map[string]string{}
	for _, pg := range pages {
		if pg.Person != "" && pg.AckCode != "" {
			codes[pg.Person] = pg.AckCode
		}
	}
	return codes, nil
}

// letters is the n-th recipient's letter: A..Z, then AA, AB, ...
func letters(n int) string {
	s := ""
	for {
		s = string(rune('A'+n%26)) + s
		n = n/26 - 1
		if n < 0 {
			return s
		}
	}
}
