package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/board"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/engine"
	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/exporters/mailroom"
	"github.com/slawatch/slawatch/rules"
	"github.com/slawatch/slawatch/simulator"
)

type demoFlags struct {
	commonFlags
	data, listen, api    string
	notifyListen         string
	seed                 uint64
	volume               float64
	scenarios            stringList
	evening              bool
	catchUp              time.Duration
	scrape, eval, redraw time.Duration
	duration             time.Duration
	speedup              int
}

type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "demo [--scenario surge:PO] [--seed N] [--volume X]",
		"Runs the whole stack in one process, with nothing to install: a simulator sends realistic\n"+
			"calls for the catalogue's POs to the telephony exporter over HTTP, and CRM events (service\n"+
			"requests, referrals, complaints, contacts) and mail-room item events and daily count files\n"+
			"to their exporters on the same address; manual KPI returns are entered for the current\n"+
			"period. An embedded Prometheus TSDB scrapes the exporters and evaluates the rules generated\n"+
			"from the catalogue (SLA, CRM, mail-room and KPI RAG rules); a\n"+
			"Prometheus-compatible API serves queries for Grafana; the terminal shows a live board.\n"+
			"Alerts are routed by Alertmanager's own code over alertmanager.yml, generated from the\n"+
			"catalogue into --data, to the notifier's webhook on --notify-listen, which stores each\n"+
			"incident and pages: one line per page in <data>/pages.log, below the board on a terminal\n"+
			"(the last 5), and on stdout otherwise.\n\n"+
			"By default the traffic follows a weekday evening from 18:00 whatever the time of day, and\n"+
			"the demo joins it under way (--catch-up). Calls are in the event store before the\n"+
			"exporter acknowledges them: stop the demo any way you like and start it again.")
	var f demoFlags
	f.register(fs, true)
	fs.StringVar(&f.data, "data", ".slawatch", "directory for the TSDB, generated rules and the log")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:9464", "exporter address (/metrics, POST /api/v1/calls)")
	fs.StringVar(&f.api, "api", "127.0.0.1:9490", "Prometheus-compatible query API address (not 9090: Debian's prometheus may hold it)")
	fs.StringVar(&f.notifyListen, "notify-listen", "127.0.0.1:9495", "notifier address (Alertmanager's webhook, POST "+alerting.WebhookPath+"; not 9095: `slawatch notify` may hold it)")
	fs.Uint64Var(&f.seed, "seed", 1, "simulator seed: the same seed gives the same traffic")
	fs.Float64Var(&f.volume, "volume", 1, "multiplier of each PO's realistic call volume")
	fs.Var(&f.scenarios, "scenario", "situation to simulate, KIND:PO (repeatable); kinds: surge (a major emergency),\n"+
		"deadline (the PO's first number dies; deadline:PO:NUMBER names it), overdue (a lone worker\n"+
		"never checks out: the alarm escalates step by step until acknowledged), slowreferrals (the PO's\n"+
		"referrals to on-call staff run over its limit and some e-mail/SMS/pager receipts fail),\n"+
		"harmful (harmful items turn up in a mail-room business unit: harmful:BUSINESS_UNIT)")
	fs.IntVar(&f.speedup, "escalation-speedup", 0, "divide the catalogue's escalation delays by this (0: 15 with an overdue scenario, else 1)")
	fs.BoolVar(&f.evening, "evening", true, "shape traffic as a weekday evening from 18:00 (false: follow the real clock)")
	fs.DurationVar(&f.catchUp, "catch-up", 10*time.Minute, "join the traffic this far under way (only when --data is new)")
	fs.DurationVar(&f.scrape, "scrape-interval", 5*time.Second, "how often the engine scrapes")
	fs.DurationVar(&f.eval, "eval-interval", 10*time.Second, "how often rules are evaluated")
	fs.DurationVar(&f.redraw, "refresh", 5*time.Second, "how often the board is redrawn")
	fs.DurationVar(&f.duration, "duration", 0, "stop after this long (0: run until interrupted)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cat, err := f.loadCatalog()
	if err != nil {
		return err
	}
	var scenarios []simulator.Scenario
	for _, s := range f.scenarios {
		sc, err := simulator.ParseScenario(s, cat)
		if err != nil {
			return usagef("--scenario: %v", err)
		}
		scenarios = append(scenarios, sc)
		if sc.Kind == simulator.Overdue && f.speedup == 0 {
			f.speedup = demoSpeedup
		}
	}
	if f.speedup < 0 {
		return usagef("--escalation-speedup %d: want 1 or more (0: the default)", f.speedup)
	}
	// A restart continues the traffic already in the store: catching up
	// again would invent a second past for the same minutes.
	if _, err := os.Stat(filepath.Join(f.data, "tsdb")); err == nil {
		f.catchUp = 0
	}
	if err := os.MkdirAll(f.data, 0o750); err != nil {
		return err
	}
	tty := isTerminal(e.stdout)
	logOut := e.stderr
	if tty { // keep the board clean: the log goes to a file
		lf, err := os.OpenFile(filepath.Join(f.data, "demo.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
		if err != nil {
			return err
		}
		defer lf.Close()
		logOut = lf
		fmt.Fprintf(e.stdout, "slawatch demo: log in %s\n", lf.Name())
	}
	log, err := f.logger(&env{stderr: logOut})
	if err != nil {
		return err
	}
	if f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	return demo(ctx, e, &f, cat, scenarios, log, tty)
}

func demo(ctx context.Context, e *env, f *demoFlags, cat *catalog.Catalog, scenarios []simulator.Scenario, log *slog.Logger, tty bool) error {
	st, err := f.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sources := &demoSources{cat: cat, st: st, log: log, drop: mailDrop(f.data)}
	exp, err := startExporter(ctx, log, cat, st, f.listen, sources.mount(ctx))
	if err != nil {
		return err
	}

	// The rules come from the catalogue in use, written where the engine reads them.
	ruleDir := filepath.Join(f.data, "rules")
	files, err := rules.Generate(cat)
	if err != nil {
		return err
	}
	if err := rules.Write(ruleDir, files); err != nil {
		return err
	}
	pg, err := startPaging(ctx, f, cat, st, exp.reg, log, e.stdout, tty)
	if err != nil {
		return err
	}
	defer pg.close()
	eng, err := engine.New(engine.Options{
		Dir: filepath.Join(f.data, "tsdb"),
		Targets: []engine.Target{{Job: "telephony", URL: "http://" + exp.addr + "/metrics"},
			{Job: "linetest", URL: "http://" + pg.addr + linetestMetricsPath}},
		RuleFiles:      []string{filepath.Join(ruleDir, "*.yml")},
		ScrapeInterval: f.scrape,
		EvalInterval:   f.eval,
		Logger:         log,
		ExternalURL:    "http://" + f.api,
		Notify:         pg.am.NotifyFunc("http://" + f.api),
	})
	if err != nil {
		return err
	}
	amDone := make(chan error, 1)
	go func() { amDone <- pg.am.Run(ctx) }()
	defer func() { cancel(); <-amDone }()
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(ctx) }()
	apiLn, err := net.Listen("tcp", f.api)
	if err != nil {
		cancel()
		<-engDone
		return fmt.Errorf("query API listen %s: %w", f.api, err)
	}
	apiSrv := &http.Server{Handler: eng.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go apiSrv.Serve(apiLn)
	defer apiSrv.Close()
	fmt.Fprintf(e.stdout, "slawatch demo: exporter http://%s/metrics, query API http://%s/api/v1/query\n", exp.addr, apiLn.Addr())
	fmt.Fprintf(e.stdout, "slawatch demo: CRM webhook http://%s%s, mail-room items http://%s%s and count files in %s\n",
		exp.addr, crm.EventsPath, exp.addr, mailroom.ItemsPath, sources.drop)
	fmt.Fprintf(e.stdout, "slawatch demo: alerts routed by %s to http://%s%s, pages in %s\n", pg.config, pg.addr, alerting.WebhookPath, pg.pages.path)

	// Start the traffic once the engine has scraped the exporter, so the
	// catch-up calls are seen as an increase rather than a starting value.
	if err := waitFirstScrape(ctx, eng); err != nil {
		cancel()
		<-engDone
		return err
	}
	now := time.Now()
	offset := profileOffset(f.evening, now, cat)
	sim, err := simulator.New(simulator.Options{Catalog: cat, Seed: f.seed, Volume: f.volume,
		Scenarios: scenarios, Start: now, CatchUp: f.catchUp, ProfileOffset: offset})
	if err != nil {
		cancel()
		<-engDone
		return err
	}
	ltWait, err := startLinetests(ctx, cat, st, pg.linetestReg, "http://"+exp.addr, sim.Dead(), offset, log)
	if err != nil {
		cancel()
		<-engDone
		return err
	}
	if err := playOverdue(ctx, pg.lw, cat, scenarios, e.stdout, log); err != nil {
		cancel()
		<-engDone
		ltWait()
		return err
	}
	defer func() { cancel(); ltWait() }()
	srcWait, err := sources.play(ctx, "http://"+exp.addr, f, scenarios, now, offset)
	if err != nil {
		cancel()
		<-engDone
		return err
	}
	defer func() { cancel(); srcWait() }()
	feed := &simulator.Feed{BaseURL: "http://" + exp.addr, Client: &http.Client{Timeout: 30 * time.Second}, Logger: log, Retries: 5}
	simDone := make(chan struct{})
	go func() {
		defer close(simDone)
		simulator.Drive(ctx, sim, feed, time.Now, time.Second, 120)
	}()

	src := engineSource{eng}
	redraw := time.NewTicker(f.redraw)
	defer redraw.Stop()
	for {
		snap, err := board.Take(ctx, src, time.Now())
		if err == nil {
			var b bytes.Buffer
			if tty {
				b.WriteString("\033[H\033[2J")
			}
			snap.Render(&b, boardRows(tty))
			if tty {
				pg.pages.renderLast(&b, 5)
			}
			fmt.Fprintln(&b)
			pg.pages.print(e.stdout, b.Bytes())
		} else if ctx.Err() == nil {
			log.Error("board", "err", err)
		}
		select {
		case <-ctx.Done():
			<-simDone
			err := <-engDone
			if werr := exp.wait(); err == nil {
				err = werr
			}
			if errors.Is(err, context.Canceled) {
				err = nil
			}
			return err
		case err := <-engDone:
			cancel()
			<-simDone
			exp.wait()
			return fmt.Errorf("engine stopped: %w", err)
		case <-redraw.C:
		}
	}
}

// waitFirstScrape polls until the exporter's up series is in the TSDB.
func waitFirstScrape(ctx context.Context, eng *engine.Engine) error {
	for {
		v, err := eng.Query(ctx, `up{job="telephony"} == 1`, time.Now())
		if err == nil && len(v) > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// profileOffset shifts the traffic profile to 18:00 on the latest Monday to
// Thursday, so the demo shows an evening peak at any time of day.
func profileOffset(evening bool, now time.Time, cat *catalog.Catalog) time.Duration {
	if !evening {
		return 0
	}
	l := now.In(cat.Location())
	day := time.Date(l.Year(), l.Month(), l.Day(), 18, 0, 0, 0, cat.Location())
	for day.Weekday() < time.Monday || day.Weekday() > time.Thursday || day.After(now) {
		day = day.AddDate(0, 0, -1)
	}
	return day.Sub(now)
}

func boardRows(tty bool) int {
	if tty {
		return 30
	}
	return 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// engineSource adapts the engine to the board.
type engineSource struct{ eng *engine.Engine }

func (s engineSource) Query(ctx context.Context, expr string) ([]board.Sample, error) {
	v, err := s.eng.Query(ctx, expr, time.Now())
	if err != nil {
		return nil, err
	}
	out := make([]board.Sample, 0, len(v))
	for _, smp := range v {
		out = append(out, board.Sample{Labels: smp.Metric.Map(), Value: smp.F})
	}
	return out, nil
}

func (s engineSource) Alerts() []board.Alert {
	var out []board.Alert
	for _, a := range s.eng.Alerts() {
		out = append(out, board.Alert{Name: a.Name, Labels: a.Labels.Map(), State: a.State})
	}
	return out
}
