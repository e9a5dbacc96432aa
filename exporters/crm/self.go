package crm

import (
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Transports: how events arrived (the transport label of the self-metrics,
// a fixed set initialised at zero).
const (
	TransportWebhook = "webhook" // POST /api/v1/crm/events
	TransportSQL     = "sql"     // the CRM database source (exporters/crm/crmsql)
)

// Transports lists the transports.
func Transports() []string { return []string{TransportWebhook, TransportSQL} }

// reCode is a reason code a caller of Reject may use as a label value.
var reCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// ReasonOther stands in for a Reject code that is not a short lower-case word.
const ReasonOther = "other"

// selfMetrics are the exporter's own health metrics.
type selfMetrics struct {
	events    *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	lastEvent *prometheus.GaugeVec

	mu   sync.Mutex
	last map[string]float64
}

func newSelfMetrics() *selfMetrics {
	s := &selfMetrics{
		last: map[string]float64{},
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crm_exporter_events_total",
			Help: "CRM events received since the exporter started, by transport (webhook, sql) and outcome (accepted, duplicate, rejected).",
		}, []string{"transport", "outcome"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crm_exporter_rejected_total",
			Help: "CRM events rejected since the exporter started, by transport and reason.",
		}, []string{"transport", "reason"}),
		lastEvent: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "crm_source_last_event_timestamp_seconds",
			Help: "Event time of the latest CRM event stored (or already stored) by transport, Unix seconds; 0 before the first.",
		}, []string{"transport"}),
	}
	for _, tr := range Transports() {
		for _, o := range []string{"accepted", "duplicate", "rejected"} {
			s.events.WithLabelValues(tr, o)
		}
		for _, r := range Reasons() {
			s.rejected.WithLabelValues(tr, r)
		}
		s.lastEvent.WithLabelValues(tr)
	}
	return s
}

func (s *selfMetrics) register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{s.events, s.rejected, s.lastEvent} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *selfMetrics) count(transport string, res Result) {
	s.events.WithLabelValues(transport, "accepted").Add(float64(res.Accepted))
	s.events.WithLabelValues(transport, "duplicate").Add(float64(res.Duplicate))
}

func (s *selfMetrics) reject(transport string, errs []EventError) {
	s.events.WithLabelValues(transport, "rejected").Add(float64(len(errs)))
	for _, e := range errs {
		code := e.Code
		if !reCode.MatchString(code) {
			code = ReasonOther
		}
		s.rejected.WithLabelValues(transport, code).Inc()
	}
}

// seen moves the transport's last event time forward, never back.
func (s *selfMetrics) seen(transport string, t time.Time) {
	if t.IsZero() {
		return
	}
	v := float64(t.UnixNano()) / 1e9
	s.mu.Lock()
	defer s.mu.Unlock()
	if v > s.last[transport] {
		s.last[transport] = v
		s.lastEvent.WithLabelValues(transport).Set(v)
	}
}
