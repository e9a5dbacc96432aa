// Package rules generates the Prometheus recording and alerting rules of the
// SLA figures from the catalogue: one file per participating organisation
// (PO), sla_<po>.rules.yml, because every threshold (each tier's target
// seconds and percent, the SLA formula, the volume guard) is the PO's own.
//
// Design (also written at the top of every generated file):
//
//   - Fast group (no interval: the engine's global evaluation interval):
//     5m and 1h rates of the numerator (answered within each tier's own
//     target bucket), the denominator (the PO's SLA formula), offered and
//     abandoned calls, and their ratios. These drive the hourly alerts.
//   - Long group (interval 5m): 5-minute tiles, increase(x[5m]) evaluated
//     every 5 minutes, so consecutive tiles cover time without overlap. 1d,
//     7d and 30d counts are sum_over_time of the tiles; ratios are ratios of
//     those sums (never an average of ratios). increase() extrapolates to
//     the edges of its window, so the counts are estimates from Prometheus,
//     close to but not exactly the calls; contract figures come from the
//     event store. The late-call budget is floor()ed, so it can be a call
//     out. A 30d figure reads 8640 samples per series, whatever the scrape
//     interval. Per service option, tiles of the calls abandoned within 20 s
//     and within 60 s (the abandon-wait buckets at SPEC's band bounds, which
//     every catalogue has) let boards split the abandoned tiles' sum into
//     within 20 s, 20–60 s and over 60 s that add up to it exactly.
//   - Alerts per (po, service_option), each guarded by the volume of its
//     own window so one slow call at 03:00 pages nobody: SLABreached (page)
//     and SLAAtRisk{reason="burn_rate"} on the hour (burn rate on the
//     (1 - target) budget, thresholds validated as reachable, min calls per
//     hour from the catalogue); SLAAtRisk{reason="daily"} on the last 24
//     hours (Config.Daily, for options too quiet for the hourly guard);
//     SLAAtRisk{reason="budget_spent"} on 30 days (Config.BudgetMinCalls).
package rules
