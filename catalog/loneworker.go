package catalog

import "time"

// Lone-worker defaults (SPEC.md "Lone-worker support").
const (
	// DefaultLoneWorkerRetentionDays is how long lone-worker personal data
	// (officer, phone, location) is kept when a PO gives no retention_days.
	DefaultLoneWorkerRetentionDays = 90
	// DefaultMaxExtensions is how many times an officer may extend a
	// session when extension is allowed and max_extensions is not given.
	DefaultMaxExtensions = 2
)

// LoneWorker is a PO's lone-worker support: the staff groups whose officers
// check in before a visit and must check out by the deadline, or their
// group's escalation policy starts.
type LoneWorker struct {
	// RetentionDays is how long sessions' personal data are kept; default
	// DefaultLoneWorkerRetentionDays. Set after loading.
	RetentionDays *int         `yaml:"retention_days"`
	StaffGroups   []StaffGroup `yaml:"staff_groups"`
}

// StaffGroup is a group of a PO's officers sharing session limits and an
// escalation chain.
type StaffGroup struct {
	// ID is the reference id, unique in the PO, e.g. enforcement.
	ID string `yaml:"id"`
	// DefaultMinutes is the session length when the officer gives none.
	DefaultMinutes int `yaml:"default_minutes"`
	// MaxMinutes is the longest session an officer may ask for; default
	// DefaultMinutes.
	MaxMinutes int `yaml:"max_minutes"`
	// Extension reports whether an officer may extend an open session.
	Extension bool `yaml:"extension"`
	// MaxExtensions bounds the extensions of one session; default
	// DefaultMaxExtensions with extension, 0 without. Set after loading.
	MaxExtensions *int `yaml:"max_extensions"`
	// ReminderBefore is when, before the deadline, the officer is reminded.
	ReminderBefore Duration `yaml:"reminder_before"`
	// EscalationPolicy is the id of the PO's escalation policy that runs
	// from the deadline (its steps, delays and catch-all).
	EscalationPolicy string `yaml:"escalation_policy"`
	// Officers are person ids of the PO's people who check in in this
	// group; a person's sms number identifies them on a call or text.
	Officers []string `yaml:"officers"`

	po     string
	policy *Policy
}

// PO is the id of the organisation the group belongs to.
func (g *StaffGroup) PO() string { return g.po }

// Policy is the group's escalation policy.
func (g *StaffGroup) Policy() *Policy { return g.policy }

// Default is the session length when the officer gives none.
func (g *StaffGroup) Default() time.Duration { return time.Duration(g.DefaultMinutes) * time.Minute }

// Max is the longest session an officer may ask for.
func (g *StaffGroup) Max() time.Duration { return time.Duration(g.MaxMinutes) * time.Minute }

// Reminder is how long before the deadline the officer is reminded.
func (g *StaffGroup) Reminder() time.Duration { return g.ReminderBefore.D }

// Extensions is how many times one session may be extended (0 when
// extension is not allowed).
func (g *StaffGroup) Extensions() int {
	if !g.Extension || g.MaxExtensions == nil {
		return 0
	}
	return *g.MaxExtensions
}

// HasOfficer reports whether the person id is an officer of the group.
func (g *StaffGroup) HasOfficer(person string) bool {
	for _, o := range g.Officers {
		if o == person {
			return true
		}
	}
	return false
}

// Retention is how long the PO's lone-worker personal data are kept.
func (p *PO) Retention() time.Duration {
	days := DefaultLoneWorkerRetentionDays
	if p.LoneWorker != nil && p.LoneWorker.RetentionDays != nil {
		days = *p.LoneWorker.RetentionDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// StaffGroups are the PO's lone-worker staff groups in catalogue order
// (none when the PO has no lone-worker support).
func (p *PO) StaffGroups() []*StaffGroup {
	if p.LoneWorker == nil {
		return nil
	}
	out := make([]*StaffGroup, len(p.LoneWorker.StaffGroups))
	for i := range p.LoneWorker.StaffGroups {
		out[i] = &p.LoneWorker.StaffGroups[i]
	}
	return out
}

// StaffGroup returns the PO's lone-worker staff group by id.
func (c *Catalog) StaffGroup(po, id string) (*StaffGroup, bool) {
	p, ok := c.byPO[po]
	if !ok {
		return nil, false
	}
	for _, g := range p.StaffGroups() {
		if g.ID == id {
			return g, true
		}
	}
	return nil, false
}

// OfficerBy finds the lone-worker officer whose sms number (E.164, compared
// as given) is phone: the person, their PO and the ids of the staff groups
// they check in under, in catalogue order. An officer's number is unique
// among officers in the catalogue (validated), so the answer is one.
func (c *Catalog) OfficerBy(phone string) (p Person, po string, groups []string, ok bool) {
	if phone == "" {
		return Person{}, "", nil, false
	}
	for _, x := range c.officers() {
		if !x.SMS.IsZero() && x.SMS.Reveal() == phone {
			return c.OfficerByID(x.ID)
		}
	}
	return Person{}, "", nil, false
}

// OfficerByID is the lone-worker officer with the person id: the person,
// their PO and staff groups (catalogue order); ok is false for anyone who
// is not an officer of a staff group.
func (c *Catalog) OfficerByID(id string) (p Person, po string, groups []string, ok bool) {
	p, po, ok = c.PersonByID(id)
	o := c.byPO[po]
	if !ok || o == nil {
		return Person{}, "", nil, false
	}
	for _, g := range o.StaffGroups() {
		if g.HasOfficer(id) {
			groups = append(groups, g.ID)
		}
	}
	return p, po, groups, len(groups) > 0
}

// officers are the people who are officers of a staff group, each once,
// in catalogue order.
func (c *Catalog) officers() []*Person {
	var out []*Person
	for i := range c.Organisations {
		o := &c.Organisations[i]
		seen := map[string]bool{}
		for _, g := range o.StaffGroups() {
			for _, id := range g.Officers {
				if x, found := o.personIndex[id]; found && !seen[id] {
					seen[id] = true
					out = append(out, x)
				}
			}
		}
	}
	return out
}

// loneWorkerTypes are the lone-worker YAML types, for "unknown field"
// messages (fieldsOf).
func loneWorkerTypes() []any { return []any{LoneWorker{}, StaffGroup{}} }
