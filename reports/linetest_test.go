package reports

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/slawatch/slawatch/store"
)

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A month's bounds are local midnights, so a month with a clock change is
// an hour shorter (March) or longer (October) than its days.
func TestParseMonthAcrossBST(t *testing.T) {
	loc := london(t)
	for _, tc := range []struct {
		month    string
		from, to string // UTC
		hours    float64
	}{
		{"2026-03", "2026-03-01T00:00:00Z", "2026-03-31T23:00:00Z", 31*24 - 1},
		{"2026-10", "2026-09-30T23:00:00Z", "2026-11-01T00:00:00Z", 31*24 + 1},
		{"2026-11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", 30 * 24},
		{"2028-02", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z", 29 * 24},
	} {
		from, to, err := ParseMonth(tc.month, loc)
		if err != nil {
			t.Fatalf("%s: %v", tc.month, err)
		}
		if got := from.UTC().Format(time.RFC3339); got != tc.from {
			t.Errorf("%s from %s, want %s", tc.month, got, tc.from)
		}
		if got := to.UTC().Format(time.RFC3339); got != tc.to {
			t.Errorf("%s to %s, want %s", tc.month, got, tc.to)
		}
		if h := to.Sub(from).Hours(); h != tc.hours {
			t.Errorf("%s lasts %vh, want %vh", tc.month, h, tc.hours)
		}
	}
	for _, bad := range []string{"", "2026-13", "2026-1", "26-11", "2026-11-01", "2026/11", "November 2026", " 2026-11"} {
		if _, _, err := ParseMonth(bad, loc); err == nil || !strings.Contains(err.Error(), "want YYYY-MM, e.g. 2026-11") {
			t.Errorf("ParseMonth(%q) = %v, want an error saying YYYY-MM", bad, err)
		}
	}
}

// Due within 2 working days of month end; weekends and bank holidays are
// not working days.
func TestLineTestDueDate(t *testing.T) {
	c := example(t)
	for month, want := range map[string]string{
		"2026-11": "2026-12-02", // Mon 30 Nov: Tue 1, Wed 2 Dec
		"2026-12": "2027-01-05", // Thu 31 Dec: New Year's Day (Fri) is a bank holiday, Mon 4, Tue 5
		"2026-04": "2026-05-05", // Thu 30 Apr: Fri 1 May, Mon 4 May is the early May bank holiday, Tue 5
		"2026-10": "2026-11-03", // Sat 31 Oct: Mon 2, Tue 3 Nov
	} {
		p, err := LineTestPeriod(c, "ealing", month)
		if err != nil {
			t.Fatal(err)
		}
		if p.DueDate != want {
			t.Errorf("%s: due %s, want %s", month, p.DueDate, want)
		}
		if end := p.Due.In(london(t)); end.Format(time.DateOnly) != mustNextDay(t, want) || end.Hour() != 0 {
			t.Errorf("%s: deadline %s, want midnight ending %s", month, end, want)
		}
	}
	if _, err := LineTestPeriod(c, "nowhere", "2026-11"); err == nil || !strings.Contains(err.Error(), "ealing") {
		t.Errorf("unknown PO: %v, want an error listing the POs", err)
	}
	if _, err := LineTestPeriod(c, "ealing", "2026-11-30"); err == nil {
		t.Error("a date was accepted as a month")
	}
}

func mustNextDay(t *testing.T, day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}

// octoberRuns are Ealing's runs around October 2026 (clocks go back on
// Sunday 25 October at 02:00 BST), with some that do not belong.
func octoberRuns() []store.LineTestRun {
	utc := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	run := func(id int64, at, number, trigger, result, status, reason string, secs float64) store.LineTestRun {
		return store.LineTestRun{ID: id, PO: "ealing", AccessNumber: number, Trigger: trigger, Result: result,
			DialStatus: status, Reason: reason, Ref: "CA" + strconv.FormatInt(id, 10), Started: utc(at),
			Duration: time.Duration(secs * float64(time.Second))}
	}
	other := run(9, "2026-10-10T02:00:00Z", "+442079460003", "low_demand", "fail", "busy", "busy", 0)
	other.PO = "peabody"
	return []store.LineTestRun{
		// Given out of order: the report sorts by start.
		run(4, "2026-10-25T01:30:00Z", "+442079460001", "low_demand", "fail", "completed", "never reached the queue", 21.5), // 01:30 GMT
		run(3, "2026-10-25T00:30:00Z", "+442079460001", "low_demand", "pass", "completed", "", 12),                          // 01:30 BST
		run(1, "2026-09-30T22:59:59Z", "+442079460001", "handover", "pass", "completed", "", 9),                             // 30 Sep 23:59:59 BST: September
		run(2, "2026-09-30T23:00:00Z", "+442079460001", "handover", "fail", "busy", "busy", 0),                              // 1 Oct 00:00 BST: October
		run(5, "2026-10-28T03:10:00Z", "+442079460050", "manual", "error", "", "dialer: provider returned 503", 0),          // a number no longer in the catalogue
		run(6, "2026-10-31T23:59:00Z", "+442079460001", "low_demand", "running", "", "", 0),                                 // 23:59 GMT: still October
		run(7, "2026-11-01T00:00:00Z", "+442079460001", "low_demand", "pass", "completed", "", 10),                          // November
		other,
	}
}

func octoberReport(t *testing.T) LineTestReport {
	t.Helper()
	r, err := BuildLineTestReport(octoberRuns(), example(t), "ealing", "2026-10")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBuildLineTestReport(t *testing.T) {
	r := octoberReport(t)
	var ids []string
	for _, row := range r.Tests {
		ids = append(ids, strconv.FormatInt(row.RunID, 10)+"@"+row.Started.Format("01-02 15:04 MST"))
	}
	want := "2@10-01 00:00 BST 3@10-25 01:30 BST 4@10-25 01:30 GMT 5@10-28 03:10 GMT 6@10-31 23:59 GMT"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("tests:\n got %s\nwant %s", got, want)
	}
	if len(r.Numbers) != 3 {
		t.Fatalf("%d summary lines, want Ealing's two numbers and the old one: %+v", len(r.Numbers), r.Numbers)
	}
	main, second, old := r.Numbers[0], r.Numbers[1], r.Numbers[2]
	if main.AccessNumber != "+442079460001" || main.ServiceOptions != "all" ||
		main.Tests != 4 || main.Passed != 1 || main.Failed != 2 || main.Errors != 0 || main.Running != 1 {
		t.Errorf("main line: %+v", main)
	}
	if got := main.FirstFailure.Format(time.RFC3339); got != "2026-10-01T00:00:00+01:00" {
		t.Errorf("first failure %s", got)
	}
	if got := main.LastFailure.Format(time.RFC3339); got != "2026-10-25T01:30:00Z" {
		t.Errorf("last failure %s (the second 01:30, GMT)", got)
	}
	if second.AccessNumber != "+442079460002" || second.ServiceOptions != "social_services_emergencies" || second.Tests != 0 || !second.FirstFailure.IsZero() {
		t.Errorf("an untested number must still be listed, with nothing: %+v", second)
	}
	if old.AccessNumber != "+442079460050" || old.ServiceOptions != "" || old.Tests != 1 || old.Errors != 1 || old.Failed != 0 {
		t.Errorf("number no longer in the catalogue: %+v", old)
	}
	if tot := r.Total; tot.AccessNumber != "TOTAL" || tot.Tests != 5 || tot.Passed != 1 || tot.Failed != 2 || tot.Errors != 1 || tot.Running != 1 {
		t.Errorf("total: %+v", tot)
	}
	if r.DueDate != "2026-11-03" || r.POName != "London Borough of Ealing" {
		t.Errorf("due %s, name %q", r.DueDate, r.POName)
	}
}

func TestWriteLineTestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteLineTest(&buf, octoberReport(t), "csv"); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(&buf)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Title, tests heading and 5 tests, summary heading, 3 numbers and TOTAL.
	if len(recs) != 1+1+5+1+4 {
		t.Fatalf("%d records:\n%s", len(recs), buf.String())
	}
	if got := strings.Join(recs[0], "|"); got != "line-test report|ealing|London Borough of Ealing|2026-10|from 2026-10-01T00:00:00+01:00|to 2026-11-01T00:00:00Z|due 2026-11-03" {
		t.Errorf("title: %s", got)
	}
	if got := strings.Join(recs[1], ","); got != strings.Join(lineTestHeader, ",") {
		t.Errorf("tests heading: %s", got)
	}
	for i, want := range []string{
		"2026-10-01|00:00:00|BST|+442079460001|handover|fail|busy|0|busy|2|CA2",
		"2026-10-25|01:30:00|BST|+442079460001|low_demand|pass|completed|12||3|CA3",
		"2026-10-25|01:30:00|GMT|+442079460001|low_demand|fail|completed|21.5|never reached the queue|4|CA4",
		"2026-10-28|03:10:00|GMT|+442079460050|manual|error||0|dialer: provider returned 503|5|CA5",
		"2026-10-31|23:59:00|GMT|+442079460001|low_demand|running||0||6|CA6",
	} {
		if got := strings.Join(recs[2+i], "|"); got != want {
			t.Errorf("test %d:\n got %s\nwant %s", i, got, want)
		}
	}
	if got := strings.Join(recs[7], ","); got != strings.Join(lineTestSummaryHeader, ",") {
		t.Errorf("summary heading: %s", got)
	}
	for i, want := range []string{
		"+442079460001|all|4|1|2|0|1|2026-10-01 00:00:00 BST|2026-10-25 01:30:00 GMT",
		"+442079460002|social_services_emergencies|0|0|0|0|0||",
		"+442079460050||1|0|0|1|0||",
		"TOTAL||5|1|2|1|1|2026-10-01 00:00:00 BST|2026-10-25 01:30:00 GMT",
	} {
		if got := strings.Join(recs[8+i], "|"); got != want {
			t.Errorf("summary %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestWriteLineTestXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteLineTest(&buf, octoberReport(t), "xlsx"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Tests,Summary" {
		t.Fatalf("sheets %s, want Tests,Summary", got)
	}
	cell := func(sheet, ref string) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	bold := func(sheet, ref string) bool {
		t.Helper()
		id, err := f.GetCellStyle(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Font != nil && st.Font.Bold
	}
	// An Excel date: a number (days since 1900) holding the local wall clock.
	excelTime := func(sheet, ref string) time.Time {
		t.Helper()
		raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Fatalf("%s!%s = %q, want an Excel date (a number)", sheet, ref, raw)
		}
		tm, err := excelize.ExcelDateToTime(serial, false)
		if err != nil {
			t.Fatal(err)
		}
		return tm.Round(time.Second)
	}

	for i, h := range lineTestXLSXHeader {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		if cell("Tests", ref) != h || !bold("Tests", ref) {
			t.Errorf("Tests!%s = %q (bold %v), want bold %q", ref, cell("Tests", ref), bold("Tests", ref), h)
		}
	}
	if bold("Tests", "A2") {
		t.Error("a data row is bold")
	}
	// Rows 3 and 4: the two 01:30s of 25 October, told apart by the zone.
	for _, tc := range []struct {
		row        string
		wall, zone string
		result     string
		secs       string
	}{
		{"2", "2026-10-01 00:00:00", "BST", "fail", "0"},
		{"3", "2026-10-25 01:30:00", "BST", "pass", "12"},
		{"4", "2026-10-25 01:30:00", "GMT", "fail", "21.5"},
		{"6", "2026-10-31 23:59:00", "GMT", "running", "0"},
	} {
		if got := excelTime("Tests", "A"+tc.row).Format(time.DateTime); got != tc.wall {
			t.Errorf("Tests!A%s = %s, want %s", tc.row, got, tc.wall)
		}
		if got := cell("Tests", "A"+tc.row); got != tc.wall {
			t.Errorf("Tests!A%s displays %q, want %q", tc.row, got, tc.wall)
		}
		if cell("Tests", "B"+tc.row) != tc.zone || cell("Tests", "E"+tc.row) != tc.result {
			t.Errorf("row %s: zone %q result %q", tc.row, cell("Tests", "B"+tc.row), cell("Tests", "E"+tc.row))
		}
		raw, _ := f.GetCellValue("Tests", "G"+tc.row, excelize.Options{RawCellValue: true})
		if raw != tc.secs {
			t.Errorf("Tests!G%s duration %q, want %s", tc.row, raw, tc.secs)
		}
	}
	if cell("Tests", "H4") != "never reached the queue" || cell("Tests", "I4") != "4" || cell("Tests", "J4") != "CA4" || cell("Tests", "C5") != "+442079460050" {
		t.Errorf("row 4: %q %q %q; row 5 number %q", cell("Tests", "H4"), cell("Tests", "I4"), cell("Tests", "J4"), cell("Tests", "C5"))
	}
	if rows, _ := f.GetRows("Tests"); len(rows) != 6 {
		t.Errorf("Tests has %d rows, want heading and 5 tests", len(rows))
	}

	if cell("Summary", "B1") != "London Borough of Ealing (ealing)" || cell("Summary", "B2") != "2026-10" {
		t.Errorf("Summary title: %q %q", cell("Summary", "B1"), cell("Summary", "B2"))
	}
	if got := excelTime("Summary", "B4").Format(time.DateOnly); got != "2026-11-03" {
		t.Errorf("due %s, want 2026-11-03", got)
	}
	for i, h := range lineTestXLSXSummaryHeader {
		ref, _ := excelize.CoordinatesToCellName(i+1, lineTestSummaryTop)
		if cell("Summary", ref) != h || !bold("Summary", ref) {
			t.Errorf("Summary!%s = %q, want bold %q", ref, cell("Summary", ref), h)
		}
	}
	want := [][]string{
		{"+442079460001", "all", "4", "1", "2", "0", "1"},
		{"+442079460002", "social_services_emergencies", "0", "0", "0", "0", "0"},
		{"+442079460050", "", "1", "0", "0", "1", "0"},
		{"TOTAL", "", "5", "1", "2", "1", "1"},
	}
	for i, w := range want {
		row := lineTestSummaryTop + 1 + i
		for j, v := range w {
			ref, _ := excelize.CoordinatesToCellName(j+1, row)
			if got := cell("Summary", ref); got != v {
				t.Errorf("Summary!%s = %q, want %q", ref, got, v)
			}
		}
	}
	first, last := excelTime("Summary", "H7"), excelTime("Summary", "I7")
	if first.Format(time.DateTime) != "2026-10-01 00:00:00" || last.Format(time.DateTime) != "2026-10-25 01:30:00" {
		t.Errorf("first/last failure %s, %s", first, last)
	}
	if cell("Summary", "H8") != "" || !bold("Summary", "A10") || bold("Summary", "A7") {
		t.Errorf("no failure should leave H8 empty (%q); only TOTAL is bold", cell("Summary", "H8"))
	}
}

// A month without tests still makes both files, every number listed.
func TestLineTestReportEmptyMonth(t *testing.T) {
	r, err := BuildLineTestReport(nil, example(t), "rbkc", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tests) != 0 || len(r.Numbers) != 2 || r.Total.Tests != 0 {
		t.Fatalf("%+v", r)
	}
	for _, format := range LineTestFormats() {
		var buf bytes.Buffer
		if err := WriteLineTest(&buf, r, format); err != nil || buf.Len() == 0 {
			t.Errorf("%s: %v (%d bytes)", format, err, buf.Len())
		}
	}
	if err := WriteLineTest(&bytes.Buffer{}, r, "pdf"); err == nil || !strings.Contains(err.Error(), "csv, xlsx") {
		t.Errorf("unknown format: %v", err)
	}
}

func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2026-11", "2026-03", "1999-12", "2026-13", "2026-1", "", "0000-01", "9999-12", "+026-01"} {
		f.Add(s)
	}
	loc := london(f)
	f.Fuzz(func(t *testing.T, s string) {
		from, to, err := ParseMonth(s, loc)
		if err != nil {
			return
		}
		if from.Format("2006-01") != s {
			t.Errorf("%q parsed as %s", s, from)
		}
		l := from.In(loc)
		if l.Day() != 1 || l.Hour() != 0 || l.Minute() != 0 {
			t.Errorf("%q starts at %s, not local midnight of the 1st", s, l)
		}
		if d := to.Sub(from); d < 28*24*time.Hour-time.Hour || d > 31*24*time.Hour+time.Hour {
			t.Errorf("%q lasts %s", s, d)
		}
	})
}
