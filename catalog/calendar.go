package catalog

import (
	"sort"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// holidays are the England and Wales bank holidays: the maintained
// rickar/cal list (with weekend substitute days) plus the catalogue's one-offs.
type holidays struct {
	cal   *cal.Calendar
	extra map[[3]int]bool
}

func newHolidays(extra []Date) holidays {
	c := &cal.Calendar{Name: "England and Wales"}
	c.AddHoliday(gb.Holidays...)
	h := holidays{cal: c, extra: map[[3]int]bool{}}
	for _, d := range extra {
		h.extra[[3]int{d.Y, int(d.M), d.D}] = true
	}
	return h
}

// BankHoliday reports whether the local date of t is a bank holiday (the
// day off: a substitute Monday counts, the Saturday it replaces does not).
func (c *Catalog) BankHoliday(t time.Time) bool {
	t = t.In(c.loc)
	y, m, d := t.Date()
	if c.holidays.extra[[3]int{y, int(m), d}] {
		return true
	}
	_, observed, _ := c.holidays.cal.IsHoliday(time.Date(y, m, d, 12, 0, 0, 0, c.loc))
	return observed
}

// WorkingDay reports whether the local date of t is Monday to Friday and
// not a bank holiday.
func (c *Catalog) WorkingDay(t time.Time) bool {
	wd := t.In(c.loc).Weekday()
	return wd != time.Saturday && wd != time.Sunday && !c.BankHoliday(t)
}

// ChristmasWorkingDay reports whether the local date of t is one of the
// working days between Christmas and New Year.
func (c *Catalog) ChristmasWorkingDay(t time.Time) bool {
	l := t.In(c.loc)
	return l.Month() == time.December && l.Day() > 25 && c.WorkingDay(l)
}

// AddWorkingDays is the end of the n-th working day after t's local date
// (n >= 1): the deadline "within n working days" of an event at t.
func (c *Catalog) AddWorkingDays(t time.Time, n int) time.Time {
	l := t.In(c.loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, c.loc)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.WorkingDay(day) {
			n--
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, c.loc)
}

func (h Hours) inWeekly(l time.Time) bool {
	wm := int(l.Weekday())*24*60 + l.Hour()*60 + l.Minute()
	for _, w := range h.Weekly {
		from, to := w.From.weekMinute(), w.To.weekMinute()
		if from < to && wm >= from && wm < to || from > to && (wm >= from || wm < to) {
			return true
		}
	}
	return false
}

func (c *Catalog) inHours(h Hours, t time.Time) bool {
	l := t.In(c.loc)
	return h.inWeekly(l) ||
		*h.BankHolidays24h && c.BankHoliday(l) ||
		*h.ChristmasWorkingDays24h && c.ChristmasWorkingDay(l)
}

// InService reports whether the provider answers the PO's service option at
// t. An empty serviceOption asks about the PO as a whole.
func (c *Catalog) InService(po, serviceOption string, t time.Time) bool {
	p, ok := c.byPO[po]
	if !ok {
		return false
	}
	if serviceOption == "" {
		return c.inHours(p.hours, t)
	}
	so, ok := p.Option(serviceOption)
	if !ok {
		return false
	}
	if !c.inHours(mergeHours(p.hours, so.Hours), t) {
		return false
	}
	l := t.In(c.loc)
	m := l.Hour()*60 + l.Minute()
	for _, g := range so.ClosedDaily {
		from, to := g.From.Minutes, g.To.Minutes
		if from < to && m >= from && m < to || from > to && (m >= from || m < to) {
			return false
		}
	}
	return true
}

// NextHandover is the first instant after t at which call handling passes
// from the PO to the provider (the PO's service starts). ok is false when
// the PO has no handover within handoverHorizonDays (24-hour service).
func (c *Catalog) NextHandover(po string, t time.Time) (next time.Time, ok bool) {
	p, found := c.byPO[po]
	if !found {
		return time.Time{}, false
	}
	l := t.In(c.loc)
	var cands []time.Time
	for d := 0; d <= handoverHorizonDays; d++ {
		day := time.Date(l.Year(), l.Month(), l.Day()+d, 0, 0, 0, 0, c.loc)
		cands = append(cands, day)
		for _, w := range p.hours.Weekly {
			if w.From.Day == day.Weekday() {
				cands = append(cands, time.Date(day.Year(), day.Month(), day.Day(), 0, w.From.Minutes, 0, 0, c.loc))
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Before(cands[j]) })
	for _, u := range cands {
		if u.After(t) && c.inHours(p.hours, u) && !c.inHours(p.hours, u.Add(-time.Minute)) {
			return u, true
		}
	}
	return time.Time{}, false
}

// handoverHorizonDays covers the longest run of 24-hour days a UK calendar
// makes: Christmas Eve evening to the Monday after New Year.
const handoverHorizonDays = 16
