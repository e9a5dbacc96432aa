package verify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/dashboards"
	"github.com/slawatch/slawatch/internal/testprom"
)

// Timings of the live check. The demo's lone worker is overdue 70 s after
// it starts, so data for every panel needs about two minutes.
const (
	scrapeEvery   = 2 * time.Second
	evalEvery     = 5 * time.Second
	longGroupEval = 15 * time.Second // the 5m groups' interval in the test's copies
	upWithin      = 60 * time.Second
	dataWithin    = 150 * time.Second // after every target is up
	pollEvery     = 5 * time.Second
	// demoVolume multiplies the simulator's realistic volume: at 1 a PO
	// has about 9 calls an hour at the evening peak, so some would have
	// none in the wait; at 30, about 11 in 150 s (none: e^-11 per PO).
	// Busy numbers are not line tested, so only the dead line is.
	demoVolume = 30
)

// The "every query returns data": every query of every board under
// dashboards/generated, variables given values that exist, returns data
// from Debian's Prometheus scraping `slawatch demo` (the simulator, with a
// surge, an overdue lone worker, slow referrals, harmful mail and a dead
// line) under the production job names, evaluating the committed rules.
// A board of the test's own (testdata/ok) proves the harness; one with a
// made-up metric (testdata/bogus) must fail.
func TestEveryPanelReturnsData(t *testing.T) {
	if testing.Short() {
		t.Skip("builds slawatch and runs the demo and Prometheus for about two minutes")
	}
	began := time.Now()
	generated, err := LoadBoards(filepath.Join(repoRoot, dashboards.DefaultDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) { // none yet: reported at the end
		t.Fatal(err)
	}
	own, err := LoadBoards("testdata/ok")
	if err != nil {
		t.Fatal(err)
	}
	bogus, err := LoadBoards("testdata/bogus")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildSlawatch(t)
	built := time.Now()
	dir := t.TempDir()
	expAddr, notifyAddr, promAddr := testprom.FreeAddr(t), testprom.FreeAddr(t), testprom.FreeAddr(t)

	// Prometheus starts first, so its first scrapes may see the exporter's
	// counters before the simulator's catch-up calls arrive; but the demo's
	// own engine may scrape first and let them in, and then a rate sees
	// only later calls: the volume is high enough (demoVolume) that every
	// PO has calls within the wait whichever happens.
	n := copyRules(t, filepath.Join(repoRoot, "rules/generated/*.yml"), filepath.Join(dir, "rules"), longGroupEval)
	t.Logf("rules: %d group intervals shortened to %s in the copies", n, model.Duration(longGroupEval))
	// The demo serves the telephony, CRM, mail-room, KPI, pager and
	// lone-worker metrics on its exporter address, and the line-test
	// prober's on the notifier's; each job keeps its own families.
	const common = "|go_.*|process_.*|promhttp_.*"
	jobs := []scrapeJob{
		{name: "prometheus", addr: promAddr},
		{name: "telephony", addr: expAddr, keep: "telephony_.*|slawatch_po_in_service" + common},
		{name: "linetest", addr: notifyAddr, path: "/linetest/metrics"},
		{name: "crm", addr: expAddr, keep: "crm_.*" + common},
		{name: "mailroom", addr: expAddr, keep: "mailroom_.*" + common},
		{name: "notifier", addr: expAddr, keep: "notifier_.*|loneworker_.*|kpi_.*|slawatch_rota_.*" + common},
	}
	prom := testprom.Start(t, testprom.Options{
		Config: promConfig(scrapeEvery, evalEvery, filepath.Join(dir, "rules", "*.yml"), jobs), Addr: promAddr})
	demo := testprom.StartProcess(t, "slawatch demo", bin, "demo", "--catalog", filepath.Join(repoRoot, "examples/london-ooh.yaml"),
		"--store", "sqlite:"+filepath.Join(dir, "events.db"), "--data", filepath.Join(dir, "demo"),
		"--listen", expAddr, "--notify-listen", notifyAddr, "--api", "127.0.0.1:0", "--refresh", "1h",
		"--scenario", "surge:rbkc", "--scenario", "overdue:haringey", "--scenario", "slowreferrals:rbkc",
		"--scenario", "harmful:benefits", "--scenario", "deadline:tower_hamlets:+442079460007", "--escalation-speedup", "60",
		"--catch-up", "30m", "--volume", fmt.Sprint(demoVolume))

	client, err := api.NewClient(api.Config{Address: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	papi := v1.NewAPI(client)
	ctx := context.Background()
	alive := func() {
		t.Helper()
		for _, p := range []*testprom.Process{prom.Process, demo} {
			if done, err := p.Exited(); done {
				t.Fatalf("%s exited (%v)", p.Name(), err)
			}
		}
	}
	var names []string
	for _, j := range jobs {
		names = append(names, j.name)
	}
	for deadline := time.Now().Add(upWithin); ; time.Sleep(time.Second) {
		alive()
		v, _, _, err := papi.Query(ctx, "up == 1", time.Now())
		var up []string
		if vec, ok := v.(model.Vector); ok && err == nil {
			for _, s := range vec {
				up = append(up, string(s.Metric["job"]))
			}
		}
		if len(up) == len(jobs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("targets up after %s: %v (err %v); want all of %v", upWithin, up, err, names)
		}
	}

	boards := append(slices.Clone(own), generated...)
	queries := 0
	for _, b := range boards {
		queries += len(b.Queries)
	}
	c := NewChecker(FromAPI(papi), Options{Prefer: map[string][]string{"po": {"rbkc"}}, RangeWindow: 5 * time.Minute})
	fs := c.Until(ctx, boards, time.Now().Add(dataWithin), pollEvery)
	alive()
	t.Logf("%d queries of %d boards (%d generated) checked; build %s, run %s", queries, len(boards), len(generated),
		built.Sub(began).Round(time.Second), time.Since(built).Round(time.Second))
	for _, b := range boards {
		if len(b.Variables) > 0 {
			vars, _ := c.Variables(ctx, b)
			t.Logf("%s variables: %v", b.UID, vars)
		}
	}
	hard, noValues := Split(fs)
	if len(hard) > 0 {
		t.Errorf("%d of %d queries returned no data or an error within %s (board, panel, reason, query as run):\n%s",
			len(hard), queries, dataWithin, Report(hard))
	}
	// Rows without values (a board's "or x * NaN" for what is not measured
	// yet) are what Grafana shows before anything happened; the demo makes
	// everything happen (handover tests at start, quiet and dead lines,
	// calls at every PO), so a query with NaN values only is a fault too.
	if len(noValues) > 0 {
		t.Errorf("%d queries have series but only NaN values within %s:\n%s", len(noValues), dataWithin, Report(noValues))
	}
	if len(generated) == 0 {
		t.Errorf("no boards under %s: generate them (`slawatch generate dashboards`)", dashboards.DefaultDir)
	}
	if bad := ruleErrors(ctx, papi); bad != "" {
		t.Errorf("rules failing on Prometheus:\n%s", bad)
	}

	// The check can fail: a made-up metric, a label value nobody has, a
	// syntax error and an unknown variable are each reported, with why.
	got := NewChecker(FromAPI(papi), Options{}).Board(ctx, bogus[0])
	want := map[int]string{
		2: "no series named slawatch_no_such_metric_total at all",
		3: `none with po="no_such_po"`,
		4: "bad_data",
		5: "unknown variable(s) nope",
	}
	for _, f := range got {
		w, ok := want[f.PanelID]
		if !ok || !strings.Contains(f.Reason, w) {
			t.Errorf("bogus board: unexpected failure %s (want reason containing %q)", f, w)
		}
		delete(want, f.PanelID)
	}
	for id, w := range want {
		t.Errorf("bogus board: panel %d not reported (want a failure containing %q); got:\n%s", id, w, Report(got))
	}
	t.Logf("total %s", time.Since(began).Round(time.Second))
}

// ruleErrors lists the rules whose last evaluation failed.
func ruleErrors(ctx context.Context, papi v1.API) string {
	rs, err := papi.Rules(ctx, nil)
	if err != nil {
		return "rules API: " + err.Error()
	}
	var b strings.Builder
	for _, g := range rs.Groups {
		for _, r := range g.Rules {
			switch r := r.(type) {
			case v1.RecordingRule:
				if r.Health == v1.RuleHealthBad {
					fmt.Fprintf(&b, "%s %s: %s\n", g.Name, r.Name, r.LastError)
				}
			case v1.AlertingRule:
				if r.Health == v1.RuleHealthBad {
					fmt.Fprintf(&b, "%s %s: %s\n", g.Name, r.Name, r.LastError)
				}
			}
		}
	}
	return b.String()
}
