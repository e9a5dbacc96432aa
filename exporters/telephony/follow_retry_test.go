package telephony

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/store"
)

// atomicClock is a settable clock safe to read from the follower goroutine.
type atomicClock struct{ ns atomic.Int64 }

func (c *atomicClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *atomicClock) add(d time.Duration) { c.ns.Add(int64(d)) }
func newAtomicClock(t time.Time) *atomicClock {
	c := &atomicClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func follow(t *testing.T, e *Exporter, path string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.FollowQueueLog(ctx, path) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("FollowQueueLog: %v", err)
		}
	}
}

func counterValue(t *testing.T, reg prometheus.Gatherer, name, labels string) string {
	t.Helper()
	for _, l := range strings.Split(exposition(t, reg, name), "\n") {
		if strings.HasPrefix(l, name+labels+" ") {
			return strings.TrimPrefix(l, name+labels+" ")
		}
	}
	return "absent"
}

// While the store fails, the follower keeps the batch and retries after a
// back-off on the clock, not on every new line; nothing is lost.
func TestFollowQueueLogBacksOffAndKeepsTheBatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue_log")
	clk := newAtomicClock(time.Unix(1769900400, 0))
	reg := prometheus.NewPedanticRegistry()
	e, err := New(context.Background(), Options{Catalog: testCatalog(t), Store: openStore(t, dir), Registerer: reg,
		Now: clk.now, PollInterval: 2 * time.Millisecond, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int32
	var down atomic.Bool
	down.Store(true)
	real := e.insert
	e.insert = func(ctx context.Context, calls []store.Call) ([]bool, error) {
		attempts.Add(1)
		if down.Load() {
			return nil, errors.New("store down")
		}
		return real(ctx, calls)
	}
	var lines []string
	for i := range 20 {
		lines = append(lines,
			fmt.Sprintf("1769900300|u%d|alpha-noise|NONE|ENTERQUEUE||x|1", i),
			fmt.Sprintf("1769900310|u%d|alpha-noise|NONE|ABANDON|1|1|10", i))
	}
	lines = append(lines, "1769900390|last|alpha-noise|NONE|ENTERQUEUE||x|1") // marks the end as read
	appendLines(t, path, lines...)
	stop := follow(t, e, path)
	defer stop()
	waitFor(t, "the last line", func() bool {
		return strings.Contains(exposition(t, reg, "telephony_calls_waiting"), `telephony_calls_waiting{po="alpha",service_option="noise"} 1`+"\n")
	})
	if n := attempts.Load(); n != 1 {
		t.Errorf("%d store attempts while the clock stood still, want 1", n)
	}
	clk.add(retryMinBackoff / 2)
	time.Sleep(20 * time.Millisecond) // some polls: still backing off
	if n := attempts.Load(); n != 1 {
		t.Errorf("%d store attempts before the back-off ended, want 1", n)
	}
	clk.add(retryMinBackoff) // past the first back-off; the store is still down
	waitFor(t, "the second attempt", func() bool { return attempts.Load() == 2 })
	clk.add(retryMinBackoff) // 1 s into a 2 s back-off
	time.Sleep(20 * time.Millisecond)
	if n := attempts.Load(); n != 2 {
		t.Errorf("%d store attempts within the doubled back-off, want 2", n)
	}
	down.Store(false)
	clk.add(2 * retryMinBackoff)
	n := accepted(reg)
	waitFor(t, "the kept batch stored", func() bool { return n() == 20 })
}

// An orphan visit is counted once: not again after a restart rereads the
// file, and not at all when it was already an orphan at start.
func TestFollowQueueLogCountsOrphansOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue_log")
	st := openStore(t, dir)
	clk := newAtomicClock(time.Unix(1769900400, 0))
	start := func() (*Exporter, *prometheus.Registry) {
		reg := prometheus.NewPedanticRegistry()
		e, err := New(context.Background(), Options{Catalog: testCatalog(t), Store: st, Registerer: reg,
			Now: clk.now, PollInterval: 2 * time.Millisecond, MaxVisitAge: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return e, reg
	}
	orphans := func(reg prometheus.Gatherer) string {
		return counterValue(t, reg, "telephony_exporter_parse_errors_total", `{reason="orphan_visit",source="queue_log"}`)
	}
	waiting := func(reg prometheus.Gatherer, n int) func() bool {
		return func() bool {
			return strings.Contains(exposition(t, reg, "telephony_calls_waiting"),
				fmt.Sprintf(`telephony_calls_waiting{po="alpha",service_option="noise"} %d`+"\n", n))
		}
	}
	appendLines(t, path,
		"1769893000|old|alpha-noise|NONE|ENTERQUEUE||x|1", // 2 h before the start: already an orphan
		"1769900390|new|alpha-noise|NONE|ENTERQUEUE||x|1",
	)
	e, reg := start()
	stop := follow(t, e, path)
	waitFor(t, "the old visit dropped", func() bool {
		return strings.Contains(exposition(t, reg, "telephony_oldest_wait_seconds"),
			`telephony_oldest_wait_seconds{po="alpha",service_option="noise"} 10`+"\n") && waiting(reg, 1)()
	})
	if got := orphans(reg); got != "0" {
		t.Errorf("orphans at start = %s, want 0 (old was an orphan before the start)", got)
	}
	clk.add(time.Hour)
	waitFor(t, "the new visit dropped", waiting(reg, 0))
	if got := orphans(reg); got != "1" {
		t.Errorf("orphans = %s, want 1", got)
	}
	stop()

	// Restart: the file is read again from the top.
	e, reg = start()
	stop = follow(t, e, path)
	defer stop()
	appendLines(t, path, "1769903990|marker|alpha-housing|NONE|ENTERQUEUE||x|1")
	waitFor(t, "the marker", func() bool {
		return strings.Contains(exposition(t, reg, "telephony_calls_waiting"), `telephony_calls_waiting{po="alpha",service_option="housing"} 1`+"\n")
	})
	if !waiting(reg, 0)() {
		t.Error("old visits waiting after the restart")
	}
	if got := orphans(reg); got != "0" {
		t.Errorf("orphans after a restart = %s, want 0", got)
	}
}

// The tailer does not buffer a line without a newline past MaxLineBytes.
func TestFollowQueueLogLongLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue_log")
	e, reg := newExporter(t, testCatalog(t), openStore(t, dir), func() time.Time { return time.Unix(1769900430, 0) })
	appendLines(t, path, strings.Repeat("9", 2<<20))
	appendLines(t, path,
		"1769900400|u1|alpha-noise|NONE|ENTERQUEUE||x|1",
		"1769900410|u1|alpha-noise|NONE|ABANDON|1|1|10")
	stop := follow(t, e, path)
	defer stop()
	n := accepted(reg)
	waitFor(t, "the call after the long line", func() bool { return n() == 1 })
	want := `telephony_exporter_parse_errors_total{reason="syntax",source="queue_log"} 1`
	if !strings.Contains(exposition(t, reg, "telephony_exporter_parse_errors_total"), want+"\n") {
		t.Errorf("lacks %s", want)
	}
}
