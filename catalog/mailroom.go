package catalog

import (
	"fmt"
	"strings"
	"time"
)

// MailRoom is the government mail room the mail-room exporter watches
// (SPEC.md "Mail room"): its business units, each with its regions, and
// the third-week daily sample that every business unit and region must
// send a daily count for.
type MailRoom struct {
	BusinessUnits []BusinessUnit `yaml:"business_units"`
	// DailySample is the third-week daily count (defaults: days 15 to 21,
	// due at 12:00 on the next working day).
	DailySample DailySample `yaml:"daily_sample"`

	byID map[string]*BusinessUnit
}

// BusinessUnit is one business unit of the mail room's client: the label
// business_unit of every mailroom_* series, with its regions.
type BusinessUnit struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Regions []Region `yaml:"regions"`
}

// Region is a region of a business unit: the label region. The same
// region id may appear under several business units.
type Region struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// DailySample is when a daily count is required. A sample day is a working
// day (WorkingDay: Monday to Friday, not an England and Wales bank holiday
// nor an extra_bank_holidays date) whose day of the month, in the
// catalogue's time zone, is from FirstDay to LastDay inclusive: by default
// 15 to 21, the third week of every month (five working days, fewer when
// a bank holiday falls in it). The count of a sample day is due at DueBy
// (local time) on the next working day after it; from then until it
// arrives the count is missing.
type DailySample struct {
	FirstDay *int      `yaml:"first_day"`
	LastDay  *int      `yaml:"last_day"`
	DueBy    ClockTime `yaml:"due_by"`
}

// Defaults of the daily sample.
const (
	DefaultSampleFirstDay = 15
	DefaultSampleLastDay  = 21
	DefaultSampleDueBy    = "12:00"
)

func mailRoomTypes() []any { return []any{MailRoom{}, BusinessUnit{}, Region{}, DailySample{}} }

// BusinessUnit returns the business unit with that id.
func (m *MailRoom) BusinessUnit(id string) (*BusinessUnit, bool) {
	bu, ok := m.byID[id]
	return bu, ok
}

// BusinessUnitIDs lists the business unit ids in catalogue order.
func (m *MailRoom) BusinessUnitIDs() []string {
	out := make([]string, len(m.BusinessUnits))
	for i, bu := range m.BusinessUnits {
		out[i] = bu.ID
	}
	return out
}

// Region reports whether the business unit has a region with that id.
func (b *BusinessUnit) Region(id string) bool {
	for _, r := range b.Regions {
		if r.ID == id {
			return true
		}
	}
	return false
}

// RegionIDs lists the business unit's region ids in catalogue order.
func (b *BusinessUnit) RegionIDs() []string {
	out := make([]string, len(b.Regions))
	for i, r := range b.Regions {
		out[i] = r.ID
	}
	return out
}

// MailRoomSampleDay reports whether the local date of t (catalogue time
// zone) is a day of the daily sample. It is false without a mail room.
func (c *Catalog) MailRoomSampleDay(t time.Time) bool {
	if c.MailRoom == nil {
		return false
	}
	l := t.In(c.loc)
	s := c.MailRoom.DailySample
	return l.Day() >= *s.FirstDay && l.Day() <= *s.LastDay && c.workingDay(l)
}

// MailRoomSampleDays lists local midnight of every sample day of the month
// of t, oldest first.
func (c *Catalog) MailRoomSampleDays(t time.Time) []time.Time {
	if c.MailRoom == nil {
		return nil
	}
	l := t.In(c.loc)
	var out []time.Time
	s := c.MailRoom.DailySample
	for d := *s.FirstDay; d <= *s.LastDay; d++ {
		day := time.Date(l.Year(), l.Month(), d, 0, 0, 0, 0, c.loc)
		if day.Month() == l.Month() && c.MailRoomSampleDay(day) {
			out = append(out, day)
		}
	}
	return out
}

// MailRoomCountDue is when the daily count of the local date of day is due:
// DueBy on the next working day after it, in the catalogue's time zone.
func (c *Catalog) MailRoomCountDue(day time.Time) time.Time {
	next := c.AddWorkingDays(day, 1).Add(-time.Hour) // inside the next working day
	due := 12 * 60
	if c.MailRoom != nil {
		due = c.MailRoom.DailySample.DueBy.Minutes
	}
	return time.Date(next.Year(), next.Month(), next.Day(), due/60, due%60, 0, 0, c.loc)
}

// resolveMailRoom validates the catalogue's mail_room: section and fills
// in the daily sample's defaults.
func (c *Catalog) resolveMailRoom(v *validator, p path) {
	m := c.MailRoom
	if m == nil {
		return
	}
	m.byID = map[string]*BusinessUnit{}
	if len(m.BusinessUnits) == 0 {
		v.errorf(p.add("business_units"), "missing; a mail room lists at least one business unit, e.g. [{id: benefits, name: Benefits, regions: [{id: london, name: London}]}]")
	}
	for i := range m.BusinessUnits {
		bu := &m.BusinessUnits[i]
		bp := p.add("business_units", i)
		if bu.ID == "" {
			v.errorf(bp.add("id"), "missing; every business unit needs an id such as benefits")
		} else if v.id(bp.add("id"), bu.ID, "business unit id") {
			if _, dup := m.byID[bu.ID]; dup {
				v.errorf(bp.add("id"), "duplicate business unit id %q", bu.ID)
			}
			m.byID[bu.ID] = bu
		}
		if strings.TrimSpace(bu.Name) == "" {
			v.errorf(bp.add("name"), "missing; give the business unit's name")
		}
		if len(bu.Regions) == 0 {
			v.errorf(bp.add("regions"), "missing; list the business unit's regions, e.g. [{id: london, name: London}]")
		}
		seen := map[string]bool{}
		for j, r := range bu.Regions {
			rp := bp.add("regions", j)
			if r.ID == "" {
				v.errorf(rp.add("id"), "missing; every region needs an id such as london")
			} else if v.id(rp.add("id"), r.ID, "region id") {
				if seen[r.ID] {
					v.errorf(rp.add("id"), "duplicate region %q in business unit %s", r.ID, bu.ID)
				}
				seen[r.ID] = true
			}
			if strings.TrimSpace(r.Name) == "" {
				v.errorf(rp.add("name"), "missing; give the region's name")
			}
		}
	}
	c.resolveDailySample(v, p.add("daily_sample"), &m.DailySample)
}

func (c *Catalog) resolveDailySample(v *validator, sp path, s *DailySample) {
	first, last := DefaultSampleFirstDay, DefaultSampleLastDay
	if s.FirstDay == nil {
		s.FirstDay = &first
	}
	if s.LastDay == nil {
		s.LastDay = &last
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"first_day", *s.FirstDay}, {"last_day", *s.LastDay}} {
		if f.v < 1 || f.v > 28 {
			v.errorf(sp.add(f.name), "must be a day of the month from 1 to 28 (every month has it), not %d", f.v)
		}
	}
	if *s.LastDay < *s.FirstDay {
		v.errorf(sp.add("last_day"), "%d is before first_day (%d); the sample runs from first_day to last_day inclusive", *s.LastDay, *s.FirstDay)
	}
	v.scalar(sp.add("due_by"), s.DueBy.scalar)
	if !s.DueBy.Set() {
		s.DueBy.Minutes, _ = parseClock(DefaultSampleDueBy)
	} else if s.DueBy.err == nil && (s.DueBy.Minutes == 0 || s.DueBy.Minutes == 24*60) {
		v.errorf(sp.add("due_by"), "%s: give a time of day after 00:00 and before 24:00, e.g. 12:00", s.DueBy.Raw)
	}
}

// String describes the sample rule for messages and generated files.
func (s DailySample) String() string {
	due := fmt.Sprintf("%02d:%02d", s.DueBy.Minutes/60, s.DueBy.Minutes%60)
	return fmt.Sprintf("working days %d to %d of each month, count due at %s on the next working day", *s.FirstDay, *s.LastDay, due)
}
