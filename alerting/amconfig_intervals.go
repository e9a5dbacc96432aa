package alerting

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// The in-service time interval of a PO is read from the catalogue's own
// definition, catalog.InService, minute by minute, rather than from the
// hours fields: the resolved hours (catalogue defaults, PO override) live
// inside the catalogue package, and reading InService keeps Alertmanager's
// muting and every other part of slawatch on one definition. Hours are
// whole minutes, so sampling each minute is exact.
//
// The weekly pattern is sampled over a reference week with no bank
// holiday, no Christmas working day and no clock change. Each bank holiday
// and Christmas working day of the two years is then sampled on its own:
// when the PO is in service all that day it becomes a date entry
// (years/months/days_of_month, no times), otherwise the weekly pattern
// already covers it. Every entry carries the PO's time zone (location),
// so Alertmanager judges wall-clock times across BST and GMT as the
// catalogue does.

const minutesPerDay = 24 * 60

// span is [from, to) in minutes since local midnight.
type span struct{ from, to int }

func serviceIntervals(c *catalog.Catalog, year int) ([]amNamedInterval, error) {
	var out []amNamedInterval
	for i := range c.Organisations {
		p := &c.Organisations[i]
		ni, err := poInterval(c, p, year)
		if err != nil {
			return nil, fmt.Errorf("alerting: hours of service of po %q: %w", p.ID, err)
		}
		out = append(out, ni)
	}
	return out, nil
}

func poInterval(c *catalog.Catalog, p *catalog.PO, year int) (amNamedInterval, error) {
	loc := p.Location()
	week, err := weeklyPattern(c, p, year)
	if err != nil {
		return amNamedInterval{}, err
	}
	ni := amNamedInterval{Name: InServiceInterval(p.ID)}
	ni.TimeIntervals = weeklyEntries(week, loc.String())
	days, err := fullDays(c, p, week, year)
	if err != nil {
		return amNamedInterval{}, err
	}
	ni.TimeIntervals = append(ni.TimeIntervals, dateEntries(days, loc.String())...)
	ni.comment = fmt.Sprintf("%s: weekly hours of service in %s, and %d day(s) in service around the clock in %d-%d (bank holidays, Christmas working days).",
		p.Name, loc, len(days), year, year+1)
	return ni, nil
}

// special reports whether the date may follow other hours than the week:
// a bank holiday or a Christmas working day (judged at local noon).
func special(c *catalog.Catalog, noon time.Time) bool {
	return c.BankHoliday(noon) || c.ChristmasWorkingDay(noon)
}

// weeklyPattern samples InService for each weekday of a reference week,
// the first clean Monday-to-Sunday from 1 January of year.
func weeklyPattern(c *catalog.Catalog, p *catalog.PO, year int) ([7][]span, error) {
	loc := p.Location()
	start := time.Date(year, time.January, 1, 12, 0, 0, 0, loc)
	for start.Weekday() != time.Monday {
		start = start.AddDate(0, 0, 1)
	}
	for w := 0; w < 106; w++ {
		mon := start.AddDate(0, 0, 7*w)
		if !cleanWeek(c, mon) {
			continue
		}
		var week [7][]span
		for d := 0; d < 7; d++ {
			day := mon.AddDate(0, 0, d)
			week[day.Weekday()] = daySpans(c, p.ID, day)
		}
		return week, nil
	}
	return [7][]span{}, fmt.Errorf("no week in %d-%d without a bank holiday, Christmas working day or clock change to read the weekly hours from", year, year+1)
}

// cleanWeek: no special day and one UTC offset from Monday 00:00 to the
// next Monday 00:00.
func cleanWeek(c *catalog.Catalog, mondayNoon time.Time) bool {
	loc := mondayNoon.Location()
	y, m, d := mondayNoon.Date()
	_, off := time.Date(y, m, d, 0, 0, 0, 0, loc).Zone()
	for i := 0; i < 7; i++ {
		if special(c, time.Date(y, m, d+i, 12, 0, 0, 0, loc)) {
			return false
		}
		if _, o := time.Date(y, m, d+i+1, 0, 0, 0, 0, loc).Zone(); o != off {
			return false
		}
	}
	return true
}

// daySpans samples InService at each wall-clock minute of the local date
// of day. A minute that does not exist (the hour skipped when clocks go
// forward) takes the value of the minute before.
func daySpans(c *catalog.Catalog, po string, day time.Time) []span {
	loc := day.Location()
	y, m, d := day.Date()
	var in [minutesPerDay]bool
	for min := 0; min < minutesPerDay; min++ {
		t := time.Date(y, m, d, 0, min, 0, 0, loc)
		if t.Hour()*60+t.Minute() != min && min > 0 {
			in[min] = in[min-1]
			continue
		}
		in[min] = c.InService(po, "", t)
	}
	var out []span
	for min := 0; min < minutesPerDay; {
		if !in[min] {
			min++
			continue
		}
		s := span{from: min}
		for min < minutesPerDay && in[min] {
			min++
		}
		s.to = min
		out = append(out, s)
	}
	return out
}

func allDay(s []span) bool { return len(s) == 1 && s[0] == span{0, minutesPerDay} }

func sameSpans(a, b []span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fullDays lists the special dates of year and year+1 on which the PO is
// in service all day although its week says otherwise.
func fullDays(c *catalog.Catalog, p *catalog.PO, week [7][]span, year int) ([]time.Time, error) {
	loc := p.Location()
	var out []time.Time
	for day := time.Date(year, time.January, 1, 12, 0, 0, 0, loc); day.Year() <= year+1; day = day.AddDate(0, 0, 1) {
		if !special(c, day) {
			continue
		}
		spans := daySpans(c, p.ID, day)
		switch {
		case sameSpans(spans, week[day.Weekday()]):
		case allDay(spans):
			out = append(out, day)
		default:
			return nil, fmt.Errorf("on %s the hours are neither the weekly hours nor the whole day; a time interval cannot say so", day.Format(time.DateOnly))
		}
	}
	return out, nil
}

// weeklyEntries writes the week as one entry per distinct set of times,
// weekdays in Monday-first order; a day in service throughout has no times.
func weeklyEntries(week [7][]span, location string) []amTimeInterval {
	type group struct {
		days  []int
		spans []span
	}
	var groups []*group
	for i := 0; i < 7; i++ {
		wd := (i + 1) % 7 // Monday first
		if len(week[wd]) == 0 {
			continue
		}
		var g *group
		for _, h := range groups {
			if sameSpans(h.spans, week[wd]) {
				g = h
			}
		}
		if g == nil {
			g = &group{spans: week[wd]}
			groups = append(groups, g)
		}
		g.days = append(g.days, wd)
	}
	var out []amTimeInterval
	for _, g := range groups {
		e := amTimeInterval{Weekdays: weekdayRanges(g.days), Location: location}
		if !allDay(g.spans) {
			for _, s := range g.spans {
				e.Times = append(e.Times, amTimeRange{Start: clock(s.from), End: clock(s.to)})
			}
		}
		out = append(out, e)
	}
	return out
}

// weekdayRanges writes days (0 = Sunday) as Alertmanager weekday ranges,
// which run Sunday to Saturday: Saturday and Sunday stay two entries.
func weekdayRanges(days []int) []string {
	sorted := append([]int(nil), days...)
	sort.Ints(sorted)
	var runs [][2]int
	for _, d := range sorted {
		if n := len(runs); n > 0 && runs[n-1][1] == d-1 {
			runs[n-1][1] = d
		} else {
			runs = append(runs, [2]int{d, d})
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return (runs[i][0]+6)%7 < (runs[j][0]+6)%7 })
	out := make([]string, 0, len(runs))
	for _, r := range runs {
		if r[0] == r[1] {
			out = append(out, weekdayName(r[0]))
		} else {
			out = append(out, weekdayName(r[0])+":"+weekdayName(r[1]))
		}
	}
	return out
}

func weekdayName(d int) string { return strings.ToLower(time.Weekday(d).String()) }

func clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// dateEntries writes whole days as one entry per year and month with runs
// of days of the month.
func dateEntries(days []time.Time, location string) []amTimeInterval {
	var out []amTimeInterval
	for i := 0; i < len(days); {
		y, m, _ := days[i].Date()
		var dom []int
		for ; i < len(days) && days[i].Year() == y && days[i].Month() == m; i++ {
			dom = append(dom, days[i].Day())
		}
		e := amTimeInterval{
			Years:    []string{strconv.Itoa(y)},
			Months:   []string{strings.ToLower(m.String())},
			Location: location,
		}
		for j := 0; j < len(dom); {
			k := j
			for k+1 < len(dom) && dom[k+1] == dom[k]+1 {
				k++
			}
			if k == j {
				e.DaysOfMonth = append(e.DaysOfMonth, strconv.Itoa(dom[j]))
			} else {
				e.DaysOfMonth = append(e.DaysOfMonth, strconv.Itoa(dom[j])+":"+strconv.Itoa(dom[k]))
			}
			j = k + 1
		}
		out = append(out, e)
	}
	return out
}
