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
//     abandoned calls, and their ratios. These drive the alerts.
//   - Long group (interval 5m): 5-minute tiles, increase(x[5m]) evaluated
//     every 5 minutes, so consecutive tiles cover time without overlap. 1d,
//     7d and 30d counts are sum_over_time of the tiles; ratios are ratios of
//     those sums (event-correct, never an average of ratios). A 30d figure
//     reads 8640 samples per series, whatever the scrape interval.
//   - Alerts: SLABreached and SLAAtRisk per (po, service_option), burn rate
//     on the (1 - target) budget, thresholds validated as reachable.
package rules
