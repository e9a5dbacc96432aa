package catalog

import (
	"fmt"
	"strconv"
	"time"
)

// Frequency is how often a KPI is reported.
type Frequency string

// KPI reporting frequencies.
const (
	FreqMonthly    Frequency = "monthly"
	FreqQuarterly  Frequency = "quarterly"
	FreqSixMonthly Frequency = "six_monthly"
	FreqAnnual     Frequency = "annual"
)

func frequencyNames() []string {
	return []string{string(FreqMonthly), string(FreqQuarterly), string(FreqSixMonthly), string(FreqAnnual)}
}

// Months is the length of the frequency's periods in calendar months (0
// for an unknown frequency).
func (f Frequency) Months() int {
	switch f {
	case FreqMonthly:
		return 1
	case FreqQuarterly:
		return 3
	case FreqSixMonthly:
		return 6
	case FreqAnnual:
		return 12
	}
	return 0
}

// Period years are bounded so that every period's times fit the event
// store's int64 nanoseconds.
const (
	MinPeriodYear = 2000
	MaxPeriodYear = 2199
)

// Period is one calendar reporting period: a month ("2026-09"), a quarter
// ("2026-Q3": July to September), a half year ("2026-H2": July to
// December) or a year ("2026"), in the catalogue's time zone. Financial
// years are not built (docs/KPI.md).
type Period struct {
	Freq Frequency
	Year int
	// N is the month (1-12), quarter (1-4) or half (1-2); 0 for a year.
	N int
}

const periodForms = `YYYY-MM (a month, e.g. 2026-09), YYYY-Qn (a quarter, 2026-Q3), YYYY-Hn (a half year, 2026-H2) or YYYY (a year, 2026)`

// ParsePeriod parses a period as String writes it; anything else is an
// error naming the valid forms.
func ParsePeriod(s string) (Period, error) {
	bad := func(why string) (Period, error) {
		return Period{}, fmt.Errorf("period %q: %s; want %s", clipText(s, 20), why, periodForms)
	}
	if len(s) < 4 {
		return bad("too short")
	}
	year, ok := digits(s[:4])
	if !ok {
		return bad("must start with a four-digit year")
	}
	if year < MinPeriodYear || year > MaxPeriodYear {
		return bad(fmt.Sprintf("year %d is outside %d to %d", year, MinPeriodYear, MaxPeriodYear))
	}
	rest := s[4:]
	if rest == "" {
		return Period{Freq: FreqAnnual, Year: year}, nil
	}
	if rest[0] != '-' || len(rest) != 3 {
		return bad("after the year comes -MM, -Qn or -Hn")
	}
	switch rest[1] {
	case 'Q', 'H':
		n, ok := digits(rest[2:])
		freq, max := FreqQuarterly, 4
		if rest[1] == 'H' {
			freq, max = FreqSixMonthly, 2
		}
		if !ok || n < 1 || n > max {
			return bad(fmt.Sprintf("%c must be followed by 1 to %d", rest[1], max))
		}
		return Period{Freq: freq, Year: year, N: n}, nil
	}
	m, ok := digits(rest[1:])
	if !ok || m < 1 || m > 12 {
		return bad("the month must be 01 to 12")
	}
	return Period{Freq: FreqMonthly, Year: year, N: m}, nil
}

// digits parses s made only of ASCII digits.
func digits(s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && s != ""
}

// clipText shortens user input quoted in an error.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// String is the period's name: 2026-09, 2026-Q3, 2026-H2 or 2026.
func (p Period) String() string {
	switch p.Freq {
	case FreqMonthly:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case FreqQuarterly:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	case FreqSixMonthly:
		return fmt.Sprintf("%04d-H%d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// firstMonth is the period's first calendar month.
func (p Period) firstMonth() time.Month {
	if p.Freq == FreqAnnual {
		return time.January
	}
	return time.Month((p.N-1)*p.Freq.Months() + 1)
}

// Start is the period's first instant: local midnight of its first day.
func (p Period) Start(loc *time.Location) time.Time {
	return time.Date(p.Year, p.firstMonth(), 1, 0, 0, 0, 0, loc)
}

// End is the first instant after the period (the next period's Start).
func (p Period) End(loc *time.Location) time.Time {
	return time.Date(p.Year, p.firstMonth()+time.Month(p.Freq.Months()), 1, 0, 0, 0, 0, loc)
}

// PeriodOf is the period of frequency f that holds t (in loc).
func PeriodOf(f Frequency, t time.Time, loc *time.Location) Period {
	l := t.In(loc)
	p := Period{Freq: f, Year: l.Year()}
	if f != FreqAnnual {
		p.N = (int(l.Month())-1)/f.Months() + 1
	}
	return p
}

// Prev is the period before p, of the same frequency.
func (p Period) Prev() Period {
	if p.Freq == FreqAnnual {
		return Period{Freq: p.Freq, Year: p.Year - 1}
	}
	if p.N > 1 {
		return Period{Freq: p.Freq, Year: p.Year, N: p.N - 1}
	}
	return Period{Freq: p.Freq, Year: p.Year - 1, N: 12 / p.Freq.Months()}
}

// Within lists the periods of frequency f inside p, in order; f must be
// as fine as p's frequency or finer (nil otherwise).
func (p Period) Within(f Frequency) []Period {
	if f.Months() == 0 || f.Months() > p.Freq.Months() {
		return nil
	}
	var out []Period
	first := int(p.firstMonth())
	for m := first; m < first+p.Freq.Months(); m += f.Months() {
		q := Period{Freq: f, Year: p.Year}
		if f != FreqAnnual {
			q.N = (m-1)/f.Months() + 1
		}
		out = append(out, q)
	}
	return out
}

// Enclosing is the period of frequency f that holds p; f must be as
// coarse as p's frequency or coarser.
func (p Period) Enclosing(f Frequency) Period {
	return PeriodOf(f, time.Date(p.Year, p.firstMonth(), 1, 12, 0, 0, 0, time.UTC), time.UTC)
}

// exampleOf is a period of frequency f to suggest: p itself when it has
// that frequency, else the first f-period within p.
func (p Period) exampleOf(f Frequency) Period {
	if p.Freq == f {
		return p
	}
	if w := p.Within(f); len(w) > 0 {
		return w[0]
	}
	return p.Enclosing(f)
}
