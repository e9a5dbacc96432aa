package catalog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The scalar types below keep their source line and any parse error instead
// of failing the decode, so that `catalog check` can report every problem in
// a file at once, each with its line.

type scalar struct {
	Raw  string
	Line int
	err  error
}

func (s *scalar) set(n *yaml.Node, parse func(string) error) error {
	if n.Kind != yaml.ScalarNode {
		s.Line, s.err = n.Line, fmt.Errorf("must be a single value, not a %s", kindName(n.Kind))
		return nil
	}
	s.Raw, s.Line = n.Value, n.Line
	s.err = parse(n.Value)
	return nil
}

// Set reports whether the value appeared in the file.
func (s scalar) Set() bool { return s.Line > 0 }

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

// Duration is a Go duration such as "10m" or "1h30m".
type Duration struct {
	scalar
	D time.Duration
}

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	return d.set(n, func(v string) (err error) {
		d.D, err = time.ParseDuration(v)
		if err == nil && d.D <= 0 {
			err = fmt.Errorf("must be positive")
		}
		if err != nil {
			return fmt.Errorf("%q is not a duration; use a positive Go duration such as 10m or 1h30m", v)
		}
		return nil
	})
}

// Date is a calendar date, YYYY-MM-DD, meaning local midnight.
type Date struct {
	scalar
	Y int
	M time.Month
	D int
}

func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	return d.set(n, func(v string) error {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return fmt.Errorf("%q is not a date; use YYYY-MM-DD", v)
		}
		d.Y, d.M, d.D = t.Date()
		return nil
	})
}

// In returns local midnight of the date in loc.
func (d Date) In(loc *time.Location) time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc) }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D) }

// ClockTime is a local time of day, "HH:MM" (24:00 allowed as end of day).
type ClockTime struct {
	scalar
	// Minutes since local midnight.
	Minutes int
}

func (c *ClockTime) UnmarshalYAML(n *yaml.Node) error {
	return c.set(n, func(v string) (err error) {
		c.Minutes, err = parseClock(v)
		return err
	})
}

func parseClock(v string) (int, error) {
	h, m, ok := strings.Cut(v, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day; use HH:MM from 00:00 to 24:00", v)
	}
	return hh*60 + mm, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// WeekTime is a day of the week and a local time, "fri 17:00".
type WeekTime struct {
	scalar
	Day     time.Weekday
	Minutes int
}

func (w *WeekTime) UnmarshalYAML(n *yaml.Node) error {
	return w.set(n, func(v string) error {
		day, clock, ok := strings.Cut(strings.TrimSpace(v), " ")
		wd, known := weekdays[strings.ToLower(day)]
		if !ok || !known {
			return fmt.Errorf("%q is not a day and time; use e.g. \"fri 17:00\" (days: mon tue wed thu fri sat sun)", v)
		}
		m, err := parseClock(strings.TrimSpace(clock))
		if err != nil {
			return err
		}
		w.Day, w.Minutes = wd, m
		return nil
	})
}

// weekMinute is minutes since Sunday 00:00 local.
func (w WeekTime) weekMinute() int { return int(w.Day)*24*60 + w.Minutes }
