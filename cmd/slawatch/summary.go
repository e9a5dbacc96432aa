package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/slawatch/slawatch/reports"
)

func runSummary(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "summary", "summary --po PO --from TIME --to TIME [--format table|csv|json]",
		"Prints exact SLA figures for one PO from the event store, per service option and standard:\n"+
			"offered, answered, answered within target, abandoned (<=20 s, 20-60 s, >60 s), % answered,\n"+
			"% within target (by the PO's SLA formula), % abandoned, and whether the target was met.\n"+
			"Calls are counted by the time they reached the queue, from --from (inclusive) to --to (exclusive).\n"+
			"TIME is RFC 3339 (2026-11-23T17:00:00Z) or a local date (2026-11-23, midnight in the PO's time zone).")
	var c commonFlags
	c.register(fs, true)
	po := fs.String("po", "", "participating organisation (catalogue id), required")
	from := fs.String("from", "", "start, inclusive (required)")
	to := fs.String("to", "", "end, exclusive (required)")
	format := fs.String("format", "table", "output: "+strings.Join(reports.SummaryFormats(), ", "))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *po == "" || *from == "" || *to == "" {
		return usagef("--po, --from and --to are required (see --help)")
	}
	if !slices.Contains(reports.SummaryFormats(), *format) {
		return usagef("--format %q: use %s", *format, strings.Join(reports.SummaryFormats(), ", "))
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	p, ok := cat.PO(*po)
	if !ok {
		return usagef("--po %q is not in %s; POs: %s", *po, cat.Source, strings.Join(cat.POIDs(), ", "))
	}
	t1, err := parseTime(*from, p.Location())
	if err != nil {
		return usagef("--from: %v", err)
	}
	t2, err := parseTime(*to, p.Location())
	if err != nil {
		return usagef("--to: %v", err)
	}
	if !t2.After(t1) {
		return usagef("--to (%s) must be after --from (%s)", *to, *from)
	}
	st, err := c.openStore(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.Summary(ctx, *po, t1, t2)
	if err != nil {
		return err
	}
	s, err := reports.BuildSummary(rows, cat, *po, t1, t2)
	if err != nil {
		return err
	}
	return reports.WriteSummary(e.stdout, s, *format)
}

func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("%q is neither RFC 3339 (2026-11-23T17:00:00Z) nor a date (2026-11-23)", s)
}
