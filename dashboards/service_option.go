package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/slawatch/slawatch/catalog"
)

// serviceOption is the provider's detail of one PO's service option,
// chosen with the po and service_option variables (both from the target
// series the SLA rules record, so only real pairs are offered).
func serviceOption(c *catalog.Catalog) (dashboard.Dashboard, error) {
	bd := newBoard(boardSpec{
		UID:         UIDServiceOption,
		Title:       "slawatch — service option",
		Description: "One PO's service option: its standard and target, service level over 1 hour, today, 7 and 30 days, abandons by wait, the queue.",
		Tags:        []string{"provider"},
		From:        "24h",
		Refresh:     "1m",
	})
	bd.variable("po", "PO", "label_values("+targetRatio+", po)")
	bd.variable("service_option", "Service option", "label_values("+targetRatio+`{po="$po"}, service_option)`)
	bd.link("Duty manager", UIDDutyManager)
	bd.link("PO board", POBoardUID("${po}"))
	s := scope{PO: "$po", Option: "$service_option"}

	bd.addRow("Standard and queue")
	bd.add(panel{Kind: kindStat, Title: "Target (standard in force)", Unit: unitRatio, W: 6, H: 5,
		Description: "Share of calls that must be answered within the standard's target time; the name is the standard in force.",
		Queries:     []query{{Expr: s.target(), Legend: "{{standard}}"}}, Base: "blue"})
	bd.add(panel{Kind: kindStat, Title: "Abandon cap", Unit: unitRatio, W: 6, H: 5,
		Description: "Most abandoned ÷ offered the standard allows ('none' for a standard without a cap).",
		Queries:     []query{{Expr: sel(abandonLimit, s.m()) + " or " + s.target() + " * NaN", Legend: "{{standard}}"}},
		Base:        "blue", Mappings: specialText("nan", "none")})
	bd.add(panel{Kind: kindStat, Title: "Calls waiting", Unit: unitCount, W: 6, H: 5,
		Queries: []query{{Expr: "sum(" + sel("telephony_calls_waiting", s.m()) + ")", Legend: "waiting"}},
		Steps:   []step{{1, "yellow"}, {5, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Oldest wait", Unit: unitSeconds, W: 6, H: 5,
		Queries: []query{{Expr: "max(" + sel("telephony_oldest_wait_seconds", s.m()) + ")", Legend: "oldest"}},
		Steps:   []step{{20, "yellow"}, {60, "red"}}})

	bd.addRow("Answered within target")
	for _, w := range []struct{ title, expr, from string }{
		{"Last hour", s.slaRatio("1h"), ""},
		{"Today so far", s.slaToday(), "now/d"},
		{"Last 7 days", s.slaRatio("7d"), ""},
		{"Last 30 days", s.slaRatio("30d"), ""},
	} {
		bd.add(panel{Kind: kindStat, Title: "Within target: " + w.title, Unit: unitRatio, W: 5, H: 5, TimeFrom: w.from,
			Description: "Answered within the target of the standard each call arrived under ÷ the PO's denominator (compare with the target above).",
			Queries:     []query{{Expr: s.orNoCalls(w.expr), Legend: "{{service_option}}"}},
			Mappings:    noCalls(), Base: "text"})
	}
	bd.add(panel{Kind: kindStat, Title: "Late-call budget (30 days)", Unit: unitCount, W: 4, H: 5,
		Description: "How many more calls may miss the target before the 30-day figure drops below it; negative: calls over.",
		Queries:     []query{{Expr: s.budget(), Legend: "calls"}},
		Base:        "red", Steps: []step{{0, "orange"}, {5, "green"}}})
	bd.add(panel{Kind: kindTimeseries, Title: "Within target over time vs target", Unit: unitRatio, W: 16, H: 8,
		Description: "Answered within target ÷ denominator over 5 minutes and over the last hour, against the standard's target.",
		Queries: []query{
			{Expr: s.orNoCalls(s.slaRatio("5m")), Legend: "5 minutes"},
			{Expr: s.orNoCalls(s.slaRatio("1h")), Legend: "last hour"},
			{Expr: s.target(), Legend: "target ({{standard}})"},
		}, Min: f(0), Max: f(1)})
	bd.add(panel{Kind: kindTimeseries, Title: "Calls offered and abandoned", Unit: unitRate, W: 8, H: 8,
		Description: "Calls per hour over the last hour.",
		Queries: []query{
			{Expr: sel(rec(lvOption, "telephony_calls_offered", "rate1h"), s.m()) + " * 3600", Legend: "offered"},
			{Expr: sel(rec(lvOption, "telephony_calls_abandoned", "rate1h"), s.m()) + " * 3600", Legend: "abandoned"},
		}})

	bd.addRow("Abandoned")
	for _, w := range []struct{ title, expr, from string }{
		{"Last hour", s.abandonRatio("1h"), ""},
		{"Today so far", s.abandonToday(), "now/d"},
		{"Last 30 days", s.abandonRatio("30d"), ""},
	} {
		bd.add(panel{Kind: kindStat, Title: "Abandoned: " + w.title, Unit: unitRatio, W: 4, H: 5, TimeFrom: w.from,
			Description: "Abandoned ÷ offered.",
			Queries:     []query{{Expr: s.orNoCalls(w.expr), Legend: "{{service_option}}"}},
			Mappings:    noCalls(), Steps: []step{{0.05, "orange"}, {0.1, "red"}}})
	}
	b := s.abandonBands("")
	bd.add(panel{Kind: kindBarGauge, Title: "Abandoned by wait, today", Unit: unitCount, W: 12, H: 5, TimeFrom: "now/d",
		Description: "Abandoned calls today by how long the caller waited: within 20 s, 20–60 s, over 60 s. From the same 5-minute figures as the abandoned ratio today, so the three add up to the abandoned count.",
		Queries: []query{
			{Expr: b.Within20, Legend: "within 20 s"},
			{Expr: b.From20To60, Legend: "20–60 s"},
			{Expr: b.Over60, Legend: "over 60 s"},
		}, Base: "blue", Decimals: f(0)})
	return bd.build()
}

// specialText shows a special value ("nan", "null") as text.
func specialText(match dashboard.SpecialValueMatch, text string) []dashboard.ValueMapping {
	m := noCalls()
	m[0].SpecialValueMap.Options.Match = match
	m[0].SpecialValueMap.Options.Result.Text = &text
	return m
}
