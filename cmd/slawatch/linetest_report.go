package main

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/slawatch/slawatch/internal/atomicfile"
	"github.com/slawatch/slawatch/reports"
	"github.com/slawatch/slawatch/store"
)

// runLinetestReport is `slawatch linetest report`: the monthly line-test
// report of one PO from the event store, as CSV or XLSX.
func runLinetestReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "linetest report", "linetest report --po PO --month YYYY-MM [--format csv|xlsx] [--out FILE]",
		"Writes the monthly line-test report of one PO from the event store: every test call placed to its\n"+
			"advertised numbers in the calendar month (local time, Europe/London unless the PO says otherwise;\n"+
			"a test counts in the month it started), with its trigger, result, call status, duration and reason,\n"+
			"and a summary per number (tests, passed, failed, errors, first and last failure). The report is\n"+
			"due within 2 working days of month end. CSV goes to stdout unless --out is given; XLSX needs --out\n"+
			"or a stdout that is not a terminal (a pipe or a file).")
	var c commonFlags
	c.register(fs, true)
	po := fs.String("po", "", "participating organisation (catalogue id), required")
	month := fs.String("month", "", "calendar month, YYYY-MM (required)")
	format := fs.String("format", "csv", "output: "+strings.Join(reports.LineTestFormats(), ", "))
	out := fs.String("out", "", "write to this file (replaced atomically) instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) > 0 {
		return usagef("unexpected argument %q (see --help)", fs.Args()[0])
	}
	if *po == "" || *month == "" {
		return usagef("--po and --month are required (see --help)")
	}
	if !slices.Contains(reports.LineTestFormats(), *format) {
		return usagef("--format %q: use %s", *format, strings.Join(reports.LineTestFormats(), ", "))
	}
	if *format == "xlsx" && *out == "" && isTerminal(e.stdout) {
		return usagef("--format xlsx writes a binary workbook: give --out FILE.xlsx or redirect stdout to a file")
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	if _, ok := cat.PO(*po); !ok {
		return usagef("--po %q is not in %s; POs: %s", *po, cat.Source, strings.Join(cat.POIDs(), ", "))
	}
	period, err := reports.LineTestPeriod(cat, *po, *month)
	if err != nil {
		return usagef("--month: %v", err)
	}
	st, err := c.openStore(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.LineTestRuns(ctx, store.LineTestFilter{PO: *po, From: period.From, To: period.To})
	if err != nil {
		return err
	}
	r, err := reports.BuildLineTestReport(runs, cat, *po, *month)
	if err != nil {
		return err
	}
	if *out == "" {
		return reports.WriteLineTest(e.stdout, r, *format)
	}
	var buf bytes.Buffer
	if err := reports.WriteLineTest(&buf, r, *format); err != nil {
		return err
	}
	return atomicfile.Write(*out, buf.Bytes())
}
