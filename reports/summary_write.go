package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// SummaryFormats are the formats WriteSummary knows.
func SummaryFormats() []string { return []string{"table", "csv", "json"} }

// WriteSummary writes s as a table for people, CSV for spreadsheets, or JSON.
func WriteSummary(w io.Writer, s Summary, format string) error {
	switch format {
	case "table":
		return writeTable(w, s)
	case "csv":
		return writeCSV(w, s)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return fmt.Errorf("unknown format %q; valid: table, csv, json", format)
}

var summaryHeader = []string{"service_option", "standard", "target", "offered", "answered",
	"answered_within_target", "abandoned", "abandoned_under_20s", "abandoned_20_to_60s",
	"abandoned_over_60s", "ivr_only", "sla_denominator", "pct_answered", "pct_within_target",
	"pct_abandoned", "target_met", "answered_within_rest", "rest_met", "abandon_cap", "abandon_met"}

func (l SummaryLine) fields() []string {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	p := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	return []string{l.ServiceOption, l.Standard, fmt.Sprintf("%d%% in %ds", l.TargetPercent, l.TargetSeconds),
		u(l.Offered), u(l.Answered), u(l.AnsweredWithinTarget), u(l.Abandoned), u(l.AbandonedUnder20),
		u(l.Abandoned20To60), u(l.AbandonedOver60), u(l.IVROnly), u(l.Denominator),
		p(l.PctAnswered), p(l.PctWithinTarget), p(l.PctAbandoned), l.TargetMet,
		fmt.Sprintf("%d in %ds", l.AnsweredWithinRest, l.RestSeconds), l.RestMet, capText(l.MaxAbandonPercent), l.AbandonMet}
}

func capText(max *float64) string {
	if max == nil {
		return "none"
	}
	return "<" + strconv.FormatFloat(*max, 'f', -1, 64) + "%"
}

func writeCSV(w io.Writer, s Summary) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"po", "from", "to"}, summaryHeader...))
	for _, l := range s.Lines {
		cw.Write(append([]string{s.PO, s.From.Format(time.RFC3339), s.To.Format(time.RFC3339)}, l.fields()...))
	}
	cw.Flush()
	return cw.Error()
}

func writeTable(w io.Writer, s Summary) error {
	fmt.Fprintf(w, "%s  %s to %s  (%% within target = answered within target / %s)\n\n",
		s.PO, s.From.Format(time.RFC3339), s.To.Format(time.RFC3339), s.Formula)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	cols := []string{"service option", "standard", "target", "offered", "answered", "within", "abandoned",
		"<=20s", "20-60s", ">60s", "ivr", "denom", "%ans", "%within", "%aband", "met", "rest", "rest met", "ab. cap", "ab. met"}
	for _, c := range cols {
		fmt.Fprint(tw, c, "\t")
	}
	fmt.Fprintln(tw)
	for _, l := range s.Lines {
		for _, f := range l.fields() {
			fmt.Fprint(tw, f, "\t")
		}
		fmt.Fprintln(tw)
	}
	if len(s.Lines) == 0 {
		fmt.Fprintln(tw, "no calls in this period\t")
	}
	return tw.Flush()
}
