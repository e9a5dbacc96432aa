package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/linetest"
	"github.com/slawatch/slawatch/store"
)

// demoLineTestEvery is how often the demo's prober decides which tests are
// due (the catalogue's interval, 30 minutes, still spaces the tests).
const demoLineTestEvery = 10 * time.Second

// demoLineTestDelay lets the simulator's catch-up calls in before the
// first decision.
const demoLineTestDelay = 5 * time.Second

// startLinetests runs the line-test prober in the demo with the simulated
// dialer: its test calls arrive at the exporter from the line-test caller,
// except on the numbers a deadline scenario killed. The hours of service
// follow the demo's evening (offset). It stops with ctx; wait returns when
// its calls have ended.
func startLinetests(ctx context.Context, cat *catalog.Catalog, st *store.Store, reg prometheus.Registerer, exporterURL string,
	dead []string, offset time.Duration, log *slog.Logger) (wait func(), err error) {
	d := linetest.NewSimDialer(linetest.SimOptions{OnConnect: testCallArrival(cat, exporterURL, &http.Client{Timeout: 10 * time.Second})})
	for _, n := range dead {
		d.Kill(n)
	}
	p, err := linetest.New(ctx, linetest.Options{Catalog: cat, Store: st, Dialer: d, Registerer: reg,
		Logger: log.With("component", "linetest"), ServiceOffset: offset})
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Let the simulator deliver the calls of the minutes it catches up
		// on first: a number's demand decides whether it needs a test.
		select {
		case <-ctx.Done():
			return
		case <-time.After(demoLineTestDelay):
		}
		p.Run(ctx, demoLineTestEvery)
	}()
	return func() { <-done; p.Wait() }, nil
}
