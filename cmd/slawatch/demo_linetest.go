package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
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
		handover := make(chan struct{})
		go func() { defer close(handover); handoverTests(ctx, p, cat, log) }()
		p.Run(ctx, demoLineTestEvery)
		<-handover
	}()
	return func() { <-done; p.Wait() }, nil
}

// handoverTests places the handover test of every number, two at a time:
// the demo's evening joins after the PO's handover, when the provider
// tests every number once (SPEC: "one test call to every number
// immediately after each daily handover").
func handoverTests(ctx context.Context, p *linetest.Prober, cat *catalog.Catalog, log *slog.Logger) {
	numbers := make(chan string)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range numbers {
				handoverTest(ctx, p, n, log)
			}
		}()
	}
	defer wg.Wait()
	defer close(numbers)
	for i := range cat.Organisations {
		for _, a := range cat.Organisations[i].AccessNumbers {
			select {
			case numbers <- a.Number:
			case <-ctx.Done():
				return
			}
		}
	}
}

// handoverTest tests one number, trying again while the prober is busy
// with it (a low-demand test in progress) or has no free line.
func handoverTest(ctx context.Context, p *linetest.Prober, number string, log *slog.Logger) {
	const tries, pause = 30, 3 * time.Second
	for i := 1; ; i++ {
		_, err := p.RunNow(ctx, number, linetest.TriggerHandover)
		if err == nil || ctx.Err() != nil {
			return
		}
		if i == tries {
			log.Warn("demo handover test not placed", "number", number, "err", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
	}
}
