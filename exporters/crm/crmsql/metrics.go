package crmsql

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the SQL source's self metrics (the events themselves are
// counted by the exporter, transport "sql").
type metrics struct {
	rows, lateRows, errors *prometheus.CounterVec
	held                   *prometheus.GaugeVec
	lastSuccess            prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, m *Mapping) (*metrics, error) {
	x := &metrics{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "crm_exporter_source_rows_total",
			Help: "CRM database rows read by the SQL source, per mapped table (rows re-read in the lag window included)."}, []string{"table"}),
		lateRows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "crm_exporter_source_late_rows_total",
			Help: "CRM rows found only by the lag re-read (committed after later rows were read): if this grows with lag 0s, raise the table's lag."},
			[]string{"table"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "crm_exporter_source_errors_total",
			Help: "Failed reads of a mapped CRM table (database down, query refused, cursor column of the wrong type); retried with backoff."},
			[]string{"table"}),
		held: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "crm_exporter_source_held_rows",
			Help: "CRM rows the last poll left unread (counted up to 10000): a cursor beyond now plus the clock skew, or behind a row whose event time is in the future; read when their time comes."},
			[]string{"table"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "crm_exporter_source_last_success_timestamp_seconds",
			Help: "When the SQL source last read every mapped table without an error (unix seconds)."}),
	}
	for _, t := range m.Tables {
		x.rows.WithLabelValues(t.Name)
		x.lateRows.WithLabelValues(t.Name)
		x.errors.WithLabelValues(t.Name)
		x.held.WithLabelValues(t.Name)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{x.rows, x.lateRows, x.errors, x.held, x.lastSuccess} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("crmsql: register metrics: %w", err)
			}
		}
	}
	return x, nil
}
