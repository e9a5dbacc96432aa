package board

import (
	"context"
	"strings"
	"testing"
	"time"
)

type fakeSource struct {
	results map[string][]Sample
	alerts  []Alert
}

func (f fakeSource) Query(_ context.Context, expr string) ([]Sample, error) {
	return f.results[expr], nil
}
func (f fakeSource) Alerts() []Alert { return f.alerts }

func lbl(po, so string) map[string]string { return map[string]string{"po": po, "service_option": so} }

func TestBoardShowsActiveRowsAlertsFirst(t *testing.T) {
	src := fakeSource{
		results: map[string][]Sample{
			qWaiting: {{lbl("rbkc", "noise_patrol"), 7}, {lbl("ealing", "parking"), 0}},
			qOldest:  {{lbl("rbkc", "noise_patrol"), 95}},
			qOffered: {{lbl("rbkc", "noise_patrol"), 40}, {lbl("ealing", "parking"), 3}, {lbl("barnet", "trees"), 0}},
			qWithin:  {{lbl("rbkc", "noise_patrol"), 0.425}, {lbl("ealing", "parking"), 1}},
			qAband:   {{lbl("rbkc", "noise_patrol"), 0.3}},
		},
		alerts: []Alert{{Name: "SLABreached", Labels: lbl("rbkc", "noise_patrol"), State: "firing"}},
	}
	snap, err := Take(context.Background(), src, time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	snap.Render(&b, 0)
	out := b.String()
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[0], "calls waiting 7") || !strings.Contains(lines[0], "alerts firing 1") {
		t.Errorf("header: %q", lines[0])
	}
	if !strings.HasPrefix(lines[3], "rbkc") || !strings.Contains(lines[3], "42.5%") || !strings.Contains(lines[3], "SLABreached (firing)") || !strings.Contains(lines[3], "95s") {
		t.Errorf("alerting row first with its figures, got:\n%s", out)
	}
	if !strings.HasPrefix(lines[4], "ealing") || !strings.Contains(lines[4], "100.0%") {
		t.Errorf("ealing row second, got:\n%s", out)
	}
	if strings.Contains(out, "barnet") {
		t.Errorf("a row with no traffic is shown:\n%s", out)
	}
	b.Reset()
	snap.Render(&b, 1)
	if !strings.Contains(b.String(), "... and 1 more rows") {
		t.Errorf("row limit not reported:\n%s", b.String())
	}
}
