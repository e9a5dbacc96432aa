package telephony

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Store sources. The store dedupes on (source, call id), so the source
// names the system that produced the call ids, never the transport: the
// same call posted to the webhook and later replayed from a CSV backfill is
// one call.
const (
	// DefaultSource is the store source of canonical records (CSV, JSON
	// lines, HTTP) unless the caller names another (IngestFileFrom,
	// POST /api/v1/calls?source=NAME).
	DefaultSource = "calls"
	// SourceQueueLog is the store source of Asterisk queue_log visits.
	SourceQueueLog = "queue_log"
)

// Transports: the formats of IngestFile and the values of the source label
// of the exporter's self-metrics (a fixed set, all initialised at zero, so
// no client can create label values). The label stays named source, as in
// the metric contract, but it names how records arrived, not the store source.
const (
	TransportCSV           = "csv"            // IngestFile format csv
	TransportJSONL         = "jsonl"          // IngestFile format jsonl
	TransportHTTP          = "http"           // POST /api/v1/calls
	TransportAPI           = "api"            // Exporter.Ingest called in-process
	TransportQueueLog      = "queue_log"      // IngestFile format queue_log and FollowQueueLog
	TransportQueueSnapshot = "queue_snapshot" // POST /api/v1/queue (last event time only)
)

// recordTransports are the transports that deliver call records.
func recordTransports() []string {
	return []string{TransportCSV, TransportJSONL, TransportHTTP, TransportAPI, TransportQueueLog}
}

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
			Help: "Call records received, by transport (label source: csv, jsonl, http, api, queue_log) and result (accepted, duplicate, rejected).",
		}, []string{"source", "result"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "telephony_exporter_parse_errors_total",
			Help: "Rejected call records and dropped queue visits, by transport (label source: csv, jsonl, http, api, queue_log) and reason.",
		}, []string{"source", "reason"}),
		lastEvent: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "telephony_source_last_event_timestamp_seconds",
			Help: "Time of the latest event seen by transport (label source: csv, jsonl, http, api, queue_log, queue_snapshot), Unix seconds; 0 before the first.",
		}, []string{"source"}),
	}
	for _, src := range recordTransports() {
		for _, r := range []string{"accepted", "duplicate", "rejected"} {
			s.records.WithLabelValues(src, r)
		}
		for _, r := range reasonCodes() {
			s.errors.WithLabelValues(src, r)
		}
		s.lastEvent.WithLabelValues(src)
	}
	s.lastEvent.WithLabelValues(TransportQueueSnapshot)
	return s
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
