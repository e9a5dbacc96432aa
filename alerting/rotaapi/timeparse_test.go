package rotaapi

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	for _, c := range []struct {
		in, want, err string
	}{
		{"2026-10-23T17:00:00+01:00", "2026-10-23T16:00:00Z", ""},
		{"2026-10-23T17:00:00.5Z", "2026-10-23T17:00:00.5Z", ""},
		{"2026-10-23 17:00", "2026-10-23T16:00:00Z", ""},
		{" 2026-12-01 08:00 ", "2026-12-01T08:00:00Z", ""},
		{"2026-10-25 00:59", "2026-10-24T23:59:00Z", ""},
		{"2026-10-25 01:00", "", "happens twice"},
		{"2026-10-25 01:59", "", "happens twice"},
		{"2026-10-25 02:00", "2026-10-25T02:00:00Z", ""},
		{"2026-03-29 01:00", "", "does not exist"},
		{"2026-03-29 02:00", "2026-03-29T01:00:00Z", ""},
		{"2026-10-23", "", "is not a time"},
		{"23/10/2026 17:00", "", "is not a time"},
	} {
		got, err := parseTime(c.in, london)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseTime(%q) = %s, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got.UTC().Format(time.RFC3339Nano) != c.want {
			t.Errorf("parseTime(%q) = %s, %v; want %s", c.in, got.UTC().Format(time.RFC3339Nano), err, c.want)
		}
	}
}

// FuzzParseTime: never panics; an accepted local time names exactly one
// instant, which reads back as the same wall-clock time.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-10-23 17:00", "2026-10-25 01:30", "2026-03-29 01:30", "2026-10-23T17:00:00+01:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime(s, london)
		if err != nil {
			return
		}
		if _, rfc := time.Parse(time.RFC3339, strings.TrimSpace(s)); rfc == nil {
			return
		}
		if got.In(london).Format(localLayout) != strings.TrimSpace(s) {
			t.Fatalf("%q parsed to %s", s, got)
		}
		for _, d := range []time.Duration{-time.Hour, time.Hour} {
			if got.Add(d).In(london).Format(localLayout) == strings.TrimSpace(s) {
				t.Fatalf("%q accepted though it happens twice", s)
			}
		}
	})
}
