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
func (c *Catalog) BankHoliday(t time.Time) bool { return c.bankHoliday(t.In(c.loc)) }

// bankHoliday judges the date of l in l's own zone.
func (c *Catalog) bankHoliday(l time.Time) bool {
	y, m, d := l.Date()
	if c.holidays.extra[[3]int{y, int(m), d}] {
		return true
	}
	_, observed, _ := c.holidays.cal.IsHoliday(time.Date(y, m, d, 12, 0, 0, 0, l.Location()))
	return observed
}

// WorkingDay reports whether the local date of t is Monday to Friday and
// not a bank holiday.
func (c *Catalog) WorkingDay(t time.Time) bool { return c.workingDay(t.In(c.loc)) }

func (c *Catalog) workingDay(l time.Time) bool {
	wd := l.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !c.bankHoliday(l)
}

// ChristmasWorkingDay reports whether the local date of t is one of the
// working days between Christmas and New Year.
func (c *Catalog) ChristmasWorkingDay(t time.Time) bool { return c.christmasWorkingDay(t.In(c.loc)) }

func (c *Catalog) christmasWorkingDay(l time.Time) bool {
	return l.Month() == time.December && l.Day() > 25 && c.workingDay(l)
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

// inCycle reports whether x is in [from, to) on a cycle (a week or a day in
// minutes), where to < from means the span wraps round.
func inCycle(x, from, to int) bool {
	if from < to {
		return x >= from && x < to
	}
	return x >= from || x < to
}

func (h Hours) inWeekly(l time.Time) bool {
	wm := int(l.Weekday())*24*60 + l.Hour()*60 + l.Minute()
	for _, w := range h.Weekly {
		if inCycle(wm, w.From.weekMinute(), w.To.weekMinute()) {
			return true
		}
	}
	return false
}

// inHours judges t in the PO's zone.
func (c *Catalog) inHours(p *PO, h Hours, t time.Time) bool {
	l := t.In(p.loc)
	return h.inWeekly(l) ||
		*h.BankHolidays24h && c.bankHoliday(l) ||
		*h.ChristmasWorkingDays24h && c.christmasWorkingDay(l)
}

// InService reports whether the provider answers the PO's service option at
// t. An empty serviceOption asks about the PO as a whole.
func (c *Catalog) InService(po, serviceOption string, t time.Time) bool {
	p, ok := c.byPO[po]
	if !ok {
		return false
	}
	if serviceOption == "" {
		return c.inHours(p, p.hours, t)
	}
	so, ok := p.Option(serviceOption)
	if !ok {
		return false
	}
	if !c.inHours(p, mergeHours(p.hours, so.Hours), t) {
		return false
	}
	l := t.In(p.loc)
	m := l.Hour()*60 + l.Minute()
	for _, g := range so.ClosedDaily {
		if inCycle(m, g.From.Minutes, g.To.Minutes) {
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
	l := t.In(p.loc)
	var cands []time.Time
	for d := 0; d <= handoverHorizonDays; d++ {
		day := time.Date(l.Year(), l.Month(), l.Day()+d, 0, 0, 0, 0, p.loc)
		cands = append(cands, day)
		for _, w := range p.hours.Weekly {
			if w.From.Day == day.Weekday() {
				cands = append(cands, time.Date(day.Year(), day.Month(), day.Day(), 0, w.From.Minutes, 0, 0, p.loc))
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Before(cands[j]) })
	for _, u := range cands {
		if u.After(t) && c.inHours(p, p.hours, u) && !c.inHours(p, p.hours, u.Add(-time.Minute)) {
			return u, true
		}
	}
	return time.Time{}, false
}

// LastHandover is the latest instant at or before t at which call
// handling passed from the PO to the provider. ok is false when there was
// none within handoverHorizonDays (24-hour service throughout).
func (c *Catalog) LastHandover(po string, t time.Time) (last time.Time, ok bool) {
	if _, found := c.byPO[po]; !found {
		return time.Time{}, false
	}
	from := t.AddDate(0, 0, -handoverHorizonDays-1)
	for {
		next, ok := c.NextHandover(po, from)
		if !ok || next.After(t) {
			return last, !last.IsZero()
		}
		last, from = next, next
	}
}

// handoverHorizonDays covers the longest run of 24-hour days a UK calendar
// makes: Christmas Eve evening to the Monday after New Year.
const handoverHorizonDays = 16
