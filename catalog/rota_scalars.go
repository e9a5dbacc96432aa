package catalog

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Handover is when a rota passes to the next person: "fri 17:00" (weekly)
// or "17:00" (daily), local time in the rota's zone.
type Handover struct {
	scalar
	// Weekly is true for a day-and-time handover.
	Weekly  bool
	Day     time.Weekday
	Minutes int
}

func (h *Handover) UnmarshalYAML(n *yaml.Node) error {
	return h.set(n, func(v string) error {
		v = strings.TrimSpace(v)
		clock := v
		if day, rest, ok := strings.Cut(v, " "); ok {
			wd, known := weekdays[strings.ToLower(day)]
			if !known {
				return fmt.Errorf("%q is not a handover; use \"HH:MM\" (daily) or e.g. \"fri 17:00\" (weekly; days: mon tue wed thu fri sat sun)", v)
			}
			h.Weekly, h.Day, clock = true, wd, strings.TrimSpace(rest)
		}
		m, err := parseClock(clock)
		if err == nil && m == 24*60 {
			err = fmt.Errorf("%q: a handover is at 00:00 to 23:59; write 00:00 for midnight", v)
		}
		if err != nil {
			return err
		}
		h.Minutes = m
		return nil
	})
}

// LocalTime is a date and time of day, "YYYY-MM-DD HH:MM", in a zone the
// context gives (the rota's).
type LocalTime struct {
	scalar
	Y       int
	M       time.Month
	D       int
	Minutes int
}

func (lt *LocalTime) UnmarshalYAML(n *yaml.Node) error {
	return lt.set(n, func(v string) error {
		t, err := time.Parse("2006-01-02 15:04", strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%q is not a local date and time; use \"YYYY-MM-DD HH:MM\" in the rota's time zone", v)
		}
		lt.Y, lt.M, lt.D = t.Date()
		lt.Minutes = t.Hour()*60 + t.Minute()
		return nil
	})
}

// In is the instant in loc.
func (lt LocalTime) In(loc *time.Location) time.Time {
	return time.Date(lt.Y, lt.M, lt.D, 0, lt.Minutes, 0, 0, loc)
}

func (lt LocalTime) String() string {
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d", lt.Y, lt.M, lt.D, lt.Minutes/60, lt.Minutes%60)
}

// Delay is the wait before an escalation step's next step: a Go duration,
// 0 or more (default 15m).
type Delay struct {
	scalar
	D time.Duration
}

func (d *Delay) UnmarshalYAML(n *yaml.Node) error {
	return d.set(n, func(v string) (err error) {
		d.D, err = time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration; use a Go duration such as 15m, or 0s", v)
		}
		if d.D < 0 {
			return fmt.Errorf("%q is negative; a delay is 0s or more, e.g. 15m", v)
		}
		return nil
	})
}
