package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/rotaapi"
	"github.com/slawatch/slawatch/exporters/kpi"
	"github.com/slawatch/slawatch/exporters/loneworker"
	"github.com/slawatch/slawatch/internal/apiauth"
)

// pagerRef lets the inbound webhooks be built before the pager they
// answer to (the pager needs the senders first); it is set before serving.
type pagerRef struct{ *alerting.Pager }

func runNotify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "notify", "notify [--listen ADDR] [--public-url URL] [--api-tokens FILE] [--console] [--file PATH]",
		"Runs the notifier until interrupted: it takes Alertmanager's webhooks (POST "+alerting.WebhookPath+")\n"+
			"and the application's own pages (POST "+alerting.AppPagePath+"), stores each as an incident, and\n"+
			"escalates it by the PO's policy in the catalogue: each step pages the people on call (rotas,\n"+
			"with the changes made through /api/v1/rotas/) by SMS and Slack, waits for an acknowledgement\n"+
			"(SMS reply code such as 12A, the Slack button, or `slawatch ack`), then pages the next step;\n"+
			"the provider's duty managers come last. Undelivered pages fall back to the next step at once.\n"+
			"Everything is in the event store first, so a restart loses nothing: `slawatch incidents --id N`.\n\n"+
			"Channels come from the environment: "+envSlackToken+" (and "+envSlackSigning+" for the\n"+
			"buttons) for Slack; "+envTwilioAccountSID+", "+envTwilioAuthToken+", "+envTwilioFrom+" and --public-url\n"+
			"for SMS. Without them the pages go to the console (or --file, JSON lines).\n\n"+
			"It also runs the lone-worker service: officers check in before a visit and out after it\n"+
			"(the API at /api/v1/loneworker/ with --api-tokens; by SMS and phone on the lone-worker\n"+
			"number with Twilio: /api/v1/loneworker/sms and /voice under --public-url; or `slawatch\n"+
			"loneworker`); an officer not out by the deadline raises an alarm paged by the staff group's\n"+
			"policy. Reminders go by SMS (else where the pages go).\n"+
			"It exports the contract KPIs' manual returns and mitigations (kpi_*; `slawatch kpi return`\n"+
			"writes the store, or POST "+kpi.APIPrefix+"returns with --api-tokens).\n"+
			"GET /metrics has the notifier_*, loneworker_* and kpi_* metrics; GET /-/healthy answers ok.")
	var c commonFlags
	c.register(fs, true)
	listen := fs.String("listen", strings.TrimPrefix(alerting.DefaultNotifierURL, "http://"),
		"address for the webhooks (Alertmanager's receivers point at http://ADDR"+alerting.WebhookPath+")")
	publicListen := fs.String("public-listen", "", "a second address for what the outside must reach: Twilio's and Slack's callbacks and the\n"+
		"rota API (put TLS in front of it); the intakes and /metrics then stay on --listen only, which\n"+
		"should be loopback or a private network: they take no credentials")
	publicURL := fs.String("public-url", "", "the URL Twilio and Slack reach this notifier at, e.g. https://notify.example.org (for SMS receipts and replies)")
	tokens := fs.String("api-tokens", "", "credentials file (lines: NAME SCOPE SHA256) for the rota API and POST "+alerting.AppPagePath+";\n"+
		"without it the rota API is not served and application pages need no credential")
	console := fs.Bool("console", false, "print one line per page on stdout (the default when no other channel is set)")
	file := fs.String("file", "", "append one JSON line per page to this file")
	tick := fs.Duration("tick", time.Second, "how often the pager does its due work (escalation steps, retries, receipts overdue)")
	bound := fs.Duration("delivery-bound", 2*time.Minute, "an SMS without a delivery receipt this long counts as undelivered (next step paged)")
	lookahead := fs.Duration("gap-lookahead", 24*time.Hour, "raise rota gaps (nobody reachable) this far ahead of the shift")
	promURL := fs.String("prometheus", "", "Prometheus query API for GET "+kpi.APIPrefix+"status (PromQL KPIs); empty: they show unavailable")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; notify takes flags only", fs.Arg(0))
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
	ref := &pagerRef{}
	// The lone-worker service is built after the channels (it needs the
	// pager, which needs the senders); it is set before serving.
	var lw *loneworker.Service
	commands := func(ctx context.Context, from, body string) (string, bool) { return lw.SMSCommand(ctx, from, body) }
	ch, err := buildChannels(os.Getenv, log, strings.TrimSuffix(*publicURL, "/"), *console, *file, e.stdout, ref, commands)
	if err != nil {
		return usagef("%v", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	current := catalogFor(cat, st, log)
	pager, err := alerting.NewPager(alerting.PagerOptions{Catalog: current, Store: st, Logger: log.With("component", "pager"),
		Senders: ch.senders, Registerer: reg, DeliveryBound: *bound})
	if err != nil {
		return err
	}
	ref.Pager = pager
	if lw, err = newLoneWorker(current, st, pager, ch.senders, reg, log); err != nil {
		return err
	}
	intake, err := alerting.NewIntake(alerting.IntakeOptions{Store: st, Logger: log, Notifiers: []alerting.Notifier{pager}})
	if err != nil {
		return err
	}
	var creds *apiauth.Credentials
	if *tokens != "" {
		if creds, err = apiauth.LoadCredentials(*tokens); err != nil {
			return err
		}
		if err := creds.CheckScopes(cat.POIDs()); err != nil {
			return err
		}
	}
	mux := http.NewServeMux()
	mux.Handle(alerting.WebhookPath, intake)
	mux.Handle(alerting.AppPagePath, appIntake(pager, creds, log))
	public := mux
	if *publicListen != "" {
		public = http.NewServeMux()
		public.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	}
	for path, h := range ch.handlers {
		public.Handle(path, h)
	}
	lwMounted, err := mountLoneWorker(public, lw, creds, os.Getenv(envTwilioAuthToken), strings.TrimSuffix(*publicURL, "/"), log)
	if err != nil {
		return err
	}
	if err := mountKPIs(public, cat, st, reg, creds, *promURL, log); err != nil {
		return err
	}
	if creds != nil {
		rh, err := rotaapi.New(rotaapi.Options{Catalog: cat, Store: st, Auth: creds, Logger: log.With("component", "rotas")})
		if err != nil {
			return err
		}
		public.Handle(rotaapi.Prefix, rh)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	gaps, err := rotaapi.NewGapWatcher(rotaapi.GapWatcherOptions{Catalog: cat, Store: st, Lookahead: *lookahead,
		Raise: pager.RaiseGap, Registerer: reg, Logger: log.With("component", "rota-gaps")})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("notify listen %s: %w", *listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if *publicListen != "" {
		pln, err := net.Listen("tcp", *publicListen)
		if err != nil {
			srv.Close()
			return fmt.Errorf("notify public listen %s: %w", *publicListen, err)
		}
		psrv := &http.Server{Handler: public, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
		go psrv.Serve(pln)
		defer psrv.Close()
		fmt.Fprintf(e.stdout, "slawatch notify: callbacks and rota API on http://%s\n", pln.Addr())
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	pagerDone := make(chan error, 1)
	go func() { pagerDone <- pager.Run(runCtx, *tick) }()
	lwDone := runLoneWorker(runCtx, lw, *tick)
	go gaps.Run(runCtx, time.Minute)
	fmt.Fprintf(e.stdout, "slawatch notify serving on http://%s%s (Ctrl-C to stop); paging by %s\n", ln.Addr(), alerting.WebhookPath, ch)
	log.Info("notifier listening", "address", ln.Addr().String(), "channels", ch.String(), "rota_api", *tokens != "",
		"lone_worker", strings.Join(lwMounted, ", "))
	select {
	case err := <-done:
		stop()
		<-pagerDone
		<-lwDone
		return err
	case <-ctx.Done():
	}
	// Webhooks in flight are stored before the store closes; the pager
	// finishes its tick (what it has not sent stays due in the store).
	shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serr := srv.Shutdown(shut)
	ch.wait()
	stop()
	<-pagerDone
	<-lwDone
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return serr
}

// appIntake is the application pages' intake: with credentials, a bearer
// token whose scope covers the page's PO ("*" for the provider's own).
func appIntake(p *alerting.Pager, creds *apiauth.Credentials, log *slog.Logger) http.Handler {
	if creds == nil {
		return p.AppIntake(nil)
	}
	allow := func(r *http.Request, po string) bool {
		c, ok := apiauth.CallerFrom(r.Context())
		if po == "" {
			return ok && c.Scope == apiauth.ScopeAll
		}
		return ok && c.Allows(po)
	}
	return creds.Middleware(log, p.AppIntake(allow))
}
