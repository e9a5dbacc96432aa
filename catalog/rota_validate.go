package catalog

import (
	"net/mail"
	"regexp"
	"sort"
	"strings"
	"time"
)

var (
	reRefID = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	reSlack = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	// Slack channel names: lower case, digits, - and _, up to 80; # optional.
	reSlackChannel = regexp.MustCompile(`^#?[a-z0-9][a-z0-9_-]{0,79}$`)
)

// resolveOnCall validates and indexes the PO's people, rotas and
// escalation policies. people maps every person id already seen in the
// catalogue to its PO (person ids are unique catalogue-wide).
func (c *Catalog) resolveOnCall(v *validator, pp path, p *PO, people map[string]string) {
	p.personIndex = map[string]*Person{}
	for j := range p.People {
		c.resolvePerson(v, pp.add("people", j), p, &p.People[j], people)
	}
	p.rotaIndex = map[string]*Rota{}
	for j := range p.Rotas {
		c.resolveRota(v, pp.add("rotas", j), p, &p.Rotas[j])
	}
	p.policyByOption = map[string]*Policy{}
	p.defaultPolicy = nil
	seen := map[string]bool{}
	for j := range p.Escalation {
		c.resolvePolicy(v, pp.add("escalation_policies", j), p, &p.Escalation[j], seen)
	}
}

func (v *validator) refID(p path, s, what, example string) bool {
	if s == "" {
		v.errorf(p, "missing; every %s needs an id such as %s", what, example)
		return false
	}
	if !reRefID.MatchString(s) {
		v.errorf(p, "%s id %q must be lower-case letters, digits, _ and - and start with a letter", what, s)
		return false
	}
	return true
}

func (c *Catalog) resolvePerson(v *validator, pp path, p *PO, x *Person, people map[string]string) {
	if v.refID(pp.add("id"), x.ID, "person", p.ID+"-dso-1") {
		if other, dup := people[x.ID]; dup {
			v.errorf(pp.add("id"), "duplicate person id %q (already a person of %s); person ids are unique in the catalogue", x.ID, other)
		} else {
			people[x.ID] = p.ID
			p.personIndex[x.ID] = x
		}
	}
	for _, f := range []struct {
		name string
		v    Private
	}{{"name", x.Name}, {"sms", x.SMS}, {"slack", x.Slack}, {"email", x.Email}} {
		if f.v.err != nil {
			v.probs = append(v.probs, Problem{File: v.file, Line: f.v.line, Field: pp.add(f.name).String(), Msg: f.v.err.Error()})
		}
	}
	if strings.TrimSpace(x.Name.Reveal()) == "" && x.Name.err == nil {
		v.errorf(pp.add("name"), "missing; give the display name the duty manager sees")
	}
	// Contact details are personal data: messages describe, never echo them.
	if !x.SMS.IsZero() && !reE164.MatchString(x.SMS.Reveal()) {
		v.errorf(pp.add("sms"), "not an E.164 mobile number; write +44 then the number without the leading 0, no spaces")
	}
	if !x.Slack.IsZero() && !reSlack.MatchString(x.Slack.Reveal()) {
		v.errorf(pp.add("slack"), "not a Slack member id; use the id from the member's profile, e.g. U012AB3CD")
	}
	if !x.Email.IsZero() {
		if a, err := mail.ParseAddress(x.Email.Reveal()); err != nil || a.Address != x.Email.Reveal() {
			v.errorf(pp.add("email"), "not an e-mail address; write the bare address, e.g. name@council.example")
		}
	}
}

func (c *Catalog) resolveRota(v *validator, rp path, p *PO, r *Rota) {
	if v.refID(rp.add("id"), r.ID, "rota", p.ID+"_dangerous_structures") {
		if _, dup := p.rotaIndex[r.ID]; dup {
			v.errorf(rp.add("id"), "duplicate rota id %q in %s", r.ID, p.ID)
		} else {
			p.rotaIndex[r.ID] = r
		}
	}
	r.loc = p.loc
	if r.TimeZone == "" {
		r.TimeZone = p.TimeZone
	} else if loc, err := time.LoadLocation(r.TimeZone); err != nil {
		v.errorf(rp.add("time_zone"), "unknown time zone %q; use an IANA name such as Europe/London", r.TimeZone)
	} else {
		r.loc = loc
	}
	for k, so := range r.ServiceOptions {
		if _, ok := p.Option(so); !ok {
			v.errorf(rp.add("service_options", k), "%q is not a service option of %s", so, p.ID)
		}
	}
	weekly := false
	switch r.Rotation {
	case RotationWeekly:
		weekly, r.period = true, 7
	case RotationDaily:
		r.period = 1
	case "":
		v.errorf(rp.add("rotation"), "missing; use %s (hand over on a weekday) or %s", RotationWeekly, RotationDaily)
	default:
		v.errorf(rp.add("rotation"), "unknown rotation %q; use %s or %s", r.Rotation, RotationWeekly, RotationDaily)
	}
	if len(r.Handovers) == 0 {
		v.errorf(rp.add("handovers"), "missing; give the handover time(s), e.g. [\"fri 17:00\"] (weekly) or [\"17:00\"] (daily)")
	}
	r.marks = nil
	marks := map[int]bool{}
	for k, h := range r.Handovers {
		hp := rp.add("handovers", k)
		v.scalar(hp, h.scalar)
		if h.err != nil || r.period == 0 {
			continue
		}
		if h.Weekly != weekly {
			if weekly {
				v.errorf(hp, "%q has no weekday; a weekly rotation hands over on a day, e.g. \"fri 17:00\"", h.Raw)
			} else {
				v.errorf(hp, "%q names a weekday; a daily rotation hands over at a time of day, e.g. \"17:00\"", h.Raw)
			}
			continue
		}
		m := h.Minutes
		if weekly {
			m += int(h.Day) * 24 * 60
		}
		if marks[m] {
			v.errorf(hp, "%q is listed twice", h.Raw)
			continue
		}
		marks[m] = true
		r.marks = append(r.marks, m)
	}
	sort.Ints(r.marks)
	r.people = nil
	for k, id := range r.People {
		x, ok := p.Person(id)
		if !ok {
			v.errorf(rp.add("people", k), "%q is not a person of %s; people: %s", id, p.ID, strings.Join(personIDs(p), ", "))
			continue
		}
		r.people = append(r.people, x)
	}
	v.scalar(rp.add("start"), r.Start.scalar)
	if len(r.People) > 0 && !r.Start.Set() {
		v.errorf(rp.add("start"), "missing; give the date the first person's turn starts (YYYY-MM-DD)")
	}
	r.startDay = civilDay(r.Start.In(time.UTC))
	r.overrides = nil
	for k, o := range r.Overrides {
		op := rp.add("overrides", k)
		x, ok := p.Person(o.Person)
		if !ok {
			v.errorf(op.add("person"), "%q is not a person of %s; people: %s", o.Person, p.ID, strings.Join(personIDs(p), ", "))
		}
		v.scalar(op.add("from"), o.From.scalar)
		v.scalar(op.add("to"), o.To.scalar)
		if !o.From.Set() || !o.To.Set() {
			v.errorf(op, "an override needs from and to, e.g. {person: %s-dso-2, from: \"2026-03-27 17:00\", to: \"2026-03-28 09:00\"}", p.ID)
			continue
		}
		if o.From.err != nil || o.To.err != nil {
			continue
		}
		from, to := o.From.In(r.loc), o.To.In(r.loc)
		if !to.After(from) {
			v.errorf(op.add("to"), "%s is not after from (%s); an override must have a length", o.To, o.From)
			continue
		}
		if ok {
			r.overrides = append(r.overrides, override{from: from, to: to, person: x})
		}
	}
}

func personIDs(p *PO) []string {
	out := make([]string, 0, len(p.People))
	for j, x := range p.People {
		if p.personIndex[x.ID] == &p.People[j] {
			out = append(out, x.ID)
		}
	}
	if len(out) == 0 {
		return []string{"(none: add people: to " + p.ID + ")"}
	}
	return out
}

func rotaIDs(p *PO) []string {
	out := make([]string, 0, len(p.Rotas))
	for j, r := range p.Rotas {
		if p.rotaIndex[r.ID] == &p.Rotas[j] {
			out = append(out, r.ID)
		}
	}
	if len(out) == 0 {
		return []string{"(none: add rotas: to " + p.ID + ")"}
	}
	return out
}
