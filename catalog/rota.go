package catalog

import (
	"sort"
	"time"
)

// Rotations of a rota.
const (
	RotationWeekly = "weekly"
	RotationDaily  = "daily"
)

// Rota is an on-call rota of a PO: the people in turn, a handover pattern
// and overrides. Handovers are wall-clock times in the rota's time zone, so
// a 17:00 handover stays at 17:00 local across BST changes.
type Rota struct {
	ID string `yaml:"id"`
	// ServiceOptions this rota covers (informative; policies name rotas).
	ServiceOptions []string `yaml:"service_options"`
	// SubCategory narrows the rota further, free text (e.g. a repair type).
	SubCategory string `yaml:"sub_category"`
	// TimeZone of the handovers and overrides; default the PO's.
	TimeZone string `yaml:"time_zone"`
	// Rotation is weekly or daily.
	Rotation string `yaml:"rotation"`
	// Handovers are when the next person takes over: "fri 17:00" for a
	// weekly rotation, "17:00" for a daily one. Several make several
	// shifts per week or day.
	Handovers []Handover `yaml:"handovers"`
	// People are the person ids in turn.
	People []string `yaml:"people"`
	// Start is the date of the first person's first handover: their turn
	// begins at the first handover on or after local midnight of Start.
	Start     Date       `yaml:"start"`
	Overrides []Override `yaml:"overrides"`

	loc       *time.Location
	period    int   // days in a cycle: 1 (daily) or 7 (weekly)
	marks     []int // handover minutes within the cycle, sorted, unique
	startDay  int   // civil day number of Start
	people    []*Person
	overrides []override
}

// Override puts Person on call from From to To (local times in the rota's
// zone, "YYYY-MM-DD HH:MM"), replacing whoever the rotation has then. A
// pre-dated override simply has a From in the future. Of overlapping
// overrides, the one listed last wins.
type Override struct {
	Person string    `yaml:"person"`
	From   LocalTime `yaml:"from"`
	To     LocalTime `yaml:"to"`
}

type override struct {
	from, to time.Time
	person   *Person
}

// Location is the rota's time zone.
func (r *Rota) Location() *time.Location { return r.loc }

// OnCall is the person on call on the PO's rota at t: an override covering
// t if there is one, else the rotation's person for the slot holding t.
// ok is false for an unknown PO or rota, before the rota starts, or when
// the rota has nobody. The person may still have no channel (see Gaps).
func (c *Catalog) OnCall(po, rotaID string, t time.Time) (Person, bool) {
	r, ok := c.rota(po, rotaID)
	if !ok {
		return Person{}, false
	}
	if p := r.at(t); p != nil {
		return *p, true
	}
	return Person{}, false
}

// Rota returns the PO's rota.
func (p *PO) Rota(id string) (*Rota, bool) { r, ok := p.rotaIndex[id]; return r, ok }

// Person returns one of the PO's people.
func (p *PO) Person(id string) (*Person, bool) { x, ok := p.personIndex[id]; return x, ok }

func (c *Catalog) rota(po, id string) (*Rota, bool) {
	p, ok := c.byPO[po]
	if !ok {
		return nil, false
	}
	return p.Rota(id)
}

func (r *Rota) at(t time.Time) *Person {
	for i := len(r.overrides) - 1; i >= 0; i-- {
		o := r.overrides[i]
		if !t.Before(o.from) && t.Before(o.to) {
			return o.person
		}
	}
	return r.scheduled(t)
}

// scheduled is the rotation's person at t, ignoring overrides.
func (r *Rota) scheduled(t time.Time) *Person {
	if len(r.people) == 0 || len(r.marks) == 0 {
		return nil
	}
	slot := r.handoversUpTo(t) - r.handoversBefore(r.startDay) - 1
	if slot < 0 {
		return nil
	}
	return r.people[slot%len(r.people)]
}

// civilDay numbers local calendar days (0 = 1970-01-01), whatever the zone.
func civilDay(l time.Time) int {
	y, m, d := l.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// cyclePos splits a civil day into its cycle number and day within the
// cycle; weekly cycles start on Sunday (1970-01-04 was one), matching
// time.Weekday.
func (r *Rota) cyclePos(day int) (cycle, pos int) {
	off := 0
	if r.period == 7 {
		off = 3
	}
	cycle = floorDiv(day-off, r.period)
	return cycle, day - off - cycle*r.period
}

// handoversBefore counts handovers (from an arbitrary origin) before local
// midnight of the civil day.
func (r *Rota) handoversBefore(day int) int {
	cycle, pos := r.cyclePos(day)
	n := cycle * len(r.marks)
	for _, m := range r.marks {
		if m/(24*60) < pos {
			n++
		}
	}
	return n
}

// handoversUpTo counts handovers at or before the instant t. The day's own
// handovers are compared as instants, so a repeated or skipped local hour
// cannot make a handover count twice or never.
func (r *Rota) handoversUpTo(t time.Time) int {
	l := t.In(r.loc)
	day := civilDay(l)
	n := r.handoversBefore(day)
	for _, inst := range r.handoversOn(l) {
		if !inst.After(t) {
			n++
		}
	}
	return n
}

// handoversOn are the instants of the handovers on l's local date.
func (r *Rota) handoversOn(l time.Time) []time.Time {
	_, pos := r.cyclePos(civilDay(l))
	var out []time.Time
	for _, m := range r.marks {
		if m/(24*60) == pos {
			out = append(out, time.Date(l.Year(), l.Month(), l.Day(), 0, m%(24*60), 0, 0, r.loc))
		}
	}
	return out
}

// handoversBetween are the handover instants in (from, to), in order.
func (r *Rota) handoversBetween(from, to time.Time) []time.Time {
	var out []time.Time
	l := from.In(r.loc)
	for d := time.Date(l.Year(), l.Month(), l.Day()-1, 12, 0, 0, 0, r.loc); !d.After(to.Add(48 * time.Hour)); d = d.AddDate(0, 0, 1) {
		for _, inst := range r.handoversOn(d) {
			if inst.After(from) && inst.Before(to) {
				out = append(out, inst)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}
