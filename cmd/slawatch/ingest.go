package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/exporters/telephony"
)

var ingestFormats = []string{"csv", "jsonl", "queue_log"}

func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ingest", "ingest --format csv|jsonl|queue_log FILE...",
		"Replays call files into the event store. Each call is written once by (source, call_id):\n"+
			"replaying a file again counts nothing twice. A malformed record is rejected with its line\n"+
			"number and reason and never stops the rest of the file. Prints accepted / duplicate /\n"+
			"rejected counts; exit code 1 when any record was rejected (the accepted ones are kept).\n\n"+
			"csv: a header row names the columns, in any order: call_id, po, access_number, service_option,\n"+
			"queued_at, answered_at, ended_at, outcome (answered|abandoned|ivr_only), after_call_work_seconds,\n"+
			"kind (public|test), caller_number (a call from the provider's line-test caller is a\n"+
			"test call unless kind says otherwise; never stored). jsonl: one JSON object a line with the\n"+
			"same fields. queue_log: an Asterisk queue_log; queues map to POs and service options in the\n"+
			"catalogue, and ENTERQUEUE's caller id recognises test calls.")
	var c commonFlags
	c.register(fs, true)
	format := fs.String("format", "", "input format: "+strings.Join(ingestFormats, ", ")+" (required)")
	source := fs.String("source", "", "the system the calls come from; call ids are unique within it, so the same call\n"+
		"delivered by webhook and in a file counts once (default: "+telephony.DefaultSource+" for csv/jsonl, queue_log for queue_log)")
	showErrors := fs.Int("show-errors", 20, "rejected records to print per file (0: none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !slices.Contains(ingestFormats, *format) {
		return usagef("--format %q: use one of %s", *format, strings.Join(ingestFormats, ", "))
	}
	if fs.NArg() == 0 {
		return usagef("name at least one file to ingest")
	}
	if *source != "" && !telephony.ValidSource(*source) {
		return usagef("--source %q: use 1 to 64 of a-z, 0-9, _, . and -", *source)
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	// A replay is a batch job: collecting garbage a quarter as often saves
	// about a fifth of its time for ~30 MiB more memory (docs/BENCHMARKS.md).
	// An explicit GOGC wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	cat, st, err := c.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	exp, err := telephony.New(ctx, telephony.Options{Catalog: cat, Store: st, Logger: log, Registerer: prometheus.NewRegistry()})
	if err != nil {
		return err
	}
	var total telephony.Result
	for _, path := range fs.Args() {
		bar := newProgress(e.stderr, path)
		res, err := exp.IngestFileFrom(ctx, *format, *source, path, bar.update)
		bar.done()
		if err != nil {
			return fmt.Errorf("%s: %w (records before the failure are kept)", path, err)
		}
		fmt.Fprintf(e.stdout, "%s: %d accepted, %d duplicate, %d rejected\n", path, res.Accepted, res.Duplicate, res.Rejected)
		if res.Open > 0 {
			fmt.Fprintf(e.stdout, "  %d queue visits still open at the end of the file, not stored: replay the file once they have ended\n", res.Open)
		}
		for i, re := range res.Errors {
			if i >= *showErrors {
				fmt.Fprintf(e.stdout, "  ... %d more rejected records\n", res.Rejected-i)
				break
			}
			fmt.Fprintf(e.stdout, "  %s:%d: %s\n", path, re.Line, re.Reason)
		}
		total.Add(res)
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(e.stdout, "total: %d accepted, %d duplicate, %d rejected\n", total.Accepted, total.Duplicate, total.Rejected)
	}
	if total.Rejected > 0 {
		return fmt.Errorf("%d records rejected (accepted records are stored)", total.Rejected)
	}
	return nil
}

// progress draws a bar on a terminal and nothing otherwise.
type progress struct {
	w    io.Writer
	name string
	tty  bool
	last int
}

func newProgress(w io.Writer, name string) *progress {
	return &progress{w: w, name: name, tty: isTerminal(w), last: -1}
}

func (p *progress) update(done, total int64) {
	if !p.tty || total <= 0 {
		return
	}
	pct := int(done * 100 / total)
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 30
	fill := pct * width / 100
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%%", p.name, strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct)
}

func (p *progress) done() {
	if p.tty && p.last >= 0 {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
