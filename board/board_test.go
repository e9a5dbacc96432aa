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

// The line-test line: quiet numbers under test with their verdict,
// failures first; busy numbers only counted.
func TestBoardLineTests(t *testing.T) {
	num := func(po, n string) map[string]string { return map[string]string{"po": po, "access_number": n} }
	src := fakeSource{results: map[string][]Sample{
		qLTRequired: {{num("enfield", "+442079460009"), 1}, {num("enfield", "+442079460010"), 1}, {num("rbkc", "+442079460014"), 0},
			{num("ealing", "+442079460001"), 1}},
		qLTLast: {{num("enfield", "+442079460009"), 0}, {num("enfield", "+442079460010"), 1}, {num("rbkc", "+442079460014"), 1}},
	}}
	snap, err := Take(context.Background(), src, time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	snap.Render(&b, 0)
	want := "line tests: enfield +442079460009 FAILED, ealing +442079460001 testing, enfield +442079460010 ok; 1 busy numbers need none"
	if !strings.Contains(b.String(), want) {
		t.Errorf("board:\n%s\nwant the line %q", b.String(), want)
	}
}

func TestBoardLoneWorkers(t *testing.T) {
	st := func(po, state string) map[string]string { return map[string]string{"po": po, "state": state} }
	src := fakeSource{results: map[string][]Sample{
		qLW: {{st("haringey", "active"), 2}, {st("haringey", "escalated"), 1}, {st("haringey", "acknowledged"), 0},
			{st("enfield", "active"), 1}, {st("rbkc", "active"), 0}},
	}}
	var b strings.Builder
	snap, err := Take(context.Background(), src, time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	snap.Render(&b, 0)
	if want := "lone workers: enfield 1 on site, haringey 3 on site (1 ESCALATED)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("board:\n%s\nwant the line %q", b.String(), want)
	}
	b.Reset()
	snap, _ = Take(context.Background(), fakeSource{}, time.Now())
	snap.Render(&b, 0)
	if !strings.Contains(b.String(), "lone workers: nobody on site") {
		t.Errorf("empty board:\n%s", b.String())
	}
}
