package linetest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/slawatch/slawatch/engine"
)

// TestPromCallsThroughPrometheus: the counts a separate prober reads from
// Prometheus (the embedded engine, scraping a telephony-shaped target every
// 200 ms, queried through client_golang's API client) are the calls that
// arrived on the number, and only on it.
func TestPromCallsThroughPrometheus(t *testing.T) {
	var offered, ivr, tests atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		l := `po="enfield",service_option="social_services_emergencies",access_number="+442079460010",standard="gold"`
		o := `po="enfield",service_option="social_services_emergencies",access_number="+442079460009",standard="gold"`
		fmt.Fprintf(w, "telephony_calls_offered_total{%s} %d\ntelephony_calls_offered_total{%s} 50\n", l, offered.Load(), o)
		fmt.Fprintf(w, "telephony_ivr_only_calls_total{%s} %d\n", l, ivr.Load())
		fmt.Fprintf(w, "telephony_test_calls_received_total{po=\"enfield\",access_number=\"+442079460010\"} %d\n", tests.Load())
	}))
	defer target.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	eng, err := engine.New(engine.Options{Dir: t.TempDir(), ScrapeInterval: 200 * time.Millisecond,
		Targets: []engine.Target{{Job: "telephony", URL: target.URL + "/metrics"}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	defer func() { cancel(); <-done }()
	prom := httptest.NewServer(eng.Handler())
	defer prom.Close()
	client, err := api.NewClient(api.Config{Address: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	pc := PromCalls{API: v1.NewAPI(client)}
	wait := func(what string, ok func(public, test int) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			now := time.Now()
			if p, te, err := pc.CallsOnNumber(ctx, "+442079460010", now.Add(-time.Minute), now); err == nil && ok(p, te) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		now := time.Now()
		p, te, err := pc.CallsOnNumber(ctx, "+442079460010", now.Add(-time.Minute), now)
		t.Fatalf("%s: never; last %d public, %d test, %v", what, p, te, err)
	}
	// A few scrapes of the zero counters first, so the calls are an increase.
	wait("zeros scraped", func(p, te int) bool { return p == 0 && te == 0 })
	time.Sleep(time.Second)
	offered.Add(3)
	ivr.Add(1)
	tests.Add(1)
	wait("three offered, one IVR-only, one test call", func(p, te int) bool { return p == 4 && te == 1 })
	// A window in the future is cut at now; an empty window counts nothing.
	now := time.Now()
	if p, te, err := pc.CallsOnNumber(ctx, "+442079460010", now.Add(-time.Minute), now.Add(time.Hour)); err != nil || p != 4 || te != 1 {
		t.Errorf("future window: %d, %d, %v", p, te, err)
	}
	if p, te, err := pc.CallsOnNumber(ctx, "+442079460010", now, now); err != nil || p != 0 || te != 0 {
		t.Errorf("empty window: %d, %d, %v", p, te, err)
	}
	if p, te, err := pc.CallsOnNumber(ctx, "+442079469999", now.Add(-time.Minute), now); err != nil || p != 0 || te != 0 {
		t.Errorf("a number with no series: %d, %d, %v; want 0, 0", p, te, err)
	}
}
