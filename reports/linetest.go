package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// LineTestDueWorkingDays: the monthly line-test report is due within this
// many working days of month end (SPEC.md, "Line tests").
const LineTestDueWorkingDays = 2

// LineTestReport is the monthly line-test report of one PO: every test
// call placed to its advertised numbers in a calendar month (local time),
// with a summary per number. Counts are exact: they come from the event
// store, one run per row.
type LineTestReport struct {
	PO, POName string
	// Month is the calendar month, YYYY-MM.
	Month string
	// Location is the PO's time zone; From and To bound the month there:
	// [local midnight of the 1st, local midnight of the next 1st), so a
	// month with a clock change is an hour shorter or longer.
	Location *time.Location
	From, To time.Time
	// Due is the deadline: the end of the second working day after month
	// end (bank holidays are not working days). DueDate is that day.
	Due     time.Time
	DueDate string
	Tests   []LineTestRow
	Numbers []LineTestNumberSummary
	Total   LineTestNumberSummary
}

// LineTestRow is one test, its times in the report's location.
type LineTestRow struct {
	RunID        int64
	Started      time.Time // local
	AccessNumber string
	Trigger      string
	Result       string
	// DialStatus is the call's final status (completed, busy, no-answer,
	// failed, canceled); "" when no call was placed.
	DialStatus string
	Duration   time.Duration
	Reason     string
	// Ref is the provider's call id, for reconciliation with its records.
	Ref string
}

// Zone is the abbreviation of the local time zone at Started (GMT, BST):
// it tells apart the two 01:30s of the night the clocks go back.
func (r LineTestRow) Zone() string { z, _ := r.Started.Zone(); return z }

// LineTestNumberSummary counts one number's tests in the month. Failures
// are the runs whose result is fail (the line was broken); errors (the
// prober could not test) and runs still running are counted apart.
type LineTestNumberSummary struct {
	AccessNumber string
	// ServiceOptions the number serves ("all", or the catalogue ids);
	// empty for a number that is no longer in the catalogue.
	ServiceOptions                         string
	Tests, Passed, Failed, Errors, Running int
	// FirstFailure and LastFailure are the local start times of the first
	// and last failed test (zero when none).
	FirstFailure, LastFailure time.Time
}

// ParseMonth parses a calendar month YYYY-MM and returns its bounds in
// loc: [local midnight of the 1st, local midnight of the next month's 1st).
func ParseMonth(month string, loc *time.Location) (from, to time.Time, err error) {
	t, err := time.Parse("2006-01", month)
	if err != nil || len(month) != len("2006-01") {
		return time.Time{}, time.Time{}, fmt.Errorf("month %q: want YYYY-MM, e.g. 2026-11", month)
	}
	from = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 1, 0), nil
}

// LineTestPeriod is the month's bounds for po (in the PO's time zone) and
// the report's deadline; the store query of the report uses From and To.
func LineTestPeriod(c *catalog.Catalog, po, month string) (LineTestReport, error) {
	p, ok := c.PO(po)
	if !ok {
		return LineTestReport{}, fmt.Errorf("no PO %q in %s; POs: %s", po, c.Source, strings.Join(c.POIDs(), ", "))
	}
	loc := p.Location()
	from, to, err := ParseMonth(month, loc)
	if err != nil {
		return LineTestReport{}, err
	}
	lastDay := time.Date(to.Year(), to.Month(), to.Day()-1, 12, 0, 0, 0, loc)
	due := c.AddWorkingDays(lastDay, LineTestDueWorkingDays)
	return LineTestReport{
		PO: p.ID, POName: p.Name, Month: month, Location: loc, From: from, To: to,
		Due: due, DueDate: due.In(loc).AddDate(0, 0, -1).Format(time.DateOnly),
	}, nil
}

// BuildLineTestReport builds the report of po for month (YYYY-MM) from the
// stored runs (store.LineTestRuns with the period's From and To). Runs of
// other POs or outside the month are left out. Every catalogue number of
// the PO has a summary line, with no tests too; a number tested in the
// month but no longer in the catalogue follows them.
func BuildLineTestReport(runs []store.LineTestRun, c *catalog.Catalog, po, month string) (LineTestReport, error) {
	r, err := LineTestPeriod(c, po, month)
	if err != nil {
		return LineTestReport{}, err
	}
	p, _ := c.PO(po)
	known := map[string]bool{}
	for i := range p.AccessNumbers {
		n := &p.AccessNumbers[i]
		r.Numbers = append(r.Numbers, LineTestNumberSummary{AccessNumber: n.Number, ServiceOptions: servesText(n)})
		known[n.Number] = true
	}
	var extra []LineTestNumberSummary
	for _, run := range runs {
		if run.PO != po || run.Started.Before(r.From) || !run.Started.Before(r.To) {
			continue
		}
		row := LineTestRow{
			RunID: run.ID, Started: run.Started.In(r.Location), AccessNumber: run.AccessNumber, Trigger: run.Trigger,
			Result: run.Result, DialStatus: run.DialStatus, Duration: run.Duration, Reason: run.Reason, Ref: run.Ref,
		}
		r.Tests = append(r.Tests, row)
		if !known[run.AccessNumber] {
			extra = append(extra, LineTestNumberSummary{AccessNumber: run.AccessNumber})
			known[run.AccessNumber] = true
		}
	}
	slices.SortStableFunc(r.Tests, func(a, b LineTestRow) int {
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return cmp.Compare(a.RunID, b.RunID)
	})
	slices.SortFunc(extra, func(a, b LineTestNumberSummary) int { return strings.Compare(a.AccessNumber, b.AccessNumber) })
	r.Numbers = append(r.Numbers, extra...)
	index := map[string]int{}
	for i, s := range r.Numbers {
		index[s.AccessNumber] = i
	}
	r.Total = LineTestNumberSummary{AccessNumber: "TOTAL"}
	for _, t := range r.Tests {
		count(&r.Numbers[index[t.AccessNumber]], t)
		count(&r.Total, t)
	}
	return r, nil
}

func count(s *LineTestNumberSummary, t LineTestRow) {
	s.Tests++
	switch t.Result {
	case store.LineTestPass:
		s.Passed++
	case store.LineTestFail:
		s.Failed++
		if s.FirstFailure.IsZero() || t.Started.Before(s.FirstFailure) {
			s.FirstFailure = t.Started
		}
		if t.Started.After(s.LastFailure) {
			s.LastFailure = t.Started
		}
	case store.LineTestError:
		s.Errors++
	default:
		s.Running++
	}
}

// servesText is "all" for a number that serves every option, else its
// options' ids.
func servesText(n *catalog.AccessNumber) string {
	if slices.Contains(n.ServiceOptions, "*") {
		return "all"
	}
	return strings.Join(n.Options(), ", ")
}

// LineTestFormats are the formats WriteLineTest knows.
func LineTestFormats() []string { return []string{"csv", "xlsx"} }
