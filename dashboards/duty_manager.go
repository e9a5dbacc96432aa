package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/slawatch/slawatch/catalog"
)

// dutyManager is the provider's live board: every PO at a glance, for the
// duty managers who watch it all night. Per-PO figures are the worst
// service option's (never an average); the table below has every option,
// worst first, with links to the PO's board and the option's board.
func dutyManager(c *catalog.Catalog) (dashboard.Dashboard, error) {
	bd := newBoard(boardSpec{
		UID:         UIDDutyManager,
		Title:       "slawatch — duty manager",
		Description: "Every PO at a glance: queue, service level against target, abandons, late-call budget, line tests, lone workers, alerts.",
		Tags:        []string{"provider"},
		From:        "6h",
		Refresh:     "30s",
	})
	all := scope{}
	bd.link("Service option", UIDServiceOption)
	bd.link("Line tests", UIDLineTests)
	bd.link("Lone workers", UIDLoneWorkers)
	bd.link("Platform health", UIDPlatform)

	poLinks := []dataLink{{Title: "PO board", URL: boardURL(POBoardUID("${__field.labels.po}"))}}

	bd.addRow("Now")
	bd.add(panel{Kind: kindStat, Title: "Alerts firing", Unit: unitCount, W: 4, H: 5,
		Description: "Alerts firing now (the always-firing Watchdog left out).",
		Queries:     []query{{Expr: orZero(`count(ALERTS{alertstate="firing",alertname!="Watchdog"})`), Legend: "firing"}},
		Steps:       []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Calls waiting", Unit: unitCount, W: 10, H: 5,
		Description: "Calls in the queue now, per PO.",
		Queries:     []query{{Expr: `sum by (po) (telephony_calls_waiting)`, Legend: "{{po}}"}},
		Steps:       []step{{1, "yellow"}, {5, "red"}}, Links: poLinks})
	bd.add(panel{Kind: kindStat, Title: "Oldest wait", Unit: unitSeconds, W: 10, H: 5,
		Description: "Wait so far of the oldest call in the queue, per PO.",
		Queries:     []query{{Expr: `max by (po) (telephony_oldest_wait_seconds)`, Legend: "{{po}}"}},
		Steps:       []step{{20, "yellow"}, {60, "red"}}, Links: poLinks})

	bd.addRow("Service level per PO (its worst service option)")
	marginSteps := []step{{-0.05, "orange"}, {0, "green"}}
	bd.add(panel{Kind: kindBarGauge, Title: "Answered within target, last hour: worst option vs its target", Unit: unitRatio, W: 12, H: 9,
		Description: "For each PO, the lowest (answered within target ÷ denominator − target) over its service options in the last hour. Below 0: an option is under its standard's target. 'no calls': no option had a call.",
		Queries:     []query{{Expr: `min by (po) (` + all.vsTarget(all.slaRatio("1h")) + `)`, Legend: "{{po}}"}},
		Base:        "red", Steps: marginSteps, Min: f(-0.5), Max: f(0.2), Mappings: noCalls(), Links: poLinks})
	bd.add(panel{Kind: kindBarGauge, Title: "Answered within target, today: worst option vs its target", Unit: unitRatio, W: 12, H: 9, TimeFrom: "now/d",
		Description: "As the last-hour figure, over today so far (from midnight).",
		Queries:     []query{{Expr: `min by (po) (` + all.vsTarget(all.slaToday()) + `)`, Legend: "{{po}}"}},
		Base:        "red", Steps: marginSteps, Min: f(-0.5), Max: f(0.2), Mappings: noCalls(), Links: poLinks})
	bd.add(panel{Kind: kindBarGauge, Title: "Abandon rate, last hour: worst option vs cap", Unit: unitRatio, W: 8, H: 9,
		Description: "For each PO, the highest (abandoned ÷ offered − the standard's abandon cap) over its capped service options in the last hour. Above 0: an option abandons more than its cap allows. Options whose standard has no cap (bronze) are left out. 'no calls': no capped option had a call.",
		Queries:     []query{{Expr: `max by (po) (` + all.vsAbandonCap(all.abandonRatio("1h")) + `)`, Legend: "{{po}}"}},
		Steps:       []step{{0, "red"}}, Min: f(-0.1), Max: f(0.2), Mappings: noCalls(), Links: poLinks})
	bd.add(panel{Kind: kindBarGauge, Title: "Late-call budget left (30 days): least of its options", Unit: unitCount, W: 8, H: 9,
		Description: "How many more calls may miss the target before an option's 30-day figure drops below it; negative: calls over.",
		Queries:     []query{{Expr: `min by (po) (` + all.budget() + `)`, Legend: "{{po}}"}},
		Base:        "red", Steps: []step{{0, "orange"}, {5, "green"}}, Links: poLinks})
	bd.add(panel{Kind: kindBarGauge, Title: "Calls offered, last hour", Unit: unitCount, W: 8, H: 9,
		Description: "Calls that reached the queue in the last hour, per PO.",
		Queries:     []query{{Expr: `sum by (po) (` + sel(rec(lvOption, "telephony_calls_offered", "increase1h"), "") + `)`, Legend: "{{po}}"}},
		Base:        "blue", Links: poLinks})

	bd.addRow("Every service option, worst first")
	optLinks := []dataLink{
		{Title: "Service option board", URL: boardURL(UIDServiceOption, "po", "${__data.fields.po}", "service_option", "${__data.fields.service_option}")},
		{Title: "PO board", URL: boardURL(POBoardUID("${__data.fields.po}"))},
	}
	bd.add(optionTable(all, 24, 14, optLinks))

	bd.addRow("Line tests")
	bd.add(lineTestStatus(24, 9, []dataLink{
		{Title: "Line tests", URL: boardURL(UIDLineTests)},
		{Title: "PO board", URL: boardURL(POBoardUID("${__data.fields.po}"))},
	}))

	bd.addRow("Lone workers")
	bd.add(panel{Kind: kindStat, Title: "Lone workers on site", Unit: unitCount, W: 12, H: 5,
		Description: "Open lone-worker sessions per PO (any state; the max across notifiers sharing a store, never their sum).",
		Queries:     []query{{Expr: `sum by (po) (max by (po, staff_group, state) (loneworker_sessions))`, Legend: "{{po}}"}},
		Base:        "blue", Links: []dataLink{{Title: "Lone workers", URL: boardURL(UIDLoneWorkers)}}})
	bd.add(panel{Kind: kindStat, Title: "Lone workers overdue", Unit: unitCount, W: 12, H: 5,
		Description: "Sessions past their deadline (overdue, escalated, or acknowledged and not checked out), per PO.",
		Queries:     []query{{Expr: `sum by (po) (max by (po, staff_group, state) (loneworker_sessions{state!="active"}))`, Legend: "{{po}}"}},
		Steps:       []step{{1, "red"}}, Links: []dataLink{{Title: "Lone workers", URL: boardURL(UIDLoneWorkers)}}})

	bd.addRow("Alerts")
	bd.add(panel{Kind: kindTable, Title: "Alerts firing", Unit: unitCount, W: 24, H: 8,
		Description: "Every alert firing now, with its PO and service option where it has them (Watchdog always fires: the alerting path is alive).",
		Queries:     []query{{Expr: `sum by (alertname, severity, po, service_option, access_number) (ALERTS{alertstate="firing"})`, Column: "Firing"}}})
	return bd.build()
}

// optionTable is one row per service option of the scope: queue, service
// level (last hour, today) against target, abandons, the 30-day budget.
func optionTable(s scope, w, h uint32, links []dataLink) panel {
	return panel{Kind: kindTable, Title: "Service options", Unit: unitRatio, W: w, H: h, TimeFrom: "now/d",
		Description: "Per service option, worst first (last hour's figure minus its target): answered within target ÷ denominator in the last hour and today so far, the standard's target, abandoned ÷ offered, the 30-day late-call budget and the live queue. Rows without calls show 'no calls'.",
		Queries: []query{
			{Expr: s.vsTarget(s.slaRatio("1h")), Column: "1h vs target"},
			{Expr: s.orNoCalls(s.slaRatio("1h")), Column: "Within target 1h"},
			{Expr: s.orNoCalls(s.slaToday()), Column: "Within target today"},
			{Expr: `sum by (po, service_option) (` + s.target() + `)`, Column: "Target"},
			{Expr: s.orNoCalls(s.abandonRatio("1h")), Column: "Abandoned 1h"},
			{Expr: `sum by (po, service_option) (` + s.budget() + `)`, Column: "Late-call budget 30d", Unit: unitCount},
			{Expr: `sum by (po, service_option) (` + sel("telephony_calls_waiting", s.m()) + `)`, Column: "Waiting", Unit: unitCount},
			{Expr: `max by (po, service_option) (` + sel("telephony_oldest_wait_seconds", s.m()) + `)`, Column: "Oldest wait", Unit: unitSeconds},
		},
		Mappings: noCalls(), Links: links, SortBy: "1h vs target"}
}
