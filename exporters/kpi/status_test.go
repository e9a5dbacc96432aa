package kpi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// q3 is 2026-Q3's exact length: 1 July to 1 October, both BST, 92 days.
const q3 = 92 * 24 * time.Hour

func (r *rig) expr(t *testing.T, kpi, part string, rng time.Duration) string {
	t.Helper()
	k, ok := r.cat.KPI(kpi)
	if !ok {
		t.Fatalf("no KPI %s in the example", kpi)
	}
	e := k.Numerator
	if part == "denominator" {
		e = k.Denominator
	}
	return "sum(" + catalog.ExpandRange(e, rng) + ")"
}

func TestStatusQuarter(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	// Care visits (monthly, lower is better, 2 / 5): July, and August
	// corrected; no September return yet.
	r.ret(t, "care_visits_missed", "2026-07", 10, 400)
	r.ret(t, "care_visits_missed", "2026-08", 8, 400)
	r.ret(t, "care_visits_missed", "2026-08", 12, 400)
	if _, err := r.exp.AddMitigation(ctx, Mitigation{KPI: "calls_answered_20s", Period: "2026-08", Reason: "storm surge 14 August",
		AgreedBy: "contract board", By: "ooh-dm-1", Via: "cli"}); err != nil {
		t.Fatal(err)
	}
	q := &fakeQuerier{values: map[string]float64{
		`sum(sum(increase(telephony_calls_offered_total[7948800s])))`: 10000,
		r.expr(t, "calls_answered_20s", "numerator", q3):              7600,
		r.expr(t, "calls_abandoned", "numerator", q3):                 800,
		r.expr(t, "first_contact_resolution", "numerator", q3):        700,
		r.expr(t, "first_contact_resolution", "denominator", q3):      1000,
		r.expr(t, "out_of_scope_calls", "denominator", q3):            1100,
		r.expr(t, "member_enquiries_10_days", "denominator", q3):      50,
	}}
	rows := r.status(t, "2026-Q3", q)
	end := time.Date(2026, 10, 1, 0, 0, 0, 0, london)
	for _, c := range q.calls {
		if !c.at.Equal(end) || !strings.Contains(c.expr, "[7948800s]") {
			t.Errorf("query %s at %s; want [7948800s] at %s", c.expr, c.at, end)
		}
	}
	type want struct {
		period, rag, unavailable, incomplete string
		outturn                              float64
		mitigations                          int
	}
	for id, w := range map[string]want{
		"calls_answered_20s":       {period: "2026-Q3", rag: "amber", outturn: 76, mitigations: 1},
		"calls_abandoned":          {period: "2026-Q3", rag: "amber", outturn: 8},  // exactly the minimum
		"first_contact_resolution": {period: "2026-Q3", rag: "green", outturn: 70}, // exactly the target
		"emails_resolved_10_days":  {period: "2026-Q3", unavailable: "nothing counted in the denominator in the period"},
		"member_enquiries_10_days": {period: "2026-Q3", rag: "red", outturn: 0}, // denominator but no numerator series
		"out_of_scope_calls":       {period: "2026-Q3", outturn: 0},             // information only: no RAG
		"care_visits_missed":       {period: "2026-Q3", rag: "amber", outturn: 2.75, incomplete: "2 of 3 monthly returns"},
		"caller_satisfaction":      {period: "2026-H2", unavailable: "no return entered"},
		"invoices_undisputed":      {period: "2026", unavailable: "no return entered"},
	} {
		row := rows[id]
		got := want{period: row.Period, rag: row.RAG, unavailable: row.Unavailable, incomplete: row.Incomplete, mitigations: len(row.Mitigations)}
		if row.Outturn != nil {
			got.outturn = *row.Outturn
		}
		if got != w {
			t.Errorf("%s: %+v\nwant %+v", id, got, w)
		}
	}
	if rows["caller_satisfaction"].InProgress != true || rows["calls_abandoned"].InProgress {
		t.Error("H2 is in progress on 5 October, Q3 is not")
	}
	care := rows["care_visits_missed"]
	if *care.Numerator != 22 || *care.Denominator != 800 || len(care.Returns) != 2 || care.Returns[1].Numerator != 12 {
		t.Errorf("care visits: %v/%v from %+v; want 10+12 of 400+400 (August's correction, not its first return)", *care.Numerator, *care.Denominator, care.Returns)
	}
	// The mitigation is beside the raw figure: RAG still amber.
	m := rows["calls_answered_20s"].Mitigations[0]
	if m.Period != "2026-08" || m.Reason != "storm surge 14 August" || m.AgreedBy != "contract board" || m.EnteredBy != "ooh-dm-1" {
		t.Errorf("mitigation %+v", m)
	}
}

// TestStatusInProgress: a period not yet ended is evaluated to now, over
// the part that has passed; one not started is an error.
func TestStatusInProgress(t *testing.T) {
	r := newRig(t)
	q := &fakeQuerier{values: map[string]float64{}}
	r.status(t, "2026-10", q)
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, london)
	for _, c := range q.calls {
		if !c.at.Equal(rigNow) || !strings.Contains(c.expr, "[381600s]") { // 4 days 10 hours
			t.Errorf("query %s at %s; want [%ds] at %s", c.expr, c.at, int(rigNow.Sub(start).Seconds()), rigNow)
		}
	}
	if len(q.calls) == 0 {
		t.Error("no queries")
	}
	p, _ := catalog.ParsePeriod("2026-11")
	if _, err := r.exp.Status(context.Background(), p, q); !errors.Is(err, ErrNotStarted) {
		t.Errorf("status of 2026-11 on 5 October: %v, want ErrNotStarted", err)
	}
}

// TestStatusRAGBoundaries goes through every boundary of a manual KPI in
// each direction; each return supersedes the one before.
func TestStatusRAGBoundaries(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct {
		kpi, period string
		num, den    int64
		rag         string
	}{
		// lower is better: target 2, minimum 5
		{"care_visits_missed", "2026-09", 0, 100, "green"},
		{"care_visits_missed", "2026-09", 2, 100, "green"},
		{"care_visits_missed", "2026-09", 201, 10000, "amber"},
		{"care_visits_missed", "2026-09", 1, 20, "amber"},
		{"care_visits_missed", "2026-09", 501, 10000, "red"},
		// higher is better: target 98, minimum 95
		{"invoices_undisputed", "2025", 100, 100, "green"},
		{"invoices_undisputed", "2025", 49, 50, "green"},
		{"invoices_undisputed", "2025", 9799, 10000, "amber"},
		{"invoices_undisputed", "2025", 19, 20, "amber"},
		{"invoices_undisputed", "2025", 9499, 10000, "red"},
	} {
		r.ret(t, tc.kpi, tc.period, tc.num, tc.den)
		row := r.status(t, tc.period, nil)[tc.kpi]
		if row.RAG != tc.rag || *row.Numerator != float64(tc.num) {
			t.Errorf("%s %d/%d: %s (%v/%v), want %s", tc.kpi, tc.num, tc.den, row.RAG, *row.Numerator, *row.Denominator, tc.rag)
		}
	}
}

// TestStatusPrometheusDown: manual KPIs are still computed; PromQL ones
// say why they are not.
func TestStatusPrometheusDown(t *testing.T) {
	r := newRig(t)
	r.ret(t, "care_visits_missed", "2026-09", 3, 100)
	rows := r.status(t, "2026-09", &fakeQuerier{err: errUnreachable})
	if got := rows["calls_answered_20s"].Unavailable; got != "unavailable: "+errUnreachable.Error() || !rows["calls_answered_20s"].PromQL {
		t.Errorf("calls_answered_20s: %q", got)
	}
	if row := rows["care_visits_missed"]; row.RAG != "amber" || *row.Outturn != 3 {
		t.Errorf("care_visits_missed: %+v", row)
	}
	if got := r.status(t, "2026-09", nil)["calls_abandoned"].Unavailable; got != "unavailable: no Prometheus to query" {
		t.Errorf("no querier: %q", got)
	}
}

func TestAddReturnInvalid(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for _, tc := range []struct {
		in   Return
		want string
	}{
		{Return{KPI: "nope", Period: "2026-09", Numerator: 1, Denominator: 2, By: "x", Via: "cli"}, `unknown KPI "nope"; valid: calls_answered_20s, `},
		{Return{KPI: "calls_answered_20s", Period: "2026-09", Numerator: 1, Denominator: 2, By: "x", Via: "cli"}, "KPI calls_answered_20s is measured from Prometheus (source: promql); returns are entered for manual KPIs only"},
		{Return{KPI: "care_visits_missed", Period: "2026-Q3", Numerator: 1, Denominator: 2, By: "x", Via: "cli"}, "period 2026-Q3 is a quarter, but KPI care_visits_missed is reported monthly: use a period such as 2026-07"},
		{Return{KPI: "care_visits_missed", Period: "2026-11", Numerator: 1, Denominator: 2, By: "x", Via: "cli"}, "period 2026-11 has not started (it starts 2026-11-01); enter a return for a period that has"},
		{Return{KPI: "care_visits_missed", Period: "2026-09", Numerator: 3, Denominator: 2, By: "x", Via: "cli"}, "KPI return (care_visits_missed 2026-09): Numerator is 3; want a count from 0 to the denominator 2 (x of the y counted)"},
		{Return{KPI: "care_visits_missed", Period: "2026-09", Numerator: 0, Denominator: 0, By: "x", Via: "cli"}, "Denominator is 0; want a count above 0"},
		{Return{KPI: "care_visits_missed", Period: "2026-09", Numerator: 0, Denominator: 1, Via: "cli"}, "EnteredBy is empty"},
	} {
		_, err := r.exp.AddReturn(ctx, tc.in)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v\nwant ErrInvalid with %q", tc.in, err, tc.want)
		}
	}
	_, err := r.exp.AddMitigation(ctx, Mitigation{KPI: "out_of_scope_calls", Period: "2026-09", Reason: "r", AgreedBy: "b", By: "x", Via: "cli"})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "information only") {
		t.Errorf("mitigating an information-only KPI: %v", err)
	}
	if rets, _ := r.st.KPIReturns(ctx, storeAll); len(rets) != 0 {
		t.Errorf("invalid returns stored: %+v", rets)
	}
}
