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
	p, ok := c.byPO[po]
	if !ok {
		return nil
	}
	pol, ok := c.EscalationFor(po, serviceOption)
	if !ok {
		return []Step{p.planStep(catchAllStep(), start, "", -1, 0)}
	}
	var out []Step
	t := start
	for pass := 0; pass <= pol.Repeat; pass++ {
		for i, es := range pol.steps {
			s := p.planStep(es, t, pol.ID, i, pass)
			out = append(out, s)
			if !s.Skipped {
				t = t.Add(es.Delay.D)
			}
		}
	}
	s := p.planStep(pol.catchAll, t, pol.ID, -1, 0)
	s.CatchAll, s.Implicit = true, pol.implicit
	return append(out, s)
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
