package mailroom

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/store"
)

// Sources: the source label of the count metrics. They overlap by design
// (a monthly file covers the days of the daily sample; scanners may push
// items that a count file also counts): never sum across sources.
const (
	SourceDaily   = "daily"   // daily count files
	SourceMonthly = "monthly" // monthly count files
	SourceAPI     = "api"     // item events posted by scanners and sorting stations
)

// Sources lists the source label values.
func Sources() []string { return []string{SourceDaily, SourceMonthly, SourceAPI} }

// File outcomes: the outcome label of mailroom_exporter_files_total.
const (
	OutcomeCounted   = "counted"   // stored, no earlier counts for its rows
	OutcomeCorrected = "corrected" // stored, replacing earlier counts of some rows
	OutcomeDuplicate = "duplicate" // same bytes as an earlier file of another name: rejected/
	OutcomeAlready   = "already_processed"
	OutcomeRejected  = "rejected" // invalid: rejected/ with a reason
)

// FileOutcomes lists the outcome label values.
func FileOutcomes() []string {
	return []string{OutcomeCounted, OutcomeCorrected, OutcomeDuplicate, OutcomeAlready, OutcomeRejected}
}

// Transports: the transport label of the freshness gauge.
const (
	TransportFile = "file"
	TransportAPI  = "api"
)

// metrics are the exporter's metrics; every series of every business unit,
// region and source exists from the start at 0.
type metrics struct {
	items, valuables, harmful, missing, misdirected *prometheus.CounterVec
	pages, jobs, calls                              *prometheus.CounterVec

	files, fileRejections, itemsIn, itemRejections *prometheus.CounterVec
	lastEvent                                      *prometheus.GaugeVec

	mu   sync.Mutex
	last map[string]float64
}

func newMetrics() *metrics {
	l := []string{"business_unit", "region", "source"}
	counter := func(name, help string, extra ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, append(append([]string(nil), l...), extra...))
	}
	return &metrics{
		last:        map[string]float64{},
		items:       counter("mailroom_items_total", "Post items by direction (inbound, outbound) and route (royal_mail, courier, other); source daily, monthly (count files) or api (item events): sources overlap, never sum them.", "direction", "route"),
		valuables:   counter("mailroom_valuables_total", "Valuable items; kind all (every valuable: the schedule's total), bankable, unbankable, customer_value (overlapping categories: all is the total).", "kind"),
		harmful:     counter("mailroom_harmful_items_total", "Harmful or offensive items logged."),
		missing:     counter("mailroom_missing_items_total", "Items reported missing."),
		misdirected: counter("mailroom_misdirected_items_total", "Misdirected items."),
		pages:       counter("mailroom_scanned_pages_total", "Pages scanned by completed scanning jobs."),
		jobs:        counter("mailroom_jobs_total", "Scanning and typing jobs by kind (scanning, typing) and state (received, completed); scanning jobs are counted when completed.", "kind", "state"),
		calls:       counter("mailroom_switchboard_calls_total", "Switchboard calls by kind: received (every call), abusive, abandoned.", "kind"),
		files: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mailroom_exporter_files_total",
			Help: "Count files taken from the drop folder by outcome: counted, corrected (replaced earlier counts), duplicate, already_processed (left by a crash after its commit), rejected."}, []string{"outcome"}),
		fileRejections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mailroom_exporter_file_rejections_total",
			Help: "Count files rejected, by reason."}, []string{"reason"}),
		itemsIn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mailroom_exporter_items_total",
			Help: "Item events received over HTTP by outcome: accepted, duplicate (id stored before), rejected."}, []string{"outcome"}),
		itemRejections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mailroom_exporter_item_rejections_total",
			Help: "Item events rejected, by reason."}, []string{"reason"}),
		lastEvent: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "mailroom_source_last_event_timestamp_seconds",
			Help: "When the latest count file was stored (transport file) or item event received (api), Unix seconds; 0 before the first."}, []string{"transport"}),
	}
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.items, m.valuables, m.harmful, m.missing, m.misdirected, m.pages, m.jobs, m.calls,
		m.files, m.fileRejections, m.itemsIn, m.itemRejections, m.lastEvent}
}

// init creates every series at 0.
func (m *metrics) init(units map[string][]string) {
	for bu, regions := range units {
		for _, r := range regions {
			for _, src := range Sources() {
				m.add(bu, r, src, store.MailroomCounts{})
			}
		}
	}
	for _, o := range FileOutcomes() {
		m.files.WithLabelValues(o)
	}
	for _, r := range FileReasons() {
		m.fileRejections.WithLabelValues(r)
	}
	for _, o := range []string{"accepted", "duplicate", "rejected"} {
		m.itemsIn.WithLabelValues(o)
	}
	for _, r := range ItemReasons() {
		m.itemRejections.WithLabelValues(r)
	}
	m.lastEvent.WithLabelValues(TransportFile)
	m.lastEvent.WithLabelValues(TransportAPI)
}

// add adds counts to the series of a business unit, region and source.
func (m *metrics) add(bu, region, source string, c store.MailroomCounts) {
	f := func(v int64) float64 { return float64(v) }
	for _, x := range []struct {
		dir, route string
		v          int64
	}{
		{"inbound", "royal_mail", c.InboundRoyalMail}, {"inbound", "courier", c.InboundCourier}, {"inbound", "other", c.InboundOther},
		{"outbound", "royal_mail", c.OutboundRoyalMail}, {"outbound", "courier", c.OutboundCourier}, {"outbound", "other", c.OutboundOther},
	} {
		m.items.WithLabelValues(bu, region, source, x.dir, x.route).Add(f(x.v))
	}
	m.valuables.WithLabelValues(bu, region, source, "all").Add(f(c.ValuablesTotal))
	m.valuables.WithLabelValues(bu, region, source, "bankable").Add(f(c.ValuablesBankable))
	m.valuables.WithLabelValues(bu, region, source, "unbankable").Add(f(c.ValuablesUnbankable))
	m.valuables.WithLabelValues(bu, region, source, "customer_value").Add(f(c.ValuablesCustomerValue))
	m.harmful.WithLabelValues(bu, region, source).Add(f(c.Harmful))
	m.missing.WithLabelValues(bu, region, source).Add(f(c.Missing))
	m.misdirected.WithLabelValues(bu, region, source).Add(f(c.Misdirected))
	m.pages.WithLabelValues(bu, region, source).Add(f(c.ScannedPages))
	m.jobs.WithLabelValues(bu, region, source, "scanning", "completed").Add(f(c.ScanningJobs))
	m.jobs.WithLabelValues(bu, region, source, "typing", "received").Add(f(c.TypingJobsReceived))
	m.jobs.WithLabelValues(bu, region, source, "typing", "completed").Add(f(c.TypingJobsCompleted))
	m.calls.WithLabelValues(bu, region, source, "received").Add(f(c.SwitchboardCallsReceived))
	m.calls.WithLabelValues(bu, region, source, "abusive").Add(f(c.SwitchboardCallsAbusive))
	m.calls.WithLabelValues(bu, region, source, "abandoned").Add(f(c.SwitchboardCallsAbandoned))
}

// seen moves a transport's last event time forward (never back).
func (m *metrics) seen(transport string, t time.Time) {
	if t.IsZero() {
		return
	}
	v := float64(t.UnixNano()) / 1e9
	m.mu.Lock()
	defer m.mu.Unlock()
	if v > m.last[transport] {
		m.last[transport] = v
		m.lastEvent.WithLabelValues(transport).Set(v)
	}
}
