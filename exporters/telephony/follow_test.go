package telephony

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// waitFor polls cond until it holds; the deadline only guards a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func appendLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
}

func accepted(reg prometheus.Gatherer) func() float64 {
	return func() float64 {
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() != "telephony_exporter_records_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				var src, res string
				for _, l := range m.GetLabel() {
					switch l.GetName() {
					case "source":
						src = l.GetValue()
					case "result":
						res = l.GetValue()
					}
				}
				if src == SourceQueueLog && res == "accepted" {
					return m.GetCounter().GetValue()
				}
			}
		}
		return -1
	}
}

func TestFollowQueueLogAcrossRotationAndTruncation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue_log")
	clk := time.Unix(1769900430, 0)
	e, reg := newExporter(t, testCatalog(t), openStore(t, dir), func() time.Time { return clk })
	appendLines(t, path,
		"1769900400|u1|alpha-noise|NONE|ENTERQUEUE||07700900123|1",
		"1769900410|u1|alpha-noise|NONE|ABANDON|1|1|10",
		"1769900420|u2|alpha-noise|NONE|ENTERQUEUE||07700900124|1", // still waiting at rotation
	)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.FollowQueueLog(ctx, path) }()
	n := accepted(reg)
	waitFor(t, "the first call", func() bool { return n() == 1 })

	waiting := func() string {
		return exposition(t, reg, "telephony_calls_waiting", "telephony_oldest_wait_seconds")
	}
	waitFor(t, "u2 waiting", func() bool {
		w := waiting()
		return strings.Contains(w, `telephony_calls_waiting{po="alpha",service_option="noise"} 1`+"\n") &&
			strings.Contains(w, `telephony_oldest_wait_seconds{po="alpha",service_option="noise"} 10`+"\n")
	})

	// logrotate: rename, new file; u2 is answered in the new file.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path,
		"1769900425|u2|alpha-noise|PJSIP/a|CONNECT|5|x|2",
		"1769900480|u2|alpha-noise|PJSIP/a|COMPLETEAGENT|5|55|1",
	)
	waitFor(t, "u2 after rotation", func() bool { return n() == 2 })

	// copytruncate: the same file shrinks and grows again.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path,
		"1769900500|u3|alpha-housing|NONE|ENTERQUEUE||07700900125|1",
		"1769900503|u3|alpha-housing|NONE|ABANDON|1|1|3",
	)
	waitFor(t, "u3 after truncation", func() bool { return n() == 3 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("FollowQueueLog: %v", err)
	}
	want := `
# HELP telephony_calls_offered_total Public calls that reached the queue after the greeting (test calls excluded).
# TYPE telephony_calls_offered_total counter
telephony_calls_offered_total{access_number="+442079460101",po="alpha",service_option="future",standard="gold"} 0
telephony_calls_offered_total{access_number="+442079460101",po="alpha",service_option="housing",standard="gold"} 0
telephony_calls_offered_total{access_number="+442079460101",po="alpha",service_option="housing",standard="silver"} 0
telephony_calls_offered_total{access_number="+442079460101",po="alpha",service_option="noise",standard="silver"} 2
telephony_calls_offered_total{access_number="+442079460102",po="alpha",service_option="housing",standard="gold"} 0
telephony_calls_offered_total{access_number="+442079460102",po="alpha",service_option="housing",standard="silver"} 1
telephony_calls_offered_total{access_number="+442079460103",po="beta",service_option="repairs",standard="gold"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "telephony_calls_offered_total"); err != nil {
		t.Error(err)
	}
	if w := waiting(); !strings.Contains(w, `telephony_calls_waiting{po="alpha",service_option="noise"} 0`+"\n") {
		t.Errorf("gauges after stop:\n%s", w)
	}
}
