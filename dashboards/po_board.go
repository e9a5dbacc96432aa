package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/slawatch/slawatch/catalog"
)

// poBoard is one PO's board for its client officers, provisioned into the
// PO's own Grafana organisation. Every selector of every query carries the
// PO literally (po="<id>") and the board has no variable, so nothing on it
// can name another PO; the tenancy proxy forces the same label anyway. It
// has no links: the PO's organisation holds this board only.
func poBoard(c *catalog.Catalog, p *catalog.PO) (dashboard.Dashboard, error) {
	bd := newBoard(boardSpec{
		UID:         POBoardUID(p.ID),
		Title:       fmt.Sprintf("%s — out-of-hours service levels", p.Name),
		Description: fmt.Sprintf("Calls, service levels per service option and standard, abandons, numbers, line tests%s and CRM referrals and complaints of %s (po %q) only. Live figures from Prometheus; contract reports come from the event store.", loneWorkerNote(p), p.Name, p.ID),
		Tags:        []string{"po", p.ID},
		From:        "7d",
		Refresh:     "5m",
	})
	s := scope{PO: p.ID}
	m := s.m()

	bd.addRow("Now")
	bd.add(panel{Kind: kindStat, Title: "Alerts firing", Unit: unitCount, W: 4, H: 5,
		Queries: []query{{Expr: orZero(fmt.Sprintf(`count(ALERTS{%s,alertstate="firing"})`, m)), Legend: "firing"}},
		Steps:   []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Calls waiting", Unit: unitCount, W: 4, H: 5,
		Queries: []query{{Expr: "sum(" + sel("telephony_calls_waiting", m) + ")", Legend: "waiting"}},
		Steps:   []step{{1, "yellow"}, {5, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Oldest wait", Unit: unitSeconds, W: 4, H: 5,
		Queries: []query{{Expr: "max(" + sel("telephony_oldest_wait_seconds", m) + ")", Legend: "oldest"}},
		Steps:   []step{{20, "yellow"}, {60, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Calls offered today", Unit: unitCount, W: 4, H: 5, TimeFrom: "now/d",
		Queries: []query{{Expr: orZero("sum(" + s.counts(lvOption, "telephony_calls_offered", "today") + ")"), Legend: "offered"}}, Base: "blue"})
	bd.add(panel{Kind: kindStat, Title: "Service options under target today", Unit: unitCount, W: 4, H: 5, TimeFrom: "now/d",
		Description: "Service options whose answered within target ÷ denominator today is below their standard's target (options without calls today are not counted).",
		Queries:     []query{{Expr: orZero("count(" + s.vsTarget(s.slaToday()) + " < 0)"), Legend: "under target"}},
		Steps:       []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Service options under target, 30 days", Unit: unitCount, W: 4, H: 5,
		Queries: []query{{Expr: orZero("count(" + s.vsTarget(s.slaRatio("30d")) + " < 0)"), Legend: "under target"}},
		Steps:   []step{{1, "red"}}})

	bd.addRow("Service options")
	bd.add(panel{Kind: kindTable, Title: "Answered within target per service option", Unit: unitRatio, W: 24, H: 12, TimeFrom: "now/d",
		Description: "Per service option (never averaged): the standard in force and its target, answered within target ÷ denominator today so far, over 7 and 30 days, abandoned ÷ offered, and the 30-day late-call budget (how many more calls may miss the target; negative: calls over). 'no calls': none in the window.",
		Queries: []query{
			{Expr: "sum by (po, service_option, standard) (" + s.target() + ")", Column: "Target"},
			{Expr: s.orNoCalls(s.slaToday()), Column: "Today"},
			{Expr: s.orNoCalls(s.slaRatio("7d")), Column: "7 days"},
			{Expr: s.orNoCalls(s.slaRatio("30d")), Column: "30 days"},
			{Expr: s.orNoCalls(s.abandonToday()), Column: "Abandoned today"},
			{Expr: s.orNoCalls(s.abandonRatio("30d")), Column: "Abandoned 30 days"},
			{Expr: "sum by (po, service_option) (" + s.budget() + ")", Column: "Late-call budget 30 days", Unit: unitCount},
			{Expr: "sum by (po, service_option) (" + s.counts(lvOption, "telephony_calls_offered", "30d") + ")", Column: "Offered 30 days", Unit: unitCount},
		},
		Mappings: noCalls(), Hide: []string{"po"}})

	bd.addRow("Per standard")
	qs := []query{{Expr: s.optionsPerStandard(), Column: "Service options", Unit: unitCount}}
	for _, w := range []struct{ window, name string }{{"today", "today"}, {"7d", "7 days"}, {"30d", "30 days"}} {
		offered := s.counts(lvOption, "telephony_calls_offered", w.window)
		within := s.counts(lvOption, "sla_answered_within_target", w.window)
		ratio := s.slaRatio(w.window)
		if w.window == "today" {
			ratio = s.slaToday()
		}
		qs = append(qs,
			query{Expr: s.byStandard(offered), Column: "Offered " + w.name, Unit: unitCount},
			query{Expr: s.byStandard(within), Column: "Within target " + w.name, Unit: unitCount},
			query{Expr: s.underTargetPerStandard(ratio), Column: "Options under target " + w.name, Unit: unitCount},
		)
	}
	bd.add(panel{Kind: kindTable, Title: "Calls and service options under each standard", Unit: unitCount, W: 24, H: 6, TimeFrom: "now/d", Decimals: f(0),
		Description: "Per standard: its service options, calls offered and answered within target (counts) today so far, over 7 and 30 days, and how many of its options were under their target in each window (each option judged on its own, never averaged; options without calls in a window are not counted). Each call is judged by the standard it arrived under; options are grouped by the standard they are on now.",
		Queries:     qs})

	bd.addRow("Access numbers")
	bd.add(numberSLATable(p.ID))

	bd.addRow("Abandoned calls by wait")
	today := s.abandonBands("")
	bd.add(panel{Kind: kindBarGauge, Title: "Abandoned by wait, today", Unit: unitCount, W: 8, H: 8, TimeFrom: "now/d",
		Description: "Abandoned calls today by how long the caller waited: within 20 s, 20–60 s, over 60 s. From the same 5-minute figures as the abandoned count, so the three add up to it.",
		Queries: []query{
			{Expr: today.Within20, Legend: "within 20 s"},
			{Expr: today.From20To60, Legend: "20–60 s"},
			{Expr: today.Over60, Legend: "over 60 s"},
		}, Base: "blue", Decimals: f(0)})
	week := s.abandonBands("service_option")
	bd.add(panel{Kind: kindTable, Title: "Abandoned by wait per service option, last 7 days", Unit: unitCount, W: 16, H: 8, TimeFrom: "7d", Decimals: f(0),
		Description: "Per service option: calls abandoned in the last 7 days and how long the callers waited (within 20 s + 20–60 s + over 60 s = abandoned).",
		Queries: []query{
			{Expr: week.Abandoned, Column: "Abandoned"},
			{Expr: week.Within20, Column: "Within 20 s"},
			{Expr: week.From20To60, Column: "20–60 s"},
			{Expr: week.Over60, Column: "Over 60 s"},
		}})

	bd.addRow("Over time")
	bd.add(panel{Kind: kindTimeseries, Title: "Answered within target, last hour, per service option", Unit: unitRatio, W: 12, H: 9,
		Description: "Answered within target ÷ denominator over the preceding hour, per option (gaps: no calls in that hour).",
		Queries:     []query{{Expr: s.slaRatio("1h"), Legend: "{{service_option}}"}}, Min: f(0), Max: f(1)})
	bd.add(panel{Kind: kindTimeseries, Title: "Calls offered per hour, per service option", Unit: unitRate, W: 12, H: 9, Stack: true,
		Queries: []query{{Expr: sel(rec(lvOption, "telephony_calls_offered", "rate1h"), m) + " * 3600", Legend: "{{service_option}}"}}})

	bd.addRow("Line tests")
	bd.add(numberTable(p.ID, 24, 8, nil))

	if len(p.StaffGroups()) > 0 {
		bd.addRow("Lone workers")
		bd.add(loneWorkerTable(p.ID, 24, 6))
	}

	bd.addRow("Referrals and complaints")
	bd.add(panel{Kind: kindTable, Title: "Referrals over the limit, last 7 days", Unit: unitCount, W: 8, H: 8, TimeFrom: "7d",
		Description: "Referrals dispatched to the on-call staff later than the PO's limit after the call ended, per service option.",
		Queries: []query{{Expr: fmt.Sprintf("sum by (service_option) (increase(%s[$__range]))",
			sel(rec(lvOption, "crm_referrals_over_limit", "total"), m)), Column: "Over the limit"}}})
	bd.add(panel{Kind: kindStat, Title: "Referrals without a delivery receipt", Unit: unitCount, W: 4, H: 8,
		Description: "Referrals sent by e-mail, SMS or pager that failed or got no receipt in time, by channel.",
		Queries:     []query{{Expr: "sum by (channel) (" + sel("crm_referrals_undelivered", m) + ")", Legend: "{{channel}}"}},
		Steps:       []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Complaints open", Unit: unitCount, W: 4, H: 8,
		Queries: []query{{Expr: "sum by (urgency) (" + sel("crm_complaints_open", m) + ")", Legend: "{{urgency}}"}}, Base: "blue"})
	bd.add(panel{Kind: kindStat, Title: "Complaints overdue", Unit: unitCount, W: 4, H: 8,
		Description: "Open complaints past a deadline: callback (60 minutes) or written report (working days).",
		Queries:     []query{{Expr: "sum by (stage) (" + sel("crm_complaints_overdue", m) + ")", Legend: "{{stage}}"}},
		Steps:       []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Contacts overdue", Unit: unitCount, W: 4, H: 8,
		Description: "E-mail and web-form contacts past their response deadline.",
		Queries:     []query{{Expr: "sum by (channel, kind) (" + sel("crm_contacts_overdue", m) + ")", Legend: "{{channel}} {{kind}}"}},
		Steps:       []step{{1, "orange"}}})
	return bd.build()
}

// numberSLATable is one row per advertised number of the PO: calls
// offered and answered within target ÷ denominator today, over 7 and 30
// days, from the per-number recording rules.
func numberSLATable(po string) panel {
	s := scope{PO: po}
	m := s.m()
	by := "po, access_number"
	base := sel(rec(lvNumber, "sla_denominator", "increase30d"), m)
	orNone := func(ratio string) string {
		return fmt.Sprintf("sum by (%s) ((%s) or on (%s) (%s * NaN))", by, ratio, by, base)
	}
	today := fmt.Sprintf("(%s or 0 * %s) / (%s > 0)",
		s.counts(lvNumber, "sla_answered_within_target", "today"), s.counts(lvNumber, "sla_denominator", "today"), s.counts(lvNumber, "sla_denominator", "today"))
	return panel{Kind: kindTable, Title: "Per access number", Unit: unitRatio, W: 24, H: 8, TimeFrom: "now/d",
		Description: "Per advertised number: calls offered and answered within target ÷ denominator (each call judged by its option's standard) today so far, over 7 and 30 days.",
		Queries: []query{
			{Expr: fmt.Sprintf("sum by (%s) (%s)", by, s.counts(lvNumber, "telephony_calls_offered", "today")), Column: "Offered today", Unit: unitCount},
			{Expr: orNone(today), Column: "Within target today"},
			{Expr: orNone(sel(rec(lvNumber, "sla_answered_within_target", "ratio_rate7d"), m)), Column: "7 days"},
			{Expr: orNone(sel(rec(lvNumber, "sla_answered_within_target", "ratio_rate30d"), m)), Column: "30 days"},
			{Expr: fmt.Sprintf("sum by (%s) (%s)", by, s.counts(lvNumber, "telephony_calls_offered", "30d")), Column: "Offered 30 days", Unit: unitCount},
		},
		Mappings: noCalls(), Hide: []string{"po"}}
}

func loneWorkerNote(p *catalog.PO) string {
	if len(p.StaffGroups()) > 0 {
		return ", lone workers"
	}
	return ""
}
