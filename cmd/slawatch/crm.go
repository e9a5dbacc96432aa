package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/exporters/crm/crmsql"
)

// envCRMDSN holds the CRM database's DSN (kept off the command line, where
// ps would show its password).
const envCRMDSN = "SLAWATCH_CRM_DSN"

// runCRM dispatches `slawatch crm serve|check-mapping`.
func runCRM(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "crm", "Usage: slawatch crm serve|check-mapping|reset-cursor [flags]\n\n"+
		"  serve          the CRM exporter: the webhook POST "+crm.EventsPath+", /metrics, and with --mapping\n"+
		"                 the CRM database read incrementally through the mapping\n"+
		"  check-mapping  validate a mapping file and print the SQL it runs: slawatch crm check-mapping FILE\n"+
		"  reset-cursor   forget where a table's reading stopped, so that it is read again from the start\n\n"+
		"slawatch crm COMMAND --help for its flags. The mapping format: examples/crm/README.md.\n", []subcommand{
		{"serve", runCRMServe},
		{"check-mapping", noCtx(runCRMCheckMapping)},
		{"reset-cursor", runCRMResetCursor},
	}, args)
}

func runCRMServe(ctx context.Context, e *env, args []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fs := newFlags(e, "crm serve", "crm serve [--catalog F] [--store DSN] [--listen ADDR] [--mapping FILE [--source-dsn DSN] [--poll 30s] [--batch 1000]]",
		"Runs the CRM exporter until interrupted. CRMs that push post their events (JSON, one object or\n"+
			"an array) to POST "+crm.EventsPath+"; with --mapping, the CRM's own PostgreSQL tables are read\n"+
			"too, every --poll, through the mapping (examples/crm/README.md): each table from where the last\n"+
			"read stopped (the cursor saved in the event store), in read-only transactions, --batch rows a\n"+
			"page. Each event is stored once by its id; /metrics has the crm_* metrics, counted from the store\n"+
			"(restored at start). A CRM database outage is logged, counted in crm_exporter_source_errors_total\n"+
			"and retried with backoff; it never stops the exporter. The database DSN comes from\n"+
			envCRMDSN+" (or --source-dsn, which ps shows to every user of the host), e.g.\n"+
			"postgres://slawatch_reader@crm-db:5432/crm?sslmode=verify-full, password in PGPASSWORD or ~/.pgpass.")
	var f commonFlags
	f.register(fs, true)
	listen := fs.String("listen", "127.0.0.1:9467", "address for the webhook and /metrics")
	mapping := fs.String("mapping", "", "CRM database mapping file (YAML); without it only the webhook runs")
	sourceDSN := fs.String("source-dsn", "", "the CRM's PostgreSQL database (default: env "+envCRMDSN+")")
	poll := fs.Duration("poll", crmsql.DefaultPoll, "pause between reads of the CRM database")
	batch := fs.Int("batch", crmsql.DefaultBatch, "rows per page read from a CRM table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("crm serve takes no arguments, got %q", fs.Arg(0))
	}
	if *poll <= 0 || *batch <= 0 {
		return usagef("--poll and --batch must be positive (e.g. --poll 30s --batch 1000)")
	}
	dsn := *sourceDSN
	if dsn == "" {
		dsn = os.Getenv(envCRMDSN)
	}
	var m *crmsql.Mapping
	if *mapping != "" {
		var err error
		if m, err = crmsql.Load(*mapping); err != nil {
			return fmt.Errorf("mapping problems (run `slawatch crm check-mapping %s`):\n%w", *mapping, err)
		}
		if dsn == "" {
			return usagef("--mapping needs the CRM database: set %s (or --source-dsn)", envCRMDSN)
		}
	} else if dsn != "" {
		return usagef("a CRM database is set (%s or --source-dsn) but no --mapping says what to read", envCRMDSN)
	}
	log, err := f.logger(e)
	if err != nil {
		return err
	}
	cat, st, err := f.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ex, err := crm.New(ctx, crm.Options{Catalog: cat, Store: st, Logger: log, Registerer: reg})
	if err != nil {
		return err
	}
	var src *crmsql.Source
	if m != nil {
		db, err := crmsql.OpenDB(dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		src, err = crmsql.New(crmsql.Options{Mapping: m, DB: db, Cursors: st, Ingester: ex, Logger: log,
			Registerer: reg, Batch: *batch, Poll: *poll})
		if err != nil {
			return err
		}
	}
	mux := http.NewServeMux()
	mux.Handle(crm.EventsPath, ex.Handler())
	stack, err := serveMetrics(ctx, reg, mux, *listen)
	if err != nil {
		return fmt.Errorf("crm: %w", err)
	}
	fmt.Fprintf(e.stdout, "slawatch crm serving on http://%s (POST %s, /metrics)\n", stack.addr, crm.EventsPath)
	done := make(chan struct{})
	if src != nil {
		log.Info("reading the CRM database", "database", crmsql.RedactDSN(dsn), "mapping", *mapping,
			"tables", len(m.Tables), "poll", *poll, "batch", *batch)
		for _, w := range m.Warnings() {
			log.Warn("CRM mapping: " + w)
		}
		go func() {
			defer close(done)
			src.Run(ctx)
		}()
	} else {
		close(done)
	}
	// The server stops when ctx ends, or fails on its own: either way
	// wait returns, and the source (which ends with ctx) is waited for.
	err = stack.wait()
	if err != nil {
		log.Error("crm: HTTP server failed", "err", err)
		cancel()
	}
	<-done
	return err
}

func runCRMCheckMapping(e *env, args []string) error {
	fs := newFlags(e, "crm check-mapping", "crm check-mapping FILE [--batch 1000]",
		"Validates a CRM database mapping (examples/crm/README.md) and prints, per table, the SQL the\n"+
			"source runs and the columns each event reads. Problems name the file, line and field and\n"+
			"what would be valid; the exit code is then 1. Nothing connects to the database.")
	batch := fs.Int("batch", crmsql.DefaultBatch, "rows per page, as `crm serve --batch` would use")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name one mapping file: slawatch crm check-mapping FILE")
	}
	if *batch <= 0 {
		return usagef("--batch must be positive")
	}
	m, err := crmsql.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	m.Explain(e.stdout, *batch)
	return nil
}

func runCRMResetCursor(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "crm reset-cursor", "crm reset-cursor --table NAME [--source crm-sql] [--store DSN]",
		"Forgets where the SQL source stopped reading a mapped table (its cursor in the event store), so that\n"+
			"the next start reads the table again from its oldest row; the store ignores the events it already\n"+
			"holds, so nothing is counted twice. Needed after changing a table's key, cursor or cursor_type.\n"+
			"Stop `slawatch crm serve` first: a running source would save its position again.")
	var f commonFlags
	f.register(fs, true)
	table := fs.String("table", "", "the mapping's table name (e.g. complaints)")
	source := fs.String("source", crmsql.DefaultSource, "the mapping's source")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *table == "" {
		return usagef("name the table: slawatch crm reset-cursor --table NAME [--source %s]", crmsql.DefaultSource)
	}
	log, err := f.logger(e)
	if err != nil {
		return err
	}
	st, err := f.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	name := *source + "/" + *table
	deleted, err := st.DeleteSourceCursor(ctx, name)
	if err != nil {
		return err
	}
	if deleted {
		fmt.Fprintf(e.stdout, "cursor %s reset: the next start reads %s from its oldest row\n", name, *table)
	} else {
		fmt.Fprintf(e.stdout, "no cursor %s was saved: %s is read from its oldest row already\n", name, *table)
	}
	return nil
}
