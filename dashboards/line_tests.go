package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/slawatch/slawatch/catalog"
)

// lineTests is the provider's board of the test calls to every advertised
// number: the latest verdict, how long since a pass, whether tests are
// required now (demand under the threshold in service hours), handover
// tests, runs and their duration.
func lineTests(c *catalog.Catalog) (dashboard.Dashboard, error) {
	bd := newBoard(boardSpec{
		UID:         UIDLineTests,
		Title:       "slawatch — line tests",
		Description: "Test calls to every publicly advertised number: latest result, time since the last pass, required now, handover tests, runs.",
		Tags:        []string{"provider"},
		From:        "24h",
		Refresh:     "1m",
	})
	bd.link("Duty manager", UIDDutyManager)
	numLinks := []dataLink{{Title: "PO board", URL: boardURL(POBoardUID("${__data.fields.po}"))}}

	bd.addRow("Every number")
	bd.add(numberTable("", 24, 14, numLinks))

	bd.addRow("Runs")
	bd.add(panel{Kind: kindStat, Title: "Numbers requiring tests now", Unit: unitCount, W: 6, H: 5,
		Description: "Numbers in service hours whose calls per hour are under their threshold: each needs a passing test every interval.",
		Queries:     []query{{Expr: `sum(max by (po, access_number) (linetest_required))`, Legend: "required"}}, Base: "blue"})
	bd.add(panel{Kind: kindStat, Title: "Failed tests in range", Unit: unitCount, W: 6, H: 5,
		Queries: []query{{Expr: `sum(increase(linetest_runs_total{result="fail"}[$__range]))`, Legend: "failed"}},
		Steps:   []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Test calls that could not be placed", Unit: unitCount, W: 6, H: 5,
		Description: "Runs whose dialer or provider failed (error): not a dead line, but no proof either.",
		Queries:     []query{{Expr: `sum(increase(linetest_runs_total{result="error"}[$__range]))`, Legend: "errors"}},
		Steps:       []step{{1, "orange"}}})
	bd.add(panel{Kind: kindStat, Title: "Test call duration (95th percentile)", Unit: unitSeconds, W: 6, H: 5,
		Description: "Of connected test calls in the range ('no calls' when none connected).",
		Queries:     []query{{Expr: `histogram_quantile(0.95, sum by (le) (increase(linetest_duration_seconds_bucket[$__range])))`, Legend: "p95"}},
		Mappings:    noCalls(), Base: "blue"})
	bd.add(panel{Kind: kindTimeseries, Title: "Runs by trigger and result", Unit: unitCount, W: 24, H: 8, Stack: true,
		Description: "Test calls per interval, by what triggered them (low_demand, handover, manual) and their result.",
		Queries:     []query{{Expr: `sum by (trigger, result) (increase(linetest_runs_total[$__rate_interval]))`, Legend: "{{trigger}} {{result}}"}}})
	return bd.build()
}

// numberTable is one row per advertised number of the scope (po "" for
// every PO): the latest verdict, time since the last pass, required now,
// time since the handover and since a handover test passed, runs in range.
func numberTable(po string, w, h uint32, links []dataLink) panel {
	m := matchers("po", po)
	by := "po, access_number"
	exists := numberExists(m)
	since := func(metric string) string {
		ts := fmt.Sprintf("max by (%s) (%s)", by, sel(metric, m))
		return fmt.Sprintf("(time() - (%s > 0)) or (%s * NaN)", ts, exists)
	}
	var hide []string
	if po != "" {
		hide = []string{"po"}
	}
	return panel{Hide: hide, Kind: kindTable, Title: "Line tests per number", Unit: unitSeconds, W: w, H: h, TimeFrom: "24h",
		Description: "Per advertised number: the latest test's result ('no test yet' before the first), whether LineTestMissing, HandoverTestMissing or LineTestFailed fires for it (a test that should have happened but did not, or failed), seconds since the latest pass and since the latest handover and handover pass ('never'), whether tests are required now, and the runs of the last 24 hours.",
		Queries: []query{
			{Expr: latestVerdict(m), Column: "Last result", Unit: unitState, Mappings: append(passFail(), specialText("nan", "no test yet")...)},
			{Expr: testAlerts(m), Column: "Test missing or failed (alert)", Unit: unitState, Mappings: firing()},
			{Expr: since("linetest_last_success_timestamp_seconds"), Column: "Since last pass", Mappings: specialText("nan", "never")},
			{Expr: fmt.Sprintf("max by (%s) (%s)", by, sel("linetest_required", m)), Column: "Required now", Unit: unitState, Mappings: yesNo("yes", "no")},
			{Expr: since("linetest_last_handover_timestamp_seconds"), Column: "Since handover", Mappings: specialText("nan", "never")},
			{Expr: since("linetest_last_handover_success_timestamp_seconds"), Column: "Since handover test passed", Mappings: specialText("nan", "never")},
			{Expr: fmt.Sprintf("sum by (%s) (increase(%s[$__range]))", by, sel("linetest_runs_total", m, `result="pass"`)), Column: "Passed (24h)", Unit: unitCount},
			{Expr: fmt.Sprintf("sum by (%s) (increase(%s[$__range]))", by, sel("linetest_runs_total", m, `result!="pass"`)), Column: "Failed or error (24h)", Unit: unitCount},
			{Expr: fmt.Sprintf("sum by (%s) (increase(%s[$__range]))", by, sel("telephony_test_calls_received_total", m)), Column: "Test calls seen at the queue (24h)", Unit: unitCount},
		},
		Links: links}
}

// numberExists is one row per number the prober knows (from its
// pre-initialised run counters) with value 1 or more; m are the scope's
// matchers. Labels: po, access_number.
func numberExists(m string) string {
	return fmt.Sprintf("sum by (po, access_number) (%s)", sel("linetest_runs_total", m))
}

// latestVerdict is the latest test's result per number (1 pass, 0 fail),
// NaN for a number without a verdict yet, so it is a row saying so.
func latestVerdict(m string) string {
	return fmt.Sprintf("(min by (po, access_number) (%s)) or (%s * NaN)", sel("linetest_last_run_success", m), numberExists(m))
}

// testAlerts is 1 per number while a line-test alert fires for it (a test
// that should have happened but did not, a handover test missing, or a
// failed test), else 0.
func testAlerts(m string) string {
	return fmt.Sprintf("(max by (po, access_number) (%s)) or (%s * 0)",
		sel("ALERTS", m, `alertname=~"LineTestMissing|HandoverTestMissing|LineTestFailed"`, `alertstate="firing"`), numberExists(m))
}

// lineTestStatus is the duty manager's line-test table: per number, the
// latest verdict and whether a line-test alert fires for it.
func lineTestStatus(w, h uint32, links []dataLink) panel {
	return panel{Kind: kindTable, Title: "Line tests per number", Unit: unitState, W: w, H: h,
		Description: "Per advertised number: the latest test call's result ('no test yet' before the first; a failed test pages at once) and whether LineTestMissing, HandoverTestMissing or LineTestFailed fires for it (a test that should have happened but did not is a failure too).",
		Queries: []query{
			{Expr: latestVerdict(""), Column: "Last result", Mappings: append(passFail(), specialText("nan", "no test yet")...)},
			{Expr: testAlerts(""), Column: "Test missing or failed (alert)", Mappings: firing()},
		},
		Links: links, SortBy: "Last result"}
}
