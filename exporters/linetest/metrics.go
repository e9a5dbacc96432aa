package linetest

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
)

// Metric names (DESIGN.md, "Metric contract"); every series is labelled
// po and access_number (a PO's public number, never a person's).
const (
	MetricRuns                  = "linetest_runs_total"
	MetricLastSuccess           = "linetest_last_success_timestamp_seconds"
	MetricLastRunSuccess        = "linetest_last_run_success"
	MetricRequired              = "linetest_required"
	MetricDuration              = "linetest_duration_seconds"
	MetricLastHandover          = "linetest_last_handover_timestamp_seconds"
	MetricLastHandoverSuccess   = "linetest_last_handover_success_timestamp_seconds"
	metricLabelPO, metricLabelN = "po", "access_number"
)

// Triggers are the values of the trigger label of linetest_runs_total.
func Triggers() []string { return []string{TriggerLowDemand, TriggerHandover, TriggerManual} }

// Results are the values of its result label: the finished results.
func Results() []string { return []string{ResultPass, ResultFail, ResultError} }

// DurationBuckets are the bounds of linetest_duration_seconds: a test call
// lasts seconds (greeting, then the prober hangs up).
func DurationBuckets() []float64 { return []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300} }

// metrics are the prober's metrics. Every series except
// linetest_last_run_success exists from the start: counters at 0,
// timestamps at 0 ("never"), required at 0.
type metrics struct {
	runs                *prometheus.CounterVec
	lastSuccess         *prometheus.GaugeVec
	lastRunSuccess      *prometheus.GaugeVec
	required            *prometheus.GaugeVec
	duration            *prometheus.HistogramVec
	lastHandover        *prometheus.GaugeVec
	lastHandoverSuccess *prometheus.GaugeVec
}

func newMetrics(c *catalog.Catalog) *metrics {
	l := []string{metricLabelPO, metricLabelN}
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRuns,
			Help: "Finished line-test runs by trigger (low_demand, handover, manual) and result (pass, fail, error), since the prober started.",
		}, append(l, "trigger", "result")),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricLastSuccess,
			Help: "When the latest passing line test started, Unix seconds; 0 if none in the store's last 48 hours at start.",
		}, l),
		lastRunSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricLastRunSuccess,
			Help: "1 if the latest line test with a verdict passed, 0 if it failed; an error (the prober could not test) leaves it; absent before the first verdict.",
		}, l),
		required: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricRequired,
			Help: "1 while the number is in service and its calls per hour (public calls of the last 15 minutes x 4) are under its threshold, else 0.",
		}, l),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricDuration,
			Help:    "Duration of connected line-test calls as the dialer reported it, seconds.",
			Buckets: DurationBuckets(),
		}, l),
		lastHandover: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricLastHandover,
			Help: "The latest handover (start of the PO's service) at or before now, Unix seconds, for numbers with a handover test; 0 if none.",
		}, l),
		lastHandoverSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricLastHandoverSuccess,
			Help: "When the latest passing handover-triggered line test started, Unix seconds; 0 if none in the store's last 48 hours at start.",
		}, l),
	}
	for _, po := range c.POIDs() {
		p, _ := c.PO(po)
		for _, n := range p.AccessNumbers {
			for _, tr := range Triggers() {
				for _, r := range Results() {
					m.runs.WithLabelValues(po, n.Number, tr, r)
				}
			}
			m.lastSuccess.WithLabelValues(po, n.Number)
			m.required.WithLabelValues(po, n.Number)
			m.duration.WithLabelValues(po, n.Number)
			m.lastHandover.WithLabelValues(po, n.Number)
			m.lastHandoverSuccess.WithLabelValues(po, n.Number)
		}
	}
	return m
}

func (m *metrics) register(r prometheus.Registerer) error {
	var errs []error
	for _, c := range []prometheus.Collector{m.runs, m.lastSuccess, m.lastRunSuccess, m.required, m.duration,
		m.lastHandover, m.lastHandoverSuccess} {
		errs = append(errs, r.Register(c))
	}
	return errors.Join(errs...)
}

// set moves the gauges of a number to its state.
func (m *metrics) set(po, number string, st *numberState) {
	if st.verdict != "" {
		m.lastRunSuccess.WithLabelValues(po, number).Set(b2f(st.verdict == ResultPass))
	}
	m.lastSuccess.WithLabelValues(po, number).Set(unixSeconds(st.lastPass))
	m.lastHandoverSuccess.WithLabelValues(po, number).Set(unixSeconds(st.lastHandoverPass))
}

// unixSeconds is t in Unix seconds, 0 for the zero time.
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
