package rotaapi

import (
	"fmt"
	"strings"
	"time"
)

const localLayout = "2006-01-02 15:04"

// parseTime reads RFC 3339 or "YYYY-MM-DD HH:MM" in loc. A local time the
// clocks skip is an error, and so is one they pass twice (the hour when
// summer time ends): then the offset must be given.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(localLayout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time; use RFC 3339 (2026-10-23T17:00:00+01:00) or \"YYYY-MM-DD HH:MM\" in %s", s, loc)
	}
	if t.Format(localLayout) != s {
		return time.Time{}, fmt.Errorf("%q does not exist in %s (the clocks go forward then); pick a time outside the skipped hour", s, loc)
	}
	for _, d := range []time.Duration{-time.Hour, time.Hour, -30 * time.Minute, 30 * time.Minute} {
		if u := t.Add(d); u.In(loc).Format(localLayout) == s {
			a, b := t, u
			if b.Before(a) {
				a, b = b, a
			}
			return time.Time{}, fmt.Errorf("%q happens twice in %s (the clocks go back then); give RFC 3339 with the offset: %s or %s",
				s, loc, a.Format(time.RFC3339), b.Format(time.RFC3339))
		}
	}
	return t, nil
}
