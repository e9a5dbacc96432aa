package telephony

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Source names used as the source label and the store's source.
const (
	SourceCSV      = "csv"
	SourceJSONL    = "jsonl"
	SourceHTTP     = "http"
	SourceQueueLog = "queue_log"
)

// selfMetrics are the exporter's own health metrics.
type selfMetrics struct {
	records   *prometheus.CounterVec
	errors    *prometheus.CounterVec
	lastEvent *prometheus.GaugeVec

	mu   sync.Mutex
	last map[string]float64 // what lastEvent holds, to move it forward only
}

func newSelfMetrics() *selfMetrics {
	s := &selfMetrics{
		last: map[string]float64{},
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "telephony_exporter_records_total",
			Help: "Call records received, by source and result (accepted, duplicate, rejected).",
		}, []string{"source", "result"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "telephony_exporter_parse_errors_total",
			Help: "Rejected call records, by source and reason.",
		}, []string{"source", "reason"}),
		lastEvent: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "telephony_source_last_event_timestamp_seconds",
			Help: "Time of the latest event seen from the source (Unix seconds); 0 before the first.",
		}, []string{"source"}),
	}
	for _, src := range []string{SourceCSV, SourceJSONL, SourceHTTP, SourceQueueLog} {
		s.initSource(src)
	}
	return s
}

func (s *selfMetrics) initSource(src string) {
	for _, r := range []string{"accepted", "duplicate", "rejected"} {
		s.records.WithLabelValues(src, r)
	}
	for _, r := range reasonCodes() {
		s.errors.WithLabelValues(src, r)
	}
	s.lastEvent.WithLabelValues(src)
}

func (s *selfMetrics) register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{s.records, s.errors, s.lastEvent} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *selfMetrics) count(src string, res Result) {
	s.records.WithLabelValues(src, "accepted").Add(float64(res.Accepted))
	s.records.WithLabelValues(src, "duplicate").Add(float64(res.Duplicate))
	s.records.WithLabelValues(src, "rejected").Add(float64(res.Rejected))
}

// seen moves the source's last event time forward (never back: a replayed
// old file does not make a live source look stale).
func (s *selfMetrics) seen(src string, t time.Time) {
	if t.IsZero() {
		return
	}
	v := float64(t.UnixNano()) / 1e9
	s.mu.Lock()
	defer s.mu.Unlock()
	if v > s.last[src] {
		s.last[src] = v
		s.lastEvent.WithLabelValues(src).Set(v)
	}
}
