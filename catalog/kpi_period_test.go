package catalog

import (
	"strings"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	for _, tc := range []struct {
		in         string
		want       Period
		start, end string // RFC 3339 in Europe/London
		prev       string
	}{
		{"2026-09", Period{FreqMonthly, 2026, 9}, "2026-09-01T00:00:00+01:00", "2026-10-01T00:00:00+01:00", "2026-08"},
		{"2026-01", Period{FreqMonthly, 2026, 1}, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2025-12"},
		{"2026-Q3", Period{FreqQuarterly, 2026, 3}, "2026-07-01T00:00:00+01:00", "2026-10-01T00:00:00+01:00", "2026-Q2"},
		{"2026-Q1", Period{FreqQuarterly, 2026, 1}, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00+01:00", "2025-Q4"},
		{"2026-H2", Period{FreqSixMonthly, 2026, 2}, "2026-07-01T00:00:00+01:00", "2027-01-01T00:00:00Z", "2026-H1"},
		{"2026-H1", Period{FreqSixMonthly, 2026, 1}, "2026-01-01T00:00:00Z", "2026-07-01T00:00:00+01:00", "2025-H2"},
		{"2026", Period{FreqAnnual, 2026, 0}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2025"},
	} {
		p, err := ParsePeriod(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if p != tc.want || p.String() != tc.in || p.Prev().String() != tc.prev {
			t.Errorf("%s: %+v (%s, prev %s), want %+v (prev %s)", tc.in, p, p, p.Prev(), tc.want, tc.prev)
		}
		if s, e := p.Start(london).Format(time.RFC3339), p.End(london).Format(time.RFC3339); s != tc.start || e != tc.end {
			t.Errorf("%s: [%s, %s), want [%s, %s)", tc.in, s, e, tc.start, tc.end)
		}
		mid := p.Start(london).Add(p.End(london).Sub(p.Start(london)) / 2)
		if got := PeriodOf(p.Freq, mid, london); got != p {
			t.Errorf("PeriodOf(%s, %s) = %s, want %s", p.Freq, mid, got, p)
		}
		if got := PeriodOf(p.Freq, p.End(london).Add(-time.Nanosecond), london); got != p {
			t.Errorf("PeriodOf(last instant of %s) = %s", p, got)
		}
	}
	for in, want := range map[string]string{
		"":          "too short",
		"2026-9":    "after the year comes -MM, -Qn or -Hn",
		"2026-13":   "the month must be 01 to 12",
		"2026-00":   "the month must be 01 to 12",
		"2026-Q5":   "Q must be followed by 1 to 4",
		"2026-H3":   "H must be followed by 1 to 2",
		"2026-q3":   "the month must be 01 to 12",
		"1999":      "year 1999 is outside 2000 to 2199",
		"２０２６":      "must start with a four-digit year",
		"2026-Q3 ":  "after the year comes",
		"+026-Q3":   "must start with a four-digit year",
		"2026/09":   "after the year comes",
		"2026-09-1": "after the year comes",
	} {
		_, err := ParsePeriod(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "want YYYY-MM (a month") {
			t.Errorf("ParsePeriod(%q) = %v, want an error with %q and the valid forms", in, err, want)
		}
	}
}

func TestPeriodWithinEnclosing(t *testing.T) {
	h2, _ := ParsePeriod("2026-H2")
	var names []string
	for _, p := range h2.Within(FreqMonthly) {
		names = append(names, p.String())
	}
	if got := strings.Join(names, " "); got != "2026-07 2026-08 2026-09 2026-10 2026-11 2026-12" {
		t.Errorf("months of 2026-H2: %s", got)
	}
	if w := h2.Within(FreqAnnual); w != nil {
		t.Errorf("years within a half year: %v", w)
	}
	m, _ := ParsePeriod("2026-11")
	for f, want := range map[Frequency]string{FreqMonthly: "2026-11", FreqQuarterly: "2026-Q4", FreqSixMonthly: "2026-H2", FreqAnnual: "2026"} {
		if got := m.Enclosing(f).String(); got != want {
			t.Errorf("Enclosing(%s) of 2026-11 = %s, want %s", f, got, want)
		}
	}
}

// FuzzParsePeriod: no input panics; whatever parses prints back as itself
// and its bounds are ordered.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-09", "2026-Q3", "2026-H2", "2026", "2026-13", "x", "2199-12", "2000-Q1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			if !strings.Contains(err.Error(), "want YYYY-MM") {
				t.Fatalf("error without the valid forms: %v", err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("%q parsed as %+v, prints as %q", s, p, p)
		}
		if !p.Start(time.UTC).Before(p.End(time.UTC)) || p.Prev().End(time.UTC) != p.Start(time.UTC) {
			t.Fatalf("%s: bad bounds", s)
		}
	})
}
