package telephony

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestPromtoolCheckMetrics lints the /metrics text of the reference
// catalogue (every series initialised, some calls ingested) with promtool.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool is not on PATH: install Debian's prometheus package, or run make test")
	}
	cat := referenceCatalog(t)
	e, reg := newExporter(t, cat, openStore(t, t.TempDir()), nil)
	res, err := e.Ingest(context.Background(), DefaultSource, []Record{{
		CallID: "p1", AccessNumber: "+442079460001", ServiceOption: "noise_patrol",
		QueuedAt: mustTime(t, "2026-01-31T23:00:00Z"), AnsweredAt: mustTime(t, "2026-01-31T23:00:19Z"),
		EndedAt: mustTime(t, "2026-01-31T23:03:00Z"), Outcome: "answered", Kind: "public",
	}})
	if err != nil || res.Accepted != 1 {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	text := exposition(t, reg)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out.String())
	}
	if n := strings.Count(text, "telephony_calls_offered_total{"); n < 200 {
		t.Errorf("only %d offered series for the reference catalogue", n)
	}
}
