package engine

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/prometheus/promql"
)

// Short intervals keep the tests to a few seconds; nothing asserts timing.
const (
	testScrape = 200 * time.Millisecond
	testEval   = 200 * time.Millisecond
	testWait   = 20 * time.Second // deadline for polls, generous for 2 shared cores
)

// testRules records the offered calls per job and po, and alerts:
// DemoCallsSeen fires at once, DemoCallsSlow stays pending (for: 1h),
// DemoNever never becomes active, TargetDown fires for the dead target.
const testRules = `groups:
  - name: demo
    rules:
      - record: job_po:demo_calls_offered:sum
        expr: sum by (job, po) (demo_calls_offered_total)
      - alert: DemoCallsSeen
        expr: job_po:demo_calls_offered:sum > 0
        labels:
          severity: info
        annotations:
          summary: "{{ $labels.po }} has {{ $value }} calls"
      - alert: DemoCallsSlow
        expr: job_po:demo_calls_offered:sum > 0
        for: 1h
      - alert: DemoNever
        expr: demo_calls_offered_total > 1e12
  - name: targets
    interval: 300ms
    rules:
      - alert: TargetDown
        expr: up == 0
`

// exporter is a tiny /metrics endpoint with one counter, as the slawatch
// exporters expose.
type exporter struct {
	srv     *httptest.Server
	offered *prometheus.CounterVec
}

func newExporter(t *testing.T) *exporter {
	t.Helper()
	reg := prometheus.NewRegistry()
	offered := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "demo_calls_offered_total", Help: "Calls offered (test).",
	}, []string{"po"})
	reg.MustRegister(offered)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	return &exporter{srv: srv, offered: offered}
}

// deadURL returns a loopback /metrics URL where nothing listens.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr + "/metrics"
}

func writeRuleFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.DiscardHandler)
}

// running is an Engine whose Run goroutine the test can stop.
type running struct {
	*Engine
	cancel context.CancelFunc
	done   chan error
}

// stop ends Run and returns its error; safe to call twice.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok && err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(testWait):
		t.Fatal("Run did not return after cancel")
	}
}

func startEngine(t *testing.T, o Options) *running {
	t.Helper()
	e, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Engine: e, cancel: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- e.Run(ctx)
		close(r.done)
	}()
	t.Cleanup(func() { r.stop(t) })
	waitFor(t, "engine ready", func() error {
		if !e.Ready() {
			return errors.New("not ready")
		}
		return nil
	})
	return r
}

// waitFor polls f until it returns nil or the deadline passes.
func waitFor(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after %s: %v", what, testWait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sampleByLabel indexes a vector by the value of one label.
func sampleByLabel(v promql.Vector, name string) map[string]float64 {
	m := map[string]float64{}
	for _, s := range v {
		m[s.Metric.Get(name)] = s.F
	}
	return m
}
