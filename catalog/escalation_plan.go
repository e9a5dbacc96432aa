package catalog

import "time"

// Step is one concrete step of an escalation: at At, Pages go out. A step
// whose people targets reach nobody (no one on call, or no channel) is
// Skipped: its Slack posts, if any, still go out, but the plan moves on to
// the next step at the same instant instead of waiting out the delay.
type Step struct {
	At time.Time
	// Policy is the policy id ("" when the PO has none: catch-all only).
	Policy string
	// Index is the step's index in the policy; -1 for the catch-all.
	Index int
	// Pass is 0 on the first run through the steps, 1.. on repeats.
	Pass int
	// CatchAll marks the final step to the provider's duty managers;
	// Implicit when the policy did not list it.
	CatchAll, Implicit bool
	Skipped            bool
	Pages              []Page
	// Unreached names the targets that reached nobody and why.
	Unreached []string
}

// Page is one recipient of a step.
type Page struct {
	// Kind is person, duty_managers or slack_channel.
	Kind string
	// Via is the target that produced it, e.g. "rota ealing_ds".
	Via          string
	Person       Person
	SlackChannel string
}

// Plan is the concrete escalation schedule for an alert on the PO's service
// option raised at start, assuming nobody acknowledges: which people and
// channels are paged at which instant. Rotas are resolved at each step's
// own instant. Steps reaching nobody are skipped at once; the steps run
// 1+Repeat times; the catch-all to the duty managers comes last. An
// unknown PO gives nil; a PO without a policy gives the catch-all alone.
func (c *Catalog) Plan(po, serviceOption string, start time.Time) []Step {
	seq, ok := c.sequence(po, serviceOption)
	if !ok {
		return nil
	}
	var out []Step
	t := start
	for _, q := range seq {
		s := q.at(t)
		out = append(out, s)
		if !s.Skipped {
			t = t.Add(q.es.Delay.D)
		}
	}
	return out
}

// StepAt is step k of the escalation for the PO's service option (the
// order of Plan: the policy's steps 1+Repeat times, then the catch-all),
// with its rotas resolved at t, and the delay to wait after it. ok is
// false past the last step or for an unknown PO. The pager fires steps
// one by one with this, so that a step escalated early by hand pages
// whoever is on call at that moment.
func (c *Catalog) StepAt(po, serviceOption string, k int, t time.Time) (s Step, delay time.Duration, ok bool) {
	seq, ok := c.sequence(po, serviceOption)
	if !ok || k < 0 || k >= len(seq) {
		return Step{}, 0, false
	}
	return seq[k].at(t), seq[k].es.Delay.D, true
}

// seqStep is one entry of a policy's flattened sequence of steps.
type seqStep struct {
	p                  *PO
	es                 EscalationStep
	policy             string
	index, pass        int
	catchAll, implicit bool
}

func (q seqStep) at(t time.Time) Step {
	s := q.p.planStep(q.es, t, q.policy, q.index, q.pass)
	s.CatchAll, s.Implicit = q.catchAll, q.implicit
	return s
}

// sequence flattens the escalation of the PO's service option: the
// policy's steps 1+Repeat times, then the catch-all; only the catch-all
// for a PO without a policy (or the provider's own alerts, po ""/provider).
func (c *Catalog) sequence(po, serviceOption string) ([]seqStep, bool) {
	p, ok := c.byPO[po]
	if !ok {
		if (po == "" || po == ProviderID) && c.provider != nil {
			return []seqStep{{p: c.provider, es: catchAllStep(), index: -1, catchAll: true}}, true
		}
		return nil, false
	}
	pol, ok := c.EscalationFor(po, serviceOption)
	if !ok {
		return []seqStep{{p: p, es: catchAllStep(), index: -1, catchAll: true}}, true
	}
	return policySequence(p, pol), true
}

// PlanPolicy is Plan for a named policy of the PO (a staff group's
// lone-worker chain), rather than the policy of a service option.
func (c *Catalog) PlanPolicy(po, policyID string, start time.Time) []Step {
	p, ok := c.byPO[po]
	if !ok {
		return nil
	}
	pol, ok := p.Policy(policyID)
	if !ok {
		return nil
	}
	var out []Step
	t := start
	for _, q := range policySequence(p, pol) {
		s := q.at(t)
		out = append(out, s)
		if !s.Skipped {
			t = t.Add(q.es.Delay.D)
		}
	}
	return out
}

// StepAtPolicy is StepAt for a named policy of the PO.
func (c *Catalog) StepAtPolicy(po, policyID string, k int, t time.Time) (s Step, delay time.Duration, ok bool) {
	p, ok := c.byPO[po]
	if !ok {
		return Step{}, 0, false
	}
	pol, ok := p.Policy(policyID)
	if !ok {
		return Step{}, 0, false
	}
	seq := policySequence(p, pol)
	if k < 0 || k >= len(seq) {
		return Step{}, 0, false
	}
	return seq[k].at(t), seq[k].es.Delay.D, true
}

// policySequence flattens a policy: its steps 1+Repeat times, then the
// catch-all.
func policySequence(p *PO, pol *Policy) []seqStep {
	var out []seqStep
	for pass := 0; pass <= pol.Repeat; pass++ {
		for i, es := range pol.steps {
			out = append(out, seqStep{p: p, es: es, policy: pol.ID, index: i, pass: pass})
		}
	}
	return append(out, seqStep{p: p, es: pol.catchAll, policy: pol.ID, index: -1, catchAll: true, implicit: pol.implicit})
}

func (p *PO) planStep(es EscalationStep, t time.Time, policy string, index, pass int) Step {
	s := Step{At: t, Policy: policy, Index: index, Pass: pass, CatchAll: index < 0}
	people := 0
	for _, tg := range es.Targets {
		switch tg.Kind() {
		case TargetRota:
			r, _ := p.Rota(tg.Rota)
			who := r.at(t)
			switch {
			case who == nil:
				s.Unreached = append(s.Unreached, tg.String()+": nobody on call")
			case !who.Reachable():
				s.Unreached = append(s.Unreached, tg.String()+": "+who.ID+" has no channel")
			default:
				s.Pages = append(s.Pages, Page{Kind: TargetPerson, Via: tg.String(), Person: *who})
				people++
			}
		case TargetPerson:
			who, _ := p.Person(tg.Person)
			if !who.Reachable() {
				s.Unreached = append(s.Unreached, tg.String()+": no channel")
				continue
			}
			s.Pages = append(s.Pages, Page{Kind: TargetPerson, Via: tg.String(), Person: *who})
			people++
		case TargetDutyManagers:
			s.Pages = append(s.Pages, Page{Kind: TargetDutyManagers, Via: tg.String()})
			people++
		case TargetSlackChannel:
			s.Pages = append(s.Pages, Page{Kind: TargetSlackChannel, Via: tg.String(), SlackChannel: tg.SlackChannel})
		}
	}
	hasPeopleTargets := false
	for _, tg := range es.Targets {
		if tg.Kind() != TargetSlackChannel {
			hasPeopleTargets = true
		}
	}
	s.Skipped = hasPeopleTargets && people == 0
	return s
}
