package reports

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the XLSX line-test report.
const (
	LineTestSheetTests   = "Tests"
	LineTestSheetSummary = "Summary"
)

// lineTestSummaryTop is the row of the Summary sheet's column headings;
// the rows above it say which report this is.
const lineTestSummaryTop = 6

// WriteLineTestXLSX writes the report as an Excel workbook with two
// sheets. Tests: one row per test under a bold heading row, the local
// start as an Excel date and time (the zone, GMT or BST, beside it),
// duration in seconds. Summary: the PO, month, period and due date, then
// one row per number under a bold heading row and a TOTAL row, first and
// last failure as Excel dates and times. Excel dates have no time zone:
// they hold the local wall-clock time.
func WriteLineTestXLSX(w io.Writer, r LineTestReport) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f}
	x.styles()
	if err := f.SetSheetName("Sheet1", LineTestSheetTests); err != nil {
		return fmt.Errorf("line-test report: %w", err)
	}
	if _, err := f.NewSheet(LineTestSheetSummary); err != nil {
		return fmt.Errorf("line-test report: %w", err)
	}
	x.tests(r)
	x.summary(r)
	x.err = firstErr(x.err, f.SetDocProps(&excelize.DocProperties{
		Title:   fmt.Sprintf("Line-test report %s %s", r.PO, r.Month),
		Subject: fmt.Sprintf("Line tests of %s's advertised numbers, %s", r.POName, r.Month),
		Creator: "slawatch",
	}))
	if x.err != nil {
		return fmt.Errorf("line-test report: %w", x.err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("line-test report: %w", err)
	}
	return nil
}

// xlsxWriter keeps the first error, so the writing reads as a list.
type xlsxWriter struct {
	f                          *excelize.File
	err                        error
	bold, stamp, date, seconds int
}

func (x *xlsxWriter) styles() {
	style := func(s *excelize.Style) int {
		id, err := x.f.NewStyle(s)
		x.err = firstErr(x.err, err)
		return id
	}
	stampFmt, dateFmt, secsFmt := "yyyy-mm-dd hh:mm:ss", "yyyy-mm-dd", "0.0##"
	x.bold = style(&excelize.Style{Font: &excelize.Font{Bold: true}})
	x.stamp = style(&excelize.Style{CustomNumFmt: &stampFmt})
	x.date = style(&excelize.Style{CustomNumFmt: &dateFmt})
	x.seconds = style(&excelize.Style{CustomNumFmt: &secsFmt})
}

// set writes v at column col (1-based) of row, with style (0: none).
func (x *xlsxWriter) set(sheet string, col, row int, v any, style int) {
	if x.err != nil {
		return
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		x.err = err
		return
	}
	if t, ok := v.(time.Time); ok {
		if t.IsZero() {
			return
		}
		v = wallClock(t)
	}
	x.err = x.f.SetCellValue(sheet, cell, v)
	if x.err == nil && style != 0 {
		x.err = x.f.SetCellStyle(sheet, cell, cell, style)
	}
}

func (x *xlsxWriter) heading(sheet string, row int, titles []string) {
	for i, h := range titles {
		x.set(sheet, i+1, row, h, x.bold)
	}
}

func (x *xlsxWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		col, err := excelize.ColumnNumberToName(i + 1)
		x.err = firstErr(x.err, err)
		if err == nil {
			x.err = firstErr(x.err, x.f.SetColWidth(sheet, col, col, wd))
		}
	}
}

// lineTestXLSXHeader: the CSV's date, time and zone are one date-time
// cell and the zone here.
var lineTestXLSXHeader = []string{"Started (local)", "Zone", "Access number", "Trigger", "Result", "Call status",
	"Duration (s)", "Reason", "Run id", "Call ref"}

func (x *xlsxWriter) tests(r LineTestReport) {
	const s = LineTestSheetTests
	x.heading(s, 1, lineTestXLSXHeader)
	for i, t := range r.Tests {
		row := i + 2
		x.set(s, 1, row, t.Started, x.stamp)
		x.set(s, 2, row, t.Zone(), 0)
		x.set(s, 3, row, t.AccessNumber, 0)
		x.set(s, 4, row, t.Trigger, 0)
		x.set(s, 5, row, t.Result, 0)
		x.set(s, 6, row, t.DialStatus, 0)
		x.set(s, 7, row, t.Duration.Seconds(), x.seconds)
		x.set(s, 8, row, t.Reason, 0)
		x.set(s, 9, row, t.RunID, 0)
		x.set(s, 10, row, t.Ref, 0)
	}
	x.widths(s, 20, 6, 16, 11, 8, 11, 12, 40, 8, 36)
	x.err = firstErr(x.err, x.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
}

var lineTestXLSXSummaryHeader = []string{"Access number", "Service options", "Tests", "Passed", "Failed", "Errors",
	"Running", "First failure", "Last failure"}

func (x *xlsxWriter) summary(r LineTestReport) {
	const s = LineTestSheetSummary
	x.set(s, 1, 1, "Line-test report", x.bold)
	x.set(s, 2, 1, fmt.Sprintf("%s (%s)", r.POName, r.PO), 0)
	x.set(s, 1, 2, "Month", x.bold)
	x.set(s, 2, 2, r.Month, 0)
	x.set(s, 1, 3, "Period (local)", x.bold)
	x.set(s, 2, 3, fmt.Sprintf("%s to %s, %s", r.From.Format("2006-01-02 15:04 MST"), r.To.Format("2006-01-02 15:04 MST"), r.Location), 0)
	x.set(s, 1, 4, "Due by", x.bold)
	due, _ := time.ParseInLocation(time.DateOnly, r.DueDate, r.Location)
	x.set(s, 2, 4, due, x.date)
	x.heading(s, lineTestSummaryTop, lineTestXLSXSummaryHeader)
	for i, n := range append(slices.Clip(r.Numbers), r.Total) {
		row := lineTestSummaryTop + 1 + i
		style := 0
		if i == len(r.Numbers) {
			style = x.bold
		}
		x.set(s, 1, row, n.AccessNumber, style)
		x.set(s, 2, row, n.ServiceOptions, 0)
		for j, v := range []int{n.Tests, n.Passed, n.Failed, n.Errors, n.Running} {
			x.set(s, 3+j, row, v, style)
		}
		x.set(s, 8, row, n.FirstFailure, x.stamp)
		x.set(s, 9, row, n.LastFailure, x.stamp)
	}
	x.widths(s, 16, 40, 8, 8, 8, 8, 8, 20, 20)
}

// wallClock is t's local wall-clock time labelled UTC. An Excel date has
// no zone and holds the time of day people read, here the PO's local time;
// excelize 2.11 writes a time's wall clock in its own zone, and a UTC time
// makes that independent of how the library treats zones.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
