package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/slawatch/slawatch/exporters/mailroom"
)

// runMailroom dispatches `slawatch mailroom serve`.
func runMailroom(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "mailroom", "Usage: slawatch mailroom serve [flags]\n\n"+
		"  serve   the mail-room exporter: count files from a drop folder, item events over HTTP, /metrics\n\n"+
		"slawatch mailroom serve --help for its flags; docs/MAILROOM.md for the file format and the API.\n", []subcommand{
		{"serve", runMailroomServe},
	}, args)
}

const mailroomServeHelp = `Runs the mail-room exporter until interrupted (docs/MAILROOM.md).

Count files: every --poll the drop folder is read for *.csv files (not dotfiles, not
modified in the last 5 s: write in place, or write .name.csv and rename it). Each file is
checked against the catalogue's mail_room: (business units, regions) and stored once by the
SHA-256 of its bytes; only then is it moved to DIR/done/, or to DIR/rejected/ with
NAME.reason.txt naming the line, the column and what would be valid. One bad row rejects
the whole file: nothing of it is counted. The same bytes dropped again are not counted
twice; a later file for the same business unit, region and date is a correction (the
figures use it; counters never decrease).

Item events: scanners and sorting stations POST one JSON item or an array of them to
/api/v1/mailroom/items; each is stored once by its id.

Prometheus scrapes /metrics (mailroom_*, restored from the event store at start, and
mailroom_daily_count_missing for the third-week daily sample).

Example:
  slawatch mailroom serve --catalog examples/london-ooh.yaml --store sqlite:.slawatch/events.db \
      --listen 127.0.0.1:9470 --drop /srv/mailroom/drop --poll 10s`

func runMailroomServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "mailroom serve", "mailroom serve --drop DIR [--listen ADDR] [--poll 10s]", mailroomServeHelp)
	var c commonFlags
	c.register(fs, true)
	listen := fs.String("listen", "127.0.0.1:9470", "address for /metrics and POST /api/v1/mailroom/items")
	dropDir := fs.String("drop", "", "the drop folder of the count files (required; done/ and rejected/ are made inside it)")
	poll := fs.Duration("poll", 10*time.Second, "how often the drop folder is read")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *dropDir == "":
		return usagef("--drop DIR is required: the folder the count files are dropped in")
	case *poll <= 0:
		return usagef("--poll %s: want a positive duration such as 10s", *poll)
	case len(fs.Args()) > 0:
		return usagef("unexpected arguments %q", fs.Args())
	}
	if st, err := os.Stat(*dropDir); err != nil || !st.IsDir() {
		return usagef("--drop %s: not a folder (create it first)", *dropDir)
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	cat, st, err := c.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exp, err := mailroom.New(ctx, mailroom.Options{Catalog: cat, Store: st, Logger: log, Registerer: reg})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(mailroom.ItemsPath, exp.Handler())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stack, err := serveMetrics(ctx, reg, mux, *listen)
	if err != nil {
		return fmt.Errorf("mailroom: %w", err)
	}
	watched := make(chan error, 1)
	go func() { watched <- exp.Run(ctx, *dropDir, *poll) }()
	log.Info("mail-room exporter listening", "address", stack.addr, "drop", *dropDir, "poll", *poll)
	fmt.Fprintf(e.stdout, "slawatch mailroom serving on http://%s (drop folder %s; Ctrl-C to stop)\n", stack.addr, *dropDir)
	// serveMetrics lets requests in flight finish (their items reach the
	// store) before the store closes; the watcher finishes its file.
	serveErr := stack.wait()
	cancel()
	werr := <-watched
	if serveErr != nil {
		return serveErr
	}
	return werr
}
