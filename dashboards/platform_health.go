package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/slawatch/slawatch/catalog"
)

// platformHealth is the provider's board of the monitoring itself: scrape
// targets up, the sources' freshness, ingest errors, rule evaluation (from
// Prometheus's own metrics) and the paging path (notifier_*). Targets are
// grouped by job for display only, never selected by job or instance.
func platformHealth(c *catalog.Catalog) (dashboard.Dashboard, error) {
	bd := newBoard(boardSpec{
		UID:         UIDPlatform,
		Title:       "slawatch — platform health",
		Description: "Scrape targets, sources' freshness, ingest errors, rule evaluation and paging delivery.",
		Tags:        []string{"provider"},
		From:        "6h",
		Refresh:     "1m",
	})
	bd.link("Duty manager", UIDDutyManager)

	bd.addRow("Scrape targets")
	bd.add(panel{Kind: kindStat, Title: "Targets down", Unit: unitCount, W: 6, H: 5,
		Description: "Scrape targets whose last scrape failed.",
		Queries:     []query{{Expr: orZero(`count(up == 0)`), Legend: "down"}},
		Steps:       []step{{1, "red"}}})
	bd.add(panel{Kind: kindTable, Title: "Targets", Unit: unitState, W: 18, H: 8,
		Description: "Every scrape target by job and instance: up or down, the last scrape's duration and samples.",
		Queries: []query{
			{Expr: `max by (job, instance) (up)`, Column: "Up", Mappings: yesNo("up", "DOWN")},
			{Expr: `max by (job, instance) (scrape_duration_seconds)`, Column: "Scrape duration", Unit: unitSeconds},
			{Expr: `max by (job, instance) (scrape_samples_scraped)`, Column: "Samples", Unit: unitCount},
		}})
	bd.add(panel{Kind: kindTimeseries, Title: "Scrape duration by job", Unit: unitSeconds, W: 24, H: 7,
		Queries: []query{{Expr: `max by (job) (scrape_duration_seconds)`, Legend: "{{job}}"}}})

	bd.addRow("Sources")
	bd.add(panel{Kind: kindBarGauge, Title: "Since the latest event, per source", Unit: unitSeconds, W: 12, H: 8,
		Description: "Seconds since each source's latest event: call records by transport, CRM events, mail-room count files and item events (sources that never sent one are left out). Calls are rare at quiet hours: see the SourceSilent alert for the threshold.",
		Queries: []query{
			{Expr: age(`max by (source) (telephony_source_last_event_timestamp_seconds)`), Legend: "telephony {{source}}"},
			{Expr: age(`max by (transport) (crm_source_last_event_timestamp_seconds)`), Legend: "crm {{transport}}"},
			{Expr: age(`max by (transport) (mailroom_source_last_event_timestamp_seconds)`), Legend: "mail room {{transport}}"},
		}, Steps: []step{{900, "orange"}, {4200, "red"}}})
	bd.add(panel{Kind: kindTimeseries, Title: "Records received by result", Unit: "ops", W: 12, H: 8,
		Description: "Call records and CRM events per second, by transport and result (accepted, duplicate, rejected).",
		Queries: []query{
			{Expr: `sum by (source, result) (rate(telephony_exporter_records_total[$__rate_interval]))`, Legend: "calls {{source}} {{result}}"},
			{Expr: `sum by (transport, outcome) (rate(crm_exporter_events_total[$__rate_interval]))`, Legend: "crm {{transport}} {{outcome}}"},
		}})
	bd.add(panel{Kind: kindTable, Title: "Rejected records in range, by reason", Unit: unitCount, W: 24, H: 7,
		Description: "Call records rejected (and queue visits dropped): the ten commonest transport and reason pairs.",
		Queries: []query{{Expr: `topk(10, sum by (source, reason) (increase(telephony_exporter_parse_errors_total[$__range])))`,
			Column: "Rejected"}}})

	bd.addRow("Rule evaluation")
	bd.add(panel{Kind: kindStat, Title: "Rule evaluation failures in range", Unit: unitCount, W: 6, H: 5,
		Queries: []query{{Expr: `sum(increase(prometheus_rule_evaluation_failures_total[$__range]))`, Legend: "failures"}},
		Steps:   []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Missed rule group iterations in range", Unit: unitCount, W: 6, H: 5,
		Description: "Evaluations skipped because the previous one was still running.",
		Queries:     []query{{Expr: `sum(increase(prometheus_rule_group_iterations_missed_total[$__range]))`, Legend: "missed"}},
		Steps:       []step{{1, "orange"}}})
	bd.add(panel{Kind: kindTable, Title: "Slowest rule groups", Unit: unitSeconds, W: 12, H: 8,
		Description: "The ten rule groups whose last evaluation took longest, with their interval.",
		Queries: []query{
			{Expr: `topk(10, max by (rule_group) (prometheus_rule_group_last_duration_seconds))`, Column: "Last duration"},
			{Expr: `max by (rule_group) (prometheus_rule_group_interval_seconds) and on (rule_group) topk(10, max by (rule_group) (prometheus_rule_group_last_duration_seconds))`, Column: "Interval"},
		}})
	bd.add(panel{Kind: kindTimeseries, Title: "Rule evaluation failures by group", Unit: unitCount, W: 24, H: 7,
		Queries: []query{{Expr: `sum by (rule_group) (increase(prometheus_rule_evaluation_failures_total[$__rate_interval]))`, Legend: "{{rule_group}}"}}})

	bd.addRow("Paging")
	bd.add(panel{Kind: kindStat, Title: "Pages not delivered in range", Unit: unitCount, W: 6, H: 5,
		Description: "Pages that failed or got no delivery receipt in time: each is an incident (PageUndelivered).",
		Queries:     []query{{Expr: orZero(`sum(increase(notifier_pages_total{outcome=~"failed|undelivered"}[$__range]))`), Legend: "undelivered"}},
		Steps:       []step{{1, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Pager: last tick", Unit: unitSeconds, W: 6, H: 5,
		Description: "Seconds since the pager's last pass over its due work (PagerStalled over 120 s).",
		Queries:     []query{{Expr: `time() - max(notifier_last_tick_timestamp_seconds)`, Legend: "since last tick"}},
		Steps:       []step{{60, "orange"}, {120, "red"}}})
	bd.add(panel{Kind: kindStat, Title: "Delivery time (95th percentile)", Unit: unitSeconds, W: 6, H: 5,
		Description: "Queued to delivered (receipt, or acceptance for Slack), per channel, in the range ('no pages' when none).",
		Queries:     []query{{Expr: orNaN(`histogram_quantile(0.95, sum by (channel, le) (increase(notifier_delivery_seconds_bucket[$__range])))`), Legend: "{{channel}}"}},
		Mappings:    specialText("nan", "no pages"), Base: "blue"})
	bd.add(panel{Kind: kindStat, Title: "Provider errors in range", Unit: unitCount, W: 6, H: 5,
		Description: "Failed calls to Twilio, Slack or the console, per channel.",
		Queries:     []query{{Expr: orZero(`sum by (channel) (increase(notifier_provider_errors_total[$__range]))`), Legend: "{{channel}}"}},
		Steps:       []step{{1, "orange"}}})
	bd.add(panel{Kind: kindTable, Title: "Pages by channel and outcome, in range", Unit: unitCount, W: 12, H: 8,
		Queries: []query{{Expr: orZero(`sum by (channel, outcome) (increase(notifier_pages_total[$__range]))`), Column: "Pages"}}})
	bd.add(panel{Kind: kindTable, Title: "Provider requests and errors by channel, in range", Unit: unitCount, W: 12, H: 8,
		Description: "Calls to each paging provider (Twilio, Slack, console) and those that failed.",
		Queries: []query{
			{Expr: orZero(`sum by (channel) (increase(notifier_provider_requests_total[$__range]))`), Column: "Requests"},
			{Expr: orZero(`sum by (channel) (increase(notifier_provider_errors_total[$__range]))`), Column: "Errors"},
		}})
	return bd.build()
}
