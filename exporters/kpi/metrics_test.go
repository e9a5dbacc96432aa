package kpi

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/slawatch/slawatch/store"
)

// TestMetricsExposition: the latest return of each recent period, the
// newest period's as kpi_return_latest_value, and a return written by
// another process (the CLI) seen at the next scrape.
func TestMetricsExposition(t *testing.T) {
	r := newRig(t)
	r.ret(t, "care_visits_missed", "2026-08", 8, 400)
	r.ret(t, "care_visits_missed", "2026-09", 6, 400)
	r.ret(t, "care_visits_missed", "2026-09", 12, 400) // supersedes
	r.ret(t, "care_visits_missed", "2026-05", 1, 100)  // older than the 4 recent months: not exported
	r.ret(t, "invoices_undisputed", "2025", 97, 100)
	want := `
# HELP kpi_return_latest_value Latest manual return of the newest recent period of a KPI that has one (percent): the input of kpi:outturn:ratio.
# TYPE kpi_return_latest_value gauge
kpi_return_latest_value{kpi="care_visits_missed"} 3
kpi_return_latest_value{kpi="invoices_undisputed"} 97
# HELP kpi_return_value Latest manual return of a KPI for a period, numerator / denominator x 100 (percent); the current and recent periods.
# TYPE kpi_return_value gauge
kpi_return_value{kpi="care_visits_missed",period="2026-08"} 2
kpi_return_value{kpi="care_visits_missed",period="2026-09"} 3
kpi_return_value{kpi="invoices_undisputed",period="2025"} 97
`
	if err := testutil.GatherAndCompare(r.reg, strings.NewReader(want), "kpi_return_value", "kpi_return_latest_value"); err != nil {
		t.Error(err)
	}

	// Another process enters October's return and a mitigation.
	other := r.openStore(t)
	if _, err := other.AddKPIReturn(context.Background(), store.KPIReturn{KPI: "care_visits_missed", Period: "2026-10",
		Numerator: 1, Denominator: 50, EnteredBy: "ooh-dm-2", Via: "cli", Entered: rigNow}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddKPIMitigation(context.Background(), store.KPIMitigation{KPI: "calls_abandoned", Period: "2026-09",
		Reason: "r", AgreedBy: "b", EnteredBy: "ooh-dm-2", Via: "cli", Entered: rigNow}); err != nil {
		t.Fatal(err)
	}
	got := gather(t, r)
	for series, v := range map[string]float64{
		`kpi_return_latest_value{kpi="care_visits_missed"}`:           2,
		`kpi_return_value{kpi="care_visits_missed",period="2026-10"}`: 2,
		`kpi_mitigated{kpi="calls_abandoned",period="2026-09"}`:       1,
		`kpi_mitigated{kpi="calls_abandoned",period="2026-10"}`:       0,
		`kpi_mitigated{kpi="caller_satisfaction",period="2025-H1"}`:   0,
		`kpi_store_read_errors_total`:                                 0,
	} {
		if g, ok := got[series]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", series, g, ok, v)
		}
	}
	if _, ok := got[`kpi_mitigated{kpi="out_of_scope_calls",period="2026-10"}`]; ok {
		t.Error("information-only KPI exported kpi_mitigated")
	}
	if n := countPrefix(got, "kpi_mitigated{"); n != 8*4 {
		t.Errorf("%d kpi_mitigated series; want 8 KPIs with thresholds x 4 recent periods", n)
	}

	// The store gone: the scrape still answers, the series are left out
	// and the error is counted.
	r.st.Close()
	got = gather(t, r)
	if got["kpi_store_read_errors_total"] != 1 || countPrefix(got, "kpi_return") != 0 {
		t.Errorf("after the store closed: %v", got)
	}
}

func gather(t *testing.T, r *rig) map[string]float64 {
	t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			name := mf.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			out[name] = v
		}
	}
	return out
}

func countPrefix(m map[string]float64, prefix string) int {
	n := 0
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}

// TestPromtoolCheckMetrics lints the exposition with promtool.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus)")
	}
	r := newRig(t)
	r.ret(t, "care_visits_missed", "2026-09", 6, 400)
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(b.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
