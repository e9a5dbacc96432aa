package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/slawatch/slawatch/alerting"
)

func runNotify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "notify", "notify [--listen ADDR] [--console] [--file PATH] [--store DSN]",
		"Runs the notifier until interrupted. Alertmanager posts its webhooks (payload version 4) to\n"+
			"POST "+alerting.WebhookPath+"; every alert is stored as an incident in the event store before\n"+
			"the answer (2xx), so a retried webhook changes nothing. A firing alert opens an incident, a\n"+
			"resolved one closes it, and each opened or resolved incident goes to the sinks: --console\n"+
			"prints one line per page on stdout, --file appends JSON lines. Rotas, Slack and SMS come\n"+
			"later: the sinks say whom they would page (the on-call of the PO of receiver po-<id>).\n"+
			"Without a sink flag the console is used. GET /-/healthy answers ok.\n"+
			"See `slawatch incidents` for what was stored.")
	var c commonFlags
	c.register(fs, true)
	listen := fs.String("listen", strings.TrimPrefix(alerting.DefaultNotifierURL, "http://"),
		"address for the webhook (Alertmanager's receivers point at http://ADDR"+alerting.WebhookPath+")")
	console := fs.Bool("console", false, "print one line per page on stdout (the default without --file)")
	file := fs.String("file", "", "append one JSON line per page to this file")
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
	var sinks []alerting.Notifier
	if *console || *file == "" {
		sinks = append(sinks, alerting.NewConsoleNotifier(e.stdout))
	}
	if *file != "" {
		sinks = append(sinks, alerting.NewFileNotifier(*file))
	}
	st, err := c.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	intake, err := alerting.NewIntake(alerting.IntakeOptions{Store: st, Logger: log, Now: time.Now, Notifiers: sinks})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(alerting.WebhookPath, intake)
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("notify listen %s: %w", *listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(e.stdout, "slawatch notify serving on http://%s%s (Ctrl-C to stop)\n", ln.Addr(), alerting.WebhookPath)
	log.Info("notifier listening", "address", ln.Addr().String(), "webhook", alerting.WebhookPath, "sinks", len(sinks))
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Webhooks in flight are stored and delivered before the store closes.
	shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serr := srv.Shutdown(shut)
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return serr
}
