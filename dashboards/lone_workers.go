package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/slawatch/slawatch/catalog"
)

// Session states of loneworker_sessions (exporters/loneworker).
var loneWorkerStates = []string{"active", "overdue", "escalated", "acknowledged"}

// loneWorkers is the provider's board of lone-worker sessions per PO and
// staff group (never per officer), and of the service that runs the
// timers: the timers and the escalation run in the application, this
// board and the backstop alerts watch it.
func loneWorkers(c *catalog.Catalog) (dashboard.Dashboard, error) {
	bd := newBoard(boardSpec{
		UID:         UIDLoneWorkers,
		Title:       "slawatch — lone workers",
		Description: "Lone-worker sessions by PO and staff group: on site, overdue, escalated, acknowledged; check-ins and escalations; the timers' health.",
		Tags:        []string{"provider"},
		From:        "24h",
		Refresh:     "30s",
	})
	bd.link("Duty manager", UIDDutyManager)

	bd.addRow("Now")
	for _, st := range loneWorkerStates {
		p := panel{Kind: kindStat, Title: "Sessions " + st, Unit: unitCount, W: 4, H: 5,
			Queries: []query{{Expr: fmt.Sprintf(`sum(max by (po, staff_group) (loneworker_sessions{state=%q}))`, st), Legend: st}}}
		if st == "active" {
			p.Base = "blue"
		} else {
			p.Steps = []step{{1, "red"}}
		}
		bd.add(p)
	}
	bd.add(panel{Kind: kindStat, Title: "Oldest overdue", Unit: unitSeconds, W: 4, H: 5,
		Description: "Seconds past its deadline of the oldest open session (0 when none is overdue).",
		Queries:     []query{{Expr: `max(loneworker_oldest_overdue_seconds)`, Legend: "oldest"}},
		Steps:       []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Timers: last tick", Unit: unitSeconds, W: 4, H: 5,
		Description: "Seconds since the lone-worker timers last completed a tick (about every second when healthy).",
		Queries:     []query{{Expr: `time() - max(loneworker_last_tick_timestamp_seconds)`, Legend: "since last tick"}},
		Steps:       []step{{30, "orange"}, {60, "red"}}})
	bd.add(loneWorkerTable("", 24, 10))

	bd.addRow("Activity")
	bd.add(panel{Kind: kindTimeseries, Title: "Open sessions by state", Unit: unitCount, W: 12, H: 8, Stack: true,
		Queries: []query{{Expr: `sum by (state) (max by (po, staff_group, state) (loneworker_sessions))`, Legend: "{{state}}"}}})
	bd.add(panel{Kind: kindTimeseries, Title: "Escalations by level", Unit: unitCount, W: 12, H: 8,
		Description: "Reminders, alarms raised and alarms acknowledged per interval.",
		Queries:     []query{{Expr: `sum by (level) (increase(loneworker_escalations_total[$__rate_interval]))`, Legend: "{{level}}"}}})
	bd.add(panel{Kind: kindStat, Title: "Reminders not sent", Unit: unitCount, W: 8, H: 5,
		Description: "Reminders before the deadline that failed or could not be sent, in the range.",
		Queries:     []query{{Expr: orZero(`sum(increase(loneworker_reminders_sent_total{outcome!="sent"}[$__range]))`), Legend: "not sent"}},
		Steps:       []step{{1, "orange"}}})
	bd.add(panel{Kind: kindStat, Title: "Tick errors", Unit: unitCount, W: 8, H: 5,
		Description: "Timer ticks that failed (store or pager errors) in the range; the next tick retries.",
		Queries:     []query{{Expr: `sum(increase(loneworker_tick_errors_total[$__range]))`, Legend: "errors"}},
		Steps:       []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Check-ins in range", Unit: unitCount, W: 8, H: 5,
		Queries: []query{{Expr: `sum(increase(loneworker_checkins_total[$__range]))`, Legend: "check-ins"}}, Base: "blue"})
	return bd.build()
}

// loneWorkerTable is one row per PO and staff group of the scope (po ""
// for every PO): open sessions by state, the oldest overdue, check-ins,
// check-outs and escalations in the range.
func loneWorkerTable(po string, w, h uint32) panel {
	m := matchers("po", po)
	by := "po, staff_group"
	var qs []query
	for _, st := range loneWorkerStates {
		qs = append(qs, query{Expr: fmt.Sprintf("max by (%s) (%s)", by, sel("loneworker_sessions", m, fmt.Sprintf("state=%q", st))), Column: "Sessions " + st})
	}
	qs = append(qs,
		query{Expr: fmt.Sprintf("max by (%s) (%s)", by, sel("loneworker_oldest_overdue_seconds", m)), Column: "Oldest overdue", Unit: unitSeconds},
		query{Expr: fmt.Sprintf("sum by (%s) (increase(%s[$__range]))", by, sel("loneworker_checkins_total", m)), Column: "Check-ins"},
		query{Expr: fmt.Sprintf("sum by (%s) (increase(%s[$__range]))", by, sel("loneworker_checkouts_total", m)), Column: "Check-outs"},
		query{Expr: fmt.Sprintf("sum by (%s) (increase(%s[$__range]))", by, sel("loneworker_escalations_total", m, `level="alarm"`)), Column: "Alarms raised"},
	)
	var hide []string
	if po != "" {
		hide = []string{"po"}
	}
	return panel{Hide: hide, Kind: kindTable, Title: "Sessions per staff group", Unit: unitCount, W: w, H: h,
		Description: "Per PO and staff group (never per officer): open sessions by state now, the oldest overdue, and check-ins, check-outs and alarms in the range.",
		Queries:     qs}
}
