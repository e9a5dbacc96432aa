package linetest

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
)

// Every series but linetest_last_run_success exists from the start, at 0,
// and the exposition passes the linters.
func TestMetricsExposition(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-24 01:00"))
	if n := testutil.CollectAndCount(h.p.m.runs); n != 2*3*3 {
		t.Errorf("%d linetest_runs_total series, want 18 (2 numbers x 3 triggers x 3 results)", n)
	}
	if n := testutil.CollectAndCount(h.p.m.lastRunSuccess); n != 0 {
		t.Errorf("%d linetest_last_run_success series before any run, want 0", n)
	}
	h.tickAt(at(t, "2026-11-24 01:00"))
	problems, err := testutil.GatherAndLint(h.reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
	text := exposition(t, h)
	for _, name := range []string{MetricRuns, MetricLastSuccess, MetricLastRunSuccess, MetricRequired, MetricDuration + "_bucket",
		MetricLastHandover, MetricLastHandoverSuccess} {
		if !strings.Contains(text, name+"{") {
			t.Errorf("no %s in the exposition", name)
		}
	}
	if strings.Contains(text, testCaller) {
		t.Error("the caller number is in the metrics")
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not on PATH (Debian's prometheus package)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}

func exposition(t *testing.T, h *harness) string {
	t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
