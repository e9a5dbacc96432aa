package alerting

import "github.com/prometheus/client_golang/prometheus"

// pagerMetrics are the notifier's own metrics (docs/METRICS.md): counts by
// channel, po and outcome only, never by person.
type pagerMetrics struct {
	pages    *prometheus.CounterVec // channel, outcome
	requests *prometheus.CounterVec // channel
	errors   *prometheus.CounterVec // channel
	steps    *prometheus.CounterVec // po, outcome
	acks     *prometheus.CounterVec // po, via
	delivery *prometheus.HistogramVec
	lastTick prometheus.Gauge
}

func newPagerMetrics(reg prometheus.Registerer) (*pagerMetrics, error) {
	m := &pagerMetrics{
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifier_pages_total",
			Help: "Pages and notices by channel and outcome: sent, delivered, failed, undelivered, retried, suppressed."},
			[]string{"channel", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifier_provider_requests_total",
			Help: "Calls to a paging provider (Slack, Twilio, console)."}, []string{"channel"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifier_provider_errors_total",
			Help: "Calls to a paging provider that failed, transient or not."}, []string{"channel"}),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifier_escalation_steps_total",
			Help: "Escalation steps by PO and outcome: paged, skipped (nobody reachable), exhausted."}, []string{"po", "outcome"}),
		acks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifier_acknowledgements_total",
			Help: "Incidents acknowledged, by PO and how (sms, slack, verbal)."}, []string{"po", "via"}),
		delivery: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "notifier_delivery_seconds",
			Help:    "Seconds from a page being queued to its delivery (receipt or acceptance).",
			Buckets: []float64{1, 2, 5, 10, 20, 30, 60, 120, 300}}, []string{"channel"}),
		lastTick: prometheus.NewGauge(prometheus.GaugeOpts{Name: "notifier_last_tick_timestamp_seconds",
			Help: "When the pager last did its due work; stale means paging has stopped."}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.pages, m.requests, m.errors, m.steps, m.acks, m.delivery, m.lastTick} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
