package catalog

import (
	"strings"
)

// maxRepeat bounds a policy's repeats: past that, the duty managers should
// have been told long ago.
const maxRepeat = 9

func (c *Catalog) resolvePolicy(v *validator, pp path, p *PO, pol *Policy, seen map[string]bool) {
	if v.refID(pp.add("id"), pol.ID, "escalation policy", "default") {
		if seen[pol.ID] {
			v.errorf(pp.add("id"), "duplicate escalation policy id %q in %s", pol.ID, p.ID)
		}
		seen[pol.ID] = true
	}
	if pol.LoneWorker && len(pol.ServiceOptions) > 0 {
		v.errorf(pp.add("service_options"), "a lone_worker policy serves staff groups' alarms only; drop service_options or lone_worker")
	}
	if len(pol.ServiceOptions) == 0 && !pol.LoneWorker {
		if p.defaultPolicy != nil {
			v.errorf(pp.add("id"), "%s's default policy is already %q; give this one service_options", p.ID, p.defaultPolicy.ID)
		} else {
			p.defaultPolicy = pol
		}
	}
	for k, so := range pol.ServiceOptions {
		sp := pp.add("service_options", k)
		if _, ok := p.Option(so); !ok {
			v.errorf(sp, "%q is not a service option of %s", so, p.ID)
		} else if other, dup := p.policyByOption[so]; dup {
			v.errorf(sp, "%s already has escalation policy %q; a service option has one policy", so, other.ID)
		} else {
			p.policyByOption[so] = pol
		}
	}
	if pol.Repeat < 0 || pol.Repeat > maxRepeat {
		v.errorf(pp.add("repeat"), "must be 0 to %d (extra passes over the steps), not %d", maxRepeat, pol.Repeat)
	}
	if len(pol.Steps) == 0 {
		v.errorf(pp.add("steps"), "missing; a policy has at least one step, e.g. [{targets: [{rota: ROTA}], delay: 15m}]")
	}
	for k := range pol.Steps {
		s := &pol.Steps[k]
		sp := pp.add("steps", k)
		v.scalar(sp.add("delay"), s.Delay.scalar)
		if !s.Delay.Set() {
			s.Delay.D = DefaultStepDelay
		}
		if len(s.Targets) == 0 {
			v.errorf(sp.add("targets"), "missing; a step pages at least one target")
		}
		for m, t := range s.Targets {
			v.target(sp.add("targets", m), p, t)
		}
	}
	// The last step is the catch-all when it pages the duty managers;
	// otherwise one is added.
	pol.steps, pol.catchAll, pol.implicit = pol.Steps, catchAllStep(), true
	if n := len(pol.Steps); n > 0 && pagesDutyManagers(pol.Steps[n-1]) {
		pol.steps, pol.catchAll, pol.implicit = pol.Steps[:n-1], pol.Steps[n-1], false
	}
}

func pagesDutyManagers(s EscalationStep) bool {
	for _, t := range s.Targets {
		if t.DutyManagers {
			return true
		}
	}
	return false
}

func (v *validator) target(tp path, p *PO, t Target) {
	set := 0
	for _, b := range []bool{t.Rota != "", t.Person != "", t.DutyManagers, t.SlackChannel != ""} {
		if b {
			set++
		}
	}
	if set != 1 {
		v.errorf(tp, "a target is exactly one of rota: ID, person: ID, duty_managers: true, slack_channel: NAME")
		return
	}
	switch t.Kind() {
	case TargetRota:
		if _, ok := p.Rota(t.Rota); !ok {
			v.errorf(tp.add("rota"), "%q is not a rota of %s; rotas: %s", t.Rota, p.ID, strings.Join(rotaIDs(p), ", "))
		}
	case TargetPerson:
		if _, ok := p.Person(t.Person); !ok {
			v.errorf(tp.add("person"), "%q is not a person of %s; people: %s", t.Person, p.ID, strings.Join(personIDs(p), ", "))
		}
	case TargetSlackChannel:
		if !reSlackChannel.MatchString(t.SlackChannel) {
			v.errorf(tp.add("slack_channel"), "%q is not a Slack channel name; use lower case, digits, - and _, e.g. \"#%s-ooh\"", t.SlackChannel, strings.ReplaceAll(p.ID, "_", "-"))
		}
	}
}

// oncallTypes are the on-call YAML types, for "unknown field" messages.
func oncallTypes() []any {
	return []any{Person{}, Rota{}, Override{}, Policy{}, EscalationStep{}, Target{}}
}
