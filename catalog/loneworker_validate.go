package catalog

import "strings"

// Bounds of the lone-worker settings: past these, a value is a typo.
const (
	maxSessionMinutes = 12 * 60
	maxExtensions     = 9
	maxRetentionDays  = 10 * 366
)

// resolveLoneWorker validates and links the PO's lone-worker support. It
// runs after the PO's people and escalation policies are resolved, and
// after every earlier PO's, whose officers' numbers it checks against.
func (c *Catalog) resolveLoneWorker(v *validator, pp path, p *PO) {
	lw := p.LoneWorker
	if lw == nil {
		return
	}
	lp := pp.add("lone_worker")
	if lw.RetentionDays == nil {
		days := DefaultLoneWorkerRetentionDays
		lw.RetentionDays = &days
	} else if d := *lw.RetentionDays; d < 1 || d > maxRetentionDays {
		v.errorf(lp.add("retention_days"), "must be 1 to %d days, not %d", maxRetentionDays, d)
	}
	if len(lw.StaffGroups) == 0 {
		v.errorf(lp.add("staff_groups"), "missing; lone-worker support has at least one staff group, e.g. [{id: enforcement, default_minutes: 60, ...}]")
	}
	seen := map[string]bool{}
	phones := officerPhones(c, p)
	for j := range lw.StaffGroups {
		c.resolveStaffGroup(v, lp.add("staff_groups", j), p, &lw.StaffGroups[j], seen, phones)
	}
}

// officerPhones maps the sms number of every officer of the POs before p
// to the officer's person id, so that a number identifies one officer.
func officerPhones(c *Catalog, p *PO) map[string]string {
	out := map[string]string{}
	for i := range c.Organisations {
		o := &c.Organisations[i]
		if o == p {
			break
		}
		for _, g := range o.StaffGroups() {
			for _, id := range g.Officers {
				if x, ok := o.personIndex[id]; ok && !x.SMS.IsZero() {
					out[x.SMS.Reveal()] = id
				}
			}
		}
	}
	return out
}

func (c *Catalog) resolveStaffGroup(v *validator, gp path, p *PO, g *StaffGroup, seen map[string]bool, phones map[string]string) {
	g.po = p.ID
	if v.refID(gp.add("id"), g.ID, "staff group", "enforcement") {
		if seen[g.ID] {
			v.errorf(gp.add("id"), "duplicate staff group id %q in %s", g.ID, p.ID)
		}
		seen[g.ID] = true
	}
	if g.DefaultMinutes < 1 || g.DefaultMinutes > maxSessionMinutes {
		v.errorf(gp.add("default_minutes"), "must be 1 to %d minutes (the session length when the officer gives none), not %d", maxSessionMinutes, g.DefaultMinutes)
	}
	if g.MaxMinutes == 0 {
		g.MaxMinutes = g.DefaultMinutes
	} else if g.MaxMinutes < g.DefaultMinutes || g.MaxMinutes > maxSessionMinutes {
		v.errorf(gp.add("max_minutes"), "must be from default_minutes (%d) to %d minutes, not %d", g.DefaultMinutes, maxSessionMinutes, g.MaxMinutes)
	}
	switch {
	case !g.Extension && g.MaxExtensions != nil:
		v.errorf(gp.add("max_extensions"), "only applies with extension: true")
	case g.Extension && g.MaxExtensions == nil:
		n := DefaultMaxExtensions
		g.MaxExtensions = &n
	case g.Extension && (*g.MaxExtensions < 1 || *g.MaxExtensions > maxExtensions):
		v.errorf(gp.add("max_extensions"), "must be 1 to %d with extension: true, not %d (to forbid extending, set extension: false)", maxExtensions, *g.MaxExtensions)
	}
	v.scalar(gp.add("reminder_before"), g.ReminderBefore.scalar)
	if !g.ReminderBefore.Set() {
		v.errorf(gp.add("reminder_before"), "missing; give how long before the deadline the officer is reminded, e.g. 10m")
	} else if g.ReminderBefore.err == nil && g.DefaultMinutes > 0 && g.ReminderBefore.D >= g.Default() {
		v.errorf(gp.add("reminder_before"), "%s is not shorter than the default session of %d minutes; the reminder must come after check-in", g.ReminderBefore.Raw, g.DefaultMinutes)
	}
	if g.EscalationPolicy == "" {
		v.errorf(gp.add("escalation_policy"), "missing; give the id of the %s escalation policy that runs from the deadline", p.ID)
	} else if pol, ok := p.Policy(g.EscalationPolicy); !ok {
		v.errorf(gp.add("escalation_policy"), "%q is not an escalation policy of %s; policies: %s", g.EscalationPolicy, p.ID, strings.Join(policyIDs(p), ", "))
	} else {
		g.policy = pol
	}
	if len(g.Officers) == 0 {
		v.errorf(gp.add("officers"), "missing; list the person ids of the officers who check in in this group")
	}
	mine := map[string]bool{}
	for k, id := range g.Officers {
		op := gp.add("officers", k)
		x, ok := p.Person(id)
		switch {
		case !ok:
			v.errorf(op, "%q is not a person of %s; people: %s", id, p.ID, strings.Join(personIDs(p), ", "))
		case mine[id]:
			v.errorf(op, "%s is listed twice in this staff group", id)
		case x.SMS.IsZero():
			// Personal data: describe the number, never echo it.
			v.errorf(op, "%s has no sms number; an officer is identified by it when calling or texting in", id)
		case x.PINSHA256 != "" && !rePINHash.MatchString(x.PINSHA256):
			v.errorf(op, "%s: pin_sha256 is not 64 lowercase hex digits; give the SHA-256 of \"%s:<pin>\" (slawatch loneworker pin)", id, id)
		default:
			if other, dup := phones[x.SMS.Reveal()]; dup && other != id {
				v.errorf(op, "%s has the same sms number as officer %s; a number must identify one officer", id, other)
			} else {
				phones[x.SMS.Reveal()] = id
			}
		}
		mine[id] = true
	}
}

// policyIDs lists the PO's escalation policy ids, for messages.
func policyIDs(p *PO) []string {
	out := make([]string, 0, len(p.Escalation))
	for _, pol := range p.Escalation {
		out = append(out, pol.ID)
	}
	if len(out) == 0 {
		return []string{"(none; add one under escalation_policies)"}
	}
	return out
}
