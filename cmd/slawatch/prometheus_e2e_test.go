package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/internal/testprom"
)

// The committed rules evaluate on the real Prometheus (Debian's package,
// older than the Go library) scraping the real exporter binary.
func TestRealPrometheusEvaluatesGeneratedRules(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	serve, base := startServe(t, bin, "sqlite:"+filepath.Join(dir, "events.db"))
	defer func() { serve.Process.Signal(os.Interrupt); serve.Wait() }()

	rulesGlob, _ := filepath.Abs("../../rules/generated/*.yml")
	prom := testprom.Start(t, testprom.Options{Config: fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [%q]
scrape_configs:
  - job_name: telephony
    static_configs: [{targets: [%q]}]
`, rulesGlob, strings.TrimPrefix(base, "http://"))})
	client, _ := api.NewClient(api.Config{Address: prom.URL})
	papi := v1.NewAPI(client)

	query := func(q string) model.Vector {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		v, _, _, err := papi.Query(ctx, q, time.Now())
		if err != nil {
			return nil
		}
		vec, _ := v.(model.Vector)
		return vec
	}
	waitFor := func(what, q string, ok func(model.Vector) bool) model.Vector {
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			if v := query(q); ok(v) {
				return v
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Fatalf("%s: %s never held; last %v", what, q, query(q))
		return nil
	}
	waitFor("scrape", `up{job="telephony"}`, func(v model.Vector) bool { return len(v) == 1 && v[0].Value == 1 })
	// Let a sample of the zero-initialised series land before the calls.
	time.Sleep(2 * time.Second)

	// 17 answered within 20 s and 3 later (85%), for rbkc noise_patrol (gold), by
	// HTTP: clear of the 80% breach line and of SLAAtRisk's 90% line, because
	// a ratio of extrapolated rates is a float (8/10 can read 0.7999999999999999).
	now := time.Now().UTC().Add(-10 * time.Minute)
	var calls []map[string]any
	for i, wait := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 30, 45} {
		q := now.Add(time.Duration(i) * time.Minute)
		calls = append(calls, map[string]any{"call_id": fmt.Sprintf("prom-%d", i), "access_number": "+442079460014",
			"service_option": "noise_patrol", "queued_at": q.Format(time.RFC3339),
			"answered_at": q.Add(time.Duration(wait) * time.Second).Format(time.RFC3339),
			"ended_at":    q.Add(2 * time.Minute).Format(time.RFC3339), "outcome": "answered"})
	}
	body, _ := json.Marshal(calls)
	if r, status, err := postCalls(&http.Client{Timeout: 10 * time.Second}, base, body); err != nil || r.Accepted != 20 {
		t.Fatalf("post: %d %+v %v", status, r, err)
	}

	// Both rates extrapolate over the same samples, so the ratio is exact.
	v := waitFor("ratio", `po_service_option:sla_answered_within_target:ratio_rate5m{po="rbkc",service_option="noise_patrol"}`,
		func(v model.Vector) bool { return len(v) == 1 && !math.IsNaN(float64(v[0].Value)) })
	if got := float64(v[0].Value); math.Abs(got-0.85) > 1e-9 {
		t.Errorf("ratio_rate5m = %v, want 0.85 (17 of 20 within 20 s)", got)
	}
	v = waitFor("per number", `po_access_number:sla_answered_within_target:ratio_rate5m{po="rbkc",access_number="+442079460014"}`,
		func(v model.Vector) bool { return len(v) == 1 && !math.IsNaN(float64(v[0].Value)) })
	if got := float64(v[0].Value); math.Abs(got-0.85) > 1e-9 {
		t.Errorf("per access number ratio = %v, want 0.85", got)
	}
	// 85% is no breach, but it is under the 90% line of SLAAtRisk (burn rate
	// 0.5), and 20 calls meet the volume guard.
	waitFor("at risk", `ALERTS{alertname="SLAAtRisk",po="rbkc",service_option="noise_patrol",reason="burn_rate"}`,
		func(v model.Vector) bool { return len(v) == 1 })
	if a := query(`ALERTS{alertname="SLABreached"}`); len(a) != 0 {
		t.Errorf("SLABreached at 85%% (target 80%%): %v", a)
	}
}
