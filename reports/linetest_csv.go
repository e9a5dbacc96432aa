package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// WriteLineTest writes r as CSV or XLSX (see LineTestFormats).
func WriteLineTest(w io.Writer, r LineTestReport, format string) error {
	switch format {
	case "csv":
		return WriteLineTestCSV(w, r)
	case "xlsx":
		return WriteLineTestXLSX(w, r)
	}
	return fmt.Errorf("unknown line-test report format %q; valid: csv, xlsx", format)
}

// Column headings of the two tables, shared by the CSV and XLSX writers.
var (
	lineTestHeader = []string{"date", "time", "zone", "access_number", "trigger", "result", "call_status",
		"duration_seconds", "reason", "run_id", "call_ref"}
	lineTestSummaryHeader = []string{"access_number", "service_options", "tests", "passed", "failed", "errors",
		"running", "first_failure", "last_failure"}
)

// WriteLineTestCSV writes the report as one CSV file in three blocks
// separated by an empty line: a title record (report, PO, month, period,
// due date), the tests (one record per test, local date and time with the
// zone), and the summary per number ending with a TOTAL record. Read it
// with a CSV reader that allows a varying number of fields.
func WriteLineTestCSV(w io.Writer, r LineTestReport) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"line-test report", r.PO, r.POName, r.Month,
		"from " + r.From.Format(time.RFC3339), "to " + r.To.Format(time.RFC3339), "due " + r.DueDate})
	cw.Write(nil)
	cw.Write(lineTestHeader)
	for _, t := range r.Tests {
		cw.Write([]string{t.Started.Format(time.DateOnly), t.Started.Format(time.TimeOnly), t.Zone(), t.AccessNumber,
			t.Trigger, t.Result, t.DialStatus, seconds(t.Duration), t.Reason, strconv.FormatInt(t.RunID, 10), t.Ref})
	}
	cw.Write(nil)
	cw.Write(lineTestSummaryHeader)
	for _, s := range append(slices.Clip(r.Numbers), r.Total) {
		cw.Write(summaryFields(s))
	}
	cw.Flush()
	return cw.Error()
}

func summaryFields(s LineTestNumberSummary) []string {
	i := strconv.Itoa
	return []string{s.AccessNumber, s.ServiceOptions, i(s.Tests), i(s.Passed), i(s.Failed), i(s.Errors), i(s.Running),
		localStamp(s.FirstFailure), localStamp(s.LastFailure)}
}

// localStamp is t's local date and time with its zone, or "" for zero.
func localStamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04:05 MST")
}

// seconds formats d in seconds without rounding (12.5).
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
