package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/kpi"
)

// runKPI dispatches `slawatch kpi SUBCOMMAND`: returns and mitigations are
// written to the event store directly (a running exporter shows them at
// its next scrape); status reads the store and, for PromQL KPIs, a
// Prometheus query API.
func runKPI(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "kpi", kpiUsage, []subcommand{
		{"return", kpiReturn},
		{"mitigate", kpiMitigate},
		{"status", kpiStatus},
		{"list", kpiList},
	}, args)
}

const kpiUsage = `Usage: slawatch kpi COMMAND [flags]

Contract KPIs of the catalogue (docs/KPI.md): x / y × 100 over a calendar period
(2026-09, 2026-Q3, 2026-H2, 2026), rated red/amber/green against the Target and
Minimum Service Levels.

  return    enter a manual return (a later one for the same KPI and period supersedes it; both are kept):
            slawatch kpi return --kpi care_visits_missed --period 2026-09 --numerator 12 --denominator 400 --by ooh-dm-1
  mitigate  record that a KPI's period is excused by agreement (shown beside the raw figure, never changing it):
            slawatch kpi mitigate --kpi calls_answered_20s --period 2026-08 --reason "storm surge" --agreed-by "contract board" --by ooh-dm-1
  status    every KPI's outturn, RAG and mitigation for a period:
            slawatch kpi status --period 2026-Q3 [--prometheus http://127.0.0.1:9490] [--format text|csv|json]
  list      the catalogue's KPIs

slawatch kpi COMMAND --help for its flags.
`

// kpiFlags are the flags every kpi command shares.
type kpiFlags struct{ commonFlags }

func (f *kpiFlags) register(fs *flag.FlagSet) {
	f.commonFlags.register(fs, true)
}

// exporter loads the catalogue, opens the store and builds the KPI
// exporter without metrics (the caller closes the store via the func).
func (f *kpiFlags) exporter(ctx context.Context, e *env) (*kpi.Exporter, *catalog.Catalog, func(), error) {
	log, err := f.logger(e)
	if err != nil {
		return nil, nil, nil, err
	}
	cat, st, err := f.open(ctx, log)
	if err != nil {
		return nil, nil, nil, err
	}
	x, err := kpi.New(kpi.Options{Catalog: cat, Store: st, Logger: log})
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return x, cat, func() { st.Close() }, nil
}

// required reports the first empty required flag as a usage error.
func kpiRequired(flags ...[2]string) error {
	for _, f := range flags {
		if strings.TrimSpace(f[1]) == "" {
			return usagef("--%s is required (see --help)", f[0])
		}
	}
	return nil
}

// kpiMistake turns the exporter's ErrInvalid into a usage error (exit 2).
func kpiMistake(err error) error {
	if errors.Is(err, kpi.ErrInvalid) {
		return usagef("%v", err)
	}
	return err
}

func kpiReturn(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "kpi return", "kpi return --kpi ID --period P --numerator N --denominator D --by WHO [--note TEXT]",
		"Enters a manual return of a KPI (source: manual) for a period of its frequency: exact counts, x of y.\n"+
			"A later return for the same KPI and period supersedes this one; both are kept.")
	var f kpiFlags
	f.register(fs)
	id := fs.String("kpi", "", "KPI id (slawatch kpi list), required")
	period := fs.String("period", "", "period of the KPI's frequency: 2026-09, 2026-Q3, 2026-H2 or 2026, required")
	num := fs.String("numerator", "", "x: what the KPI counts, a whole number, required")
	den := fs.String("denominator", "", "y: out of how many, a whole number above 0, required")
	by := fs.String("by", "", "who is entering it: your person id, e.g. ooh-dm-1, required")
	note := fs.String("note", "", "a note kept with the return (optional)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := kpiRequired([2]string{"kpi", *id}, [2]string{"period", *period}, [2]string{"numerator", *num},
		[2]string{"denominator", *den}, [2]string{"by", *by}); err != nil {
		return err
	}
	n, err1 := strconv.ParseInt(*num, 10, 64)
	d, err2 := strconv.ParseInt(*den, 10, 64)
	if err1 != nil || err2 != nil {
		return usagef("--numerator %q and --denominator %q must be whole numbers (exact counts)", *num, *den)
	}
	x, cat, done, err := f.exporter(ctx, e)
	if err != nil {
		return err
	}
	defer done()
	r, err := x.AddReturn(ctx, kpi.Return{KPI: *id, Period: *period, Numerator: n, Denominator: d, Note: *note, By: *by, Via: "cli"})
	if err != nil {
		return kpiMistake(err)
	}
	k, _ := cat.KPI(r.KPI)
	rag := k.RAGExact(r.Numerator, r.Denominator)
	fmt.Fprintf(e.stdout, "return %d stored: %s %s %d / %d = %s%s, entered by %s\n", r.ID, r.KPI, r.Period, r.Numerator, r.Denominator,
		kpiPct(100*float64(r.Numerator)/float64(r.Denominator)), ragSuffix(rag), r.EnteredBy)
	return nil
}

func ragSuffix(r catalog.RAG) string {
	if r == catalog.RAGNone {
		return " (information only)"
	}
	return " (" + r.String() + ")"
}

func kpiMitigate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "kpi mitigate", "kpi mitigate --kpi ID --period P --reason TEXT --agreed-by WHO --by WHO",
		"Records that a KPI's period is excused by agreement. Reports show it beside the raw figure and RAG,\n"+
			"which it never changes. A later mitigation for the same KPI and period supersedes this one; both are kept.")
	var f kpiFlags
	f.register(fs)
	id := fs.String("kpi", "", "KPI id, required")
	period := fs.String("period", "", "period of the KPI's frequency, required")
	reason := fs.String("reason", "", "why the period is excused, required")
	agreed := fs.String("agreed-by", "", "who agreed it (e.g. the contract board), required")
	by := fs.String("by", "", "who is entering it: your person id, required")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := kpiRequired([2]string{"kpi", *id}, [2]string{"period", *period}, [2]string{"reason", *reason},
		[2]string{"agreed-by", *agreed}, [2]string{"by", *by}); err != nil {
		return err
	}
	x, _, done, err := f.exporter(ctx, e)
	if err != nil {
		return err
	}
	defer done()
	m, err := x.AddMitigation(ctx, kpi.Mitigation{KPI: *id, Period: *period, Reason: *reason, AgreedBy: *agreed, By: *by, Via: "cli"})
	if err != nil {
		return kpiMistake(err)
	}
	fmt.Fprintf(e.stdout, "mitigation %d stored: %s %s, agreed by %s, entered by %s\n", m.ID, m.KPI, m.Period, m.AgreedBy, m.EnteredBy)
	return nil
}

// defaultPrometheus is the demo's Prometheus-compatible query API.
const defaultPrometheus = "http://127.0.0.1:9490"

func kpiStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "kpi status", "kpi status --period P [--prometheus URL] [--format text|csv|json]",
		"Prints every KPI of the catalogue for a period: description, outturn (x / y and %), target and minimum,\n"+
			"the raw RAG, and any mitigation beside it. KPIs reported less often show their own enclosing period\n"+
			"(a yearly KPI in a quarter's report shows the year to date); KPIs reported more often cover the whole\n"+
			"period (manual ones summed over their returns). PromQL KPIs are evaluated over the exact period through\n"+
			"--prometheus; when it cannot be reached they are shown \"unavailable: <why>\", everything else is still\n"+
			"printed, and the exit code is 1.")
	var f kpiFlags
	f.register(fs)
	period := fs.String("period", "", "2026-09, 2026-Q3, 2026-H2 or 2026, required")
	promURL := fs.String("prometheus", defaultPrometheus, "Prometheus-compatible query API for the PromQL KPIs")
	format := fs.String("format", "text", "output: text, csv or json")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of each Prometheus query")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := kpiRequired([2]string{"period", *period}); err != nil {
		return err
	}
	p, err := catalog.ParsePeriod(*period)
	if err != nil {
		return usagef("--period: %v", err)
	}
	if *format != "text" && *format != "csv" && *format != "json" {
		return usagef("--format %q: use text, csv or json", *format)
	}
	q, err := kpi.NewPromQuerier(*promURL, &http.Client{Timeout: *timeout})
	if err != nil {
		return usagef("--prometheus: %v", err)
	}
	x, _, done, err := f.exporter(ctx, e)
	if err != nil {
		return err
	}
	defer done()
	rows, err := x.Status(ctx, p, q)
	if errors.Is(err, kpi.ErrNotStarted) {
		return usagef("--period: %v", err)
	}
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(kpi.StatusJSON{Period: p.String(), Rows: rows})
	case "csv":
		err = writeKPICSV(e.stdout, rows)
	default:
		err = writeKPIText(e.stdout, p, rows)
	}
	if err != nil {
		return err
	}
	var missing []string
	for _, r := range rows {
		if r.PromQL && strings.HasPrefix(r.Unavailable, "unavailable:") {
			missing = append(missing, r.KPI)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d PromQL KPI(s) unavailable (%s): Prometheus at %s could not answer; the manual KPIs above are complete",
			len(missing), strings.Join(missing, ", "), *promURL)
	}
	return nil
}

func kpiPct(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }

// count prints a count: whole numbers as such, Prometheus' estimates to
// one decimal.
func kpiCount(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func kpiThreshold(v *float64, lower bool) string {
	if v == nil {
		return "-"
	}
	op := ">="
	if lower {
		op = "<="
	}
	return op + strconv.FormatFloat(*v, 'f', -1, 64) + "%"
}

func outturnText(r kpi.Row) string {
	s := r.Unavailable
	if r.Outturn != nil {
		s = fmt.Sprintf("%s / %s = %s", kpiCount(*r.Numerator), kpiCount(*r.Denominator), kpiPct(*r.Outturn))
	}
	if r.Incomplete != "" {
		s += " (" + r.Incomplete + ")"
	}
	return s
}

func ragText(r kpi.Row) string {
	switch {
	case r.InformationOnly:
		return "information only"
	case r.RAG == "":
		return "-"
	}
	return r.RAG
}

func mitigationText(r kpi.Row) string {
	var parts []string
	for _, m := range r.Mitigations {
		s := "mitigated: " + m.Reason + " (agreed by " + m.AgreedBy
		if m.Period != r.Period {
			s += ", " + m.Period
		}
		parts = append(parts, s+")")
	}
	return strings.Join(parts, "; ")
}

func writeKPIText(w io.Writer, p catalog.Period, rows []kpi.Row) error {
	fmt.Fprintf(w, "KPI status for %s (raw figures; a mitigation is shown beside the RAG, never changing it)\n\n", p)
	// One Prometheus failure is said once, under the table.
	var promErr string
	rows = append([]kpi.Row(nil), rows...) // the caller's rows keep their reasons
	for i, r := range rows {
		if r.PromQL && strings.HasPrefix(r.Unavailable, "unavailable:") {
			promErr = r.Unavailable
			rows[i].Unavailable = "unavailable (see below)"
		}
	}
	defer func() {
		if promErr != "" {
			fmt.Fprintf(w, "\nPrometheus %s\n", promErr)
		}
	}()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KPI\tPERIOD\tOUTTURN\tTARGET\tMINIMUM\tRAG\tMITIGATION\tDESCRIPTION")
	for _, r := range rows {
		period := r.Period
		if r.InProgress {
			period += " (to date)"
		}
		lower := r.Direction == catalog.KPILowerIsBetter
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.KPI, period, outturnText(r), kpiThreshold(r.Target, lower),
			kpiThreshold(r.Minimum, lower), ragText(r), dash(mitigationText(r)), r.Description)
	}
	return tw.Flush()
}

func writeKPICSV(w io.Writer, rows []kpi.Row) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"kpi", "description", "owner", "po", "source", "direction", "period", "in_progress", "numerator",
		"denominator", "outturn_percent", "target", "minimum", "rag", "mitigated", "mitigation", "unavailable", "incomplete"})
	opt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for _, r := range rows {
		cw.Write([]string{r.KPI, r.Description, r.Owner, r.PO, r.Source, r.Direction, r.Period, strconv.FormatBool(r.InProgress),
			opt(r.Numerator), opt(r.Denominator), opt(r.Outturn), opt(r.Target), opt(r.Minimum), r.RAG,
			strconv.FormatBool(len(r.Mitigations) > 0), mitigationText(r), r.Unavailable, r.Incomplete})
	}
	cw.Flush()
	return cw.Error()
}

func kpiList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "kpi list", "kpi list [--catalog FILE]", "Lists the catalogue's KPIs: source, frequency, direction and thresholds.")
	var c commonFlags
	c.register(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	if len(cat.KPIs) == 0 {
		fmt.Fprintf(e.stdout, "%s has no kpis\n", cat.Source)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KPI\tOWNER\tSOURCE\tFREQUENCY\tTARGET\tMINIMUM\tDESCRIPTION")
	for _, k := range cat.KPIs {
		src := k.Source
		if k.Manual() && k.Numerator != "" {
			src += " (" + k.Numerator + " / " + k.Denominator + ")"
		}
		tgt, minimum := kpiThreshold(k.Target, k.Lower()), kpiThreshold(k.Minimum, k.Lower())
		if k.InformationOnly {
			tgt, minimum = "information only", "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, dash(k.Owner), src, k.Frequency, tgt, minimum, k.Description)
	}
	return tw.Flush()
}
