package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/linetest"
	"github.com/slawatch/slawatch/internal/secret"
)

// runLinetest dispatches `slawatch linetest serve|run|report`.
func runLinetest(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "linetest", "Usage: slawatch linetest serve|run|report [flags]\n\n"+
		"  serve   the prober: a test call every interval to each number whose demand is under its\n"+
		"          threshold in hours of service, and one after each daily handover; /metrics\n"+
		"  run     test one number now: slawatch linetest run --number +442079460010\n"+
		"  report  the monthly line-test report: slawatch linetest report --po P --month 2026-11\n\n"+
		"slawatch linetest COMMAND --help for its flags.\n", []subcommand{
		{"serve", runLinetestServe},
		{"run", runLinetestRun},
		{"report", runLinetestReport},
	}, args)
}

// linetestFlags are the prober's flags shared by serve and run.
type linetestFlags struct {
	commonFlags
	listen, publicURL, exporter, prometheus string
	sim                                     bool
	seen, dialTimeout                       time.Duration
}

func (f *linetestFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
	DurationVar(*time.Duration, string, time.Duration, string)
}) {
	fs.StringVar(&f.listen, "listen", "127.0.0.1:9466", "address for /metrics and Twilio's call status callbacks")
	fs.StringVar(&f.publicURL, "public-url", "", "the URL Twilio reaches --listen at, e.g. https://linetest.example.org (Twilio dialer)")
	fs.BoolVar(&f.sim, "sim", false, "simulated dialer (every line answers; for trials): its test calls are posted to --exporter")
	fs.StringVar(&f.exporter, "exporter", "http://127.0.0.1:9464", "the telephony exporter the simulated dialer's test calls arrive at")
	fs.StringVar(&f.prometheus, "prometheus", "", "read the calls on each number from this Prometheus (e.g. http://prometheus:9090) instead of\n"+
		"the event store: for a prober that does not share the exporter's database")
	fs.DurationVar(&f.seen, "seen-bound", linetest.DefaultSeenBound, "a connected test call must reach the telephony source within this")
	fs.DurationVar(&f.dialTimeout, "dial-timeout", linetest.DefaultDialTimeout, "ringing time before a test call counts as not answered")
}

// dialer builds the Twilio dialer from the environment, or the simulated
// one with --sim; handler is the Twilio callback endpoint (nil for --sim).
func (f *linetestFlags) dialer(cat *catalog.Catalog, log *slog.Logger) (d linetest.Dialer, path string, handler http.Handler, err error) {
	if f.sim {
		return linetest.NewSimDialer(linetest.SimOptions{OnConnect: testCallArrival(cat, strings.TrimSuffix(f.exporter, "/"),
			&http.Client{Timeout: 10 * time.Second})}), "", nil, nil
	}
	sid, tok := os.Getenv(envTwilioAccountSID), os.Getenv(envTwilioAuthToken)
	if sid == "" || tok == "" || f.publicURL == "" {
		return nil, "", nil, usagef("the Twilio dialer needs %s, %s and --public-url (or use --sim for a trial)", envTwilioAccountSID, envTwilioAuthToken)
	}
	td, err := linetest.NewTwilioDialer(linetest.TwilioOptions{AccountSID: sid, AuthToken: secret.New(tok),
		PublicURL: strings.TrimSuffix(f.publicURL, "/"), BaseURL: os.Getenv(envTwilioAPIURL), Logger: log.With("component", "twilio")})
	if err != nil {
		return nil, "", nil, err
	}
	return td, td.CallbackPath(), td.CallbackHandler(), nil
}

// start loads everything, builds the prober and serves /metrics (and the
// Twilio callbacks) until ctx ends; stop waits for the server.
func (f *linetestFlags) start(ctx context.Context, e *env) (p *linetest.Prober, stop func(), err error) {
	log, err := f.logger(e)
	if err != nil {
		return nil, nil, err
	}
	cat, st, err := f.open(ctx, log)
	if err != nil {
		return nil, nil, err
	}
	d, path, cb, err := f.dialer(cat, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var calls linetest.CallCounter
	if f.prometheus != "" {
		client, err := promapi.NewClient(promapi.Config{Address: f.prometheus})
		if err != nil {
			st.Close()
			return nil, nil, usagef("--prometheus %q: %v", f.prometheus, err)
		}
		calls = linetest.PromCalls{API: promv1.NewAPI(client)}
	}
	p, err = linetest.New(ctx, linetest.Options{Catalog: cat, Store: st, Dialer: d, Registerer: reg, Logger: log,
		SeenBound: f.seen, DialTimeout: f.dialTimeout, Calls: calls})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if cb != nil {
		mux.Handle(path, cb)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("linetest listen %s: %w", f.listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(e.stdout, "slawatch linetest serving on http://%s/metrics\n", ln.Addr())
	return p, func() {
		p.Wait()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		st.Close()
	}, nil
}

func runLinetestServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "linetest serve", "linetest serve [--public-url URL | --sim] [--listen ADDR] [--every 30s]",
		"Runs the line-test prober until interrupted. For each publicly advertised number in the\n"+
			"catalogue: while it is in hours of service and its calls per hour (the last 15 minutes, x4)\n"+
			"are under its line_test threshold, a test call every interval (default 30 min); one test\n"+
			"call right after each daily handover. A test passes only when the call connected and the\n"+
			"telephony source saw it arrive on that number within --seen-bound (demand and arrivals come\n"+
			"from the event store, or from Prometheus with --prometheus). Every run is stored\n"+
			"(`slawatch linetest report`); /metrics has the linetest_* metrics the alert rules read\n"+
			"(LineTestFailed, LineTestMissing, HandoverTestMissing). Test calls are placed by Twilio\n"+
			"("+envTwilioAccountSID+", "+envTwilioAuthToken+", --public-url for its status callbacks)\n"+
			"from the catalogue's provider.line_test_callers number, or simulated with --sim.")
	var f linetestFlags
	f.commonFlags.register(fs, true)
	f.register(fs)
	every := fs.Duration("every", 30*time.Second, "how often the prober decides which tests are due")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, stop, err := f.start(ctx, e)
	if err != nil {
		return err
	}
	defer stop()
	err = p.Run(ctx, *every)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func runLinetestRun(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "linetest run", "linetest run --number E164 [--public-url URL | --sim]",
		"Tests one number now (trigger manual) and prints the verdict: the call must connect and the\n"+
			"telephony source must see it arrive within --seen-bound. The run is stored with the others.\n"+
			"Exit code 1 when the test failed. With Twilio, --public-url must reach this process's --listen\n"+
			"(Twilio posts the call's status there), not the running `linetest serve`. The serving prober\n"+
			"learns of a manual pass only at its restart (its alerts clear with its next passing test).")
	var f linetestFlags
	f.commonFlags.register(fs, true)
	f.register(fs)
	number := fs.String("number", "", "the advertised number to test (E.164, e.g. +442079460010)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *number == "" {
		return usagef("--number is required: the advertised number to test, e.g. +442079460010")
	}
	listenSet := false
	fs.Visit(func(fl *flag.Flag) { listenSet = listenSet || fl.Name == "listen" })
	if !listenSet {
		f.listen = "127.0.0.1:0" // not the daemon's port
	}
	p, stop, err := f.start(ctx, e)
	if err != nil {
		return err
	}
	defer stop()
	run, err := p.RunNow(ctx, *number, linetest.TriggerManual)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "run %d %s %s: %s (call %s, %s) %s\n", run.ID, run.PO, run.AccessNumber, strings.ToUpper(run.Result),
		dash(run.DialStatus), run.Duration.Round(time.Second), run.Reason)
	if run.Result != linetest.ResultPass {
		return fmt.Errorf("line test of %s: %s", run.AccessNumber, run.Result)
	}
	return nil
}
