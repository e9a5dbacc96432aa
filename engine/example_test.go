package engine_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/slawatch/slawatch/engine"
)

// Example wires the engine as `slawatch demo` would: scrape the exporters,
// evaluate the generated rules, serve the query API for Grafana.
func Example() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	e, err := engine.New(engine.Options{
		Dir:            "data/tsdb",
		Targets:        []engine.Target{{Job: "telephony", URL: "http://127.0.0.1:9464/metrics"}},
		RuleFiles:      []string{"rules/generated/*.yml"},
		ScrapeInterval: 5 * time.Second,
		EvalInterval:   10 * time.Second,
		Logger:         logger,
		ExternalURL:    "http://127.0.0.1:9090/",
	})
	if err != nil {
		logger.Error("engine", "err", err)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv := &http.Server{Addr: "127.0.0.1:9090", Handler: e.Handler()}
	go func() { _ = srv.ListenAndServe() }()
	if err := e.Run(ctx); err != nil { // returns after Ctrl-C, TSDB closed
		logger.Error("engine", "err", err)
	}
	_ = srv.Shutdown(context.Background())
}
