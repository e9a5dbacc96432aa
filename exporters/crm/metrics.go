package crm

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// DispatchBuckets are the bounds (seconds) of crm_referral_dispatch_seconds:
// 1, 2, 5, 10, 15, 20, 30 and 60 minutes plus every referral limit in the
// catalogue, so "dispatched within the limit" is an exact bucket.
func DispatchBuckets(c *catalog.Catalog) []float64 {
	b := []float64{60, 120, 300, 600, 900, 1200, 1800, 3600}
	for _, l := range c.ReferralLimits() {
		b = append(b, l.Seconds())
	}
	sort.Float64s(b)
	out := b[:0]
	for i, v := range b {
		if i == 0 || v != b[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// ResponseBuckets are the bounds (seconds) of crm_contact_response_seconds:
// 1, 4 and 8 hours, 1, 2, 5, 10, 14, 20 and 30 days.
func ResponseBuckets() []float64 {
	const h, d = 3600, 86400
	return []float64{h, 4 * h, 8 * h, d, 2 * d, 5 * d, 10 * d, 14 * d, 20 * d, 30 * d}
}

// metricDef is one crm_* metric: its help and own labels (after po and
// service_option).
type metricDef struct {
	name, help string
	labels     []string
	hist       bool
}

func metricDefs() []metricDef {
	return []metricDef{
		{store.CRMServiceRequests, "Service requests logged in the CRM, by action.", []string{"action"}, false},
		{store.CRMOutOfScopeCalls, "Service requests out of the PO's scope, by category.", []string{"category"}, false},
		{store.CRMReferralDispatch, "Time from the end of the call to the referral's dispatch to the PO's on-call staff; a bucket at every referral limit.", []string{"channel"}, true},
		{store.CRMReferralDeliveries, "Delivery receipts of referrals sent by e-mail, SMS or pager, by outcome.", []string{"channel", "outcome"}, false},
		{store.CRMComplaintsReceived, "Complaints received, by urgency.", []string{"urgency"}, false},
		{store.CRMComplaintsResolved, "Complaints resolved, by urgency (counted once the receipt is known).", []string{"urgency"}, false},
		{store.CRMComplaintsReported, "Complaints with their written report made, by urgency and whether it was within the working-day deadline.", []string{"urgency", "within_deadline"}, false},
		{store.CRMContacts, "E-mail and web-form contacts received, by channel and kind (general or member_enquiry).", []string{"channel", "kind"}, false},
		{store.CRMContactsResponded, "E-mail and web-form contacts responded to, by whether within the working-day deadline.", []string{"channel", "kind", "within_deadline"}, false},
		{store.CRMContactResponse, "Time from receipt to response of e-mail and web-form contacts.", []string{"channel"}, true},
		{store.CRMReferralsUndelivered, "Referrals sent by e-mail, SMS or pager with no delivered receipt: failed, or past the PO's referral_receipt_timeout (dispatched in the last Options.UndeliveredWindow).", []string{"channel"}, false},
		{store.CRMComplaintsOpen, "Complaints received and not resolved.", []string{"urgency"}, false},
		{store.CRMComplaintsOverdue, "Open complaints past a deadline: stage callback (callback required, not called back) or report (no written report).", []string{"stage"}, false},
		{store.CRMContactsOverdue, "E-mail and web-form contacts past their response deadline without a response.", []string{"channel", "kind"}, false},
	}
}

// crmMetrics is the one collector of the crm_* metrics: an in-memory copy
// of the store's totals (restored at start, then moved by each insert's
// changes) emitted as const metrics, and gauges read from the store at
// scrape time with the exporter's clock.
type crmMetrics struct {
	mu       sync.Mutex
	counts   map[store.CRMSeries]uint64
	hists    map[store.CRMSeries]*store.CRMHist
	bounds   map[string][]float64 // histogram metric -> bounds
	descs    map[string]*prometheus.Desc
	defs     map[string]metricDef
	gauges   map[store.CRMSeries]uint64 // last good gauge reading
	gaugesAt time.Time
	// zeros are the gauge series shown at 0 when the store has nothing
	// for them: each PO with service_option "" and every label value.
	zeros []store.CRMSeries

	st     *store.Store
	now    func() time.Time
	window time.Duration
	log    *slog.Logger
}

func newCRMMetrics(c *catalog.Catalog, st *store.Store, now func() time.Time, window time.Duration, log *slog.Logger) *crmMetrics {
	m := &crmMetrics{
		counts: map[store.CRMSeries]uint64{}, hists: map[store.CRMSeries]*store.CRMHist{},
		bounds: map[string][]float64{store.CRMReferralDispatch: DispatchBuckets(c), store.CRMContactResponse: ResponseBuckets()},
		descs:  map[string]*prometheus.Desc{}, defs: map[string]metricDef{}, gauges: map[store.CRMSeries]uint64{},
		st: st, now: now, window: window, log: log,
	}
	for _, d := range metricDefs() {
		m.defs[d.name] = d
		m.descs[d.name] = prometheus.NewDesc(d.name, d.help, append([]string{"po", "service_option"}, d.labels...), nil)
	}
	for _, id := range c.POIDs() {
		for _, g := range []struct {
			metric string
			labels [][3]string
		}{
			{store.CRMReferralsUndelivered, [][3]string{{ChannelEmail}, {ChannelSMS}, {ChannelPager}}},
			{store.CRMComplaintsOpen, [][3]string{{store.CRMUrgent}, {store.CRMNormal}}},
			{store.CRMComplaintsOverdue, [][3]string{{store.CRMStageCallback}, {store.CRMStageReport}}},
			{store.CRMContactsOverdue, [][3]string{{ChannelEmail, store.CRMGeneral}, {ChannelEmail, store.CRMMemberEnquiry},
				{ChannelWebform, store.CRMGeneral}, {ChannelWebform, store.CRMMemberEnquiry}}},
		} {
			for _, l := range g.labels {
				m.zeros = append(m.zeros, store.CRMSeries{Metric: g.metric, PO: id, Labels: l})
			}
		}
	}
	// Every service option's requests exist from the start at zero: the
	// generated rules take them as the zero baseline of the referral
	// alerts (rules/crm.go), and boards show a quiet option as 0.
	for _, id := range c.POIDs() {
		p, _ := c.PO(id)
		for _, so := range p.ServiceOptions {
			for _, a := range Actions() {
				m.counts[store.CRMSeries{Metric: store.CRMServiceRequests, PO: id, ServiceOption: so.ID, Labels: [3]string{a}}] += 0
			}
		}
	}
	return m
}

// restore replaces the counters and histograms by the store's totals.
func (m *crmMetrics) restore(t store.CRMTotals) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, n := range t.Counts {
		m.counts[k] = n
	}
	for k, h := range t.Histograms {
		h.Buckets = append([]uint64(nil), h.Buckets...)
		m.hists[k] = &h
	}
}

// apply adds what one insert changed.
func (m *crmMetrics) apply(ch store.CRMChanges) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, n := range ch.Counts {
		m.counts[k] += n
	}
	for _, o := range ch.Observations {
		h := m.hists[o.Series]
		if h == nil {
			h = &store.CRMHist{}
			m.hists[o.Series] = h
		}
		h.Observe(m.bounds[o.Series.Metric], o.Nanos)
	}
}

func (m *crmMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range m.descs {
		ch <- d
	}
}

// gaugeTimeout bounds the store queries of one scrape.
const gaugeTimeout = 10 * time.Second

// readGauges reads the gauges at the clock's now; on a store error it logs
// and keeps the last good reading (a gauge that vanished would silence
// the alerts on it).
func (m *crmMetrics) readGauges() map[store.CRMSeries]uint64 {
	now := m.now()
	ctx, cancel := context.WithTimeout(context.Background(), gaugeTimeout)
	defer cancel()
	g, err := m.st.CRMGauges(ctx, now, now.Add(-m.window))
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.log.Warn("reading CRM gauges from the store; serving the last reading", "err", err, "last", m.gaugesAt)
		return m.gauges
	}
	m.gauges, m.gaugesAt = g, now
	return g
}

func (m *crmMetrics) Collect(ch chan<- prometheus.Metric) {
	gauges := m.readGauges()
	m.mu.Lock()
	defer m.mu.Unlock()
	labels := func(k store.CRMSeries) []string {
		return append([]string{k.PO, k.ServiceOption}, k.Labels[:len(m.defs[k.Metric].labels)]...)
	}
	for k, n := range m.counts {
		ch <- prometheus.MustNewConstMetric(m.descs[k.Metric], prometheus.CounterValue, float64(n), labels(k)...)
	}
	for k, h := range m.hists {
		bounds := m.bounds[k.Metric]
		b := make(map[float64]uint64, len(bounds))
		for i, v := range bounds {
			if i < len(h.Buckets) {
				b[v] = h.Buckets[i]
			} else {
				b[v] = 0
			}
		}
		ch <- prometheus.MustNewConstHistogram(m.descs[k.Metric], h.Count, float64(h.SumMillis)/1e3, b, labels(k)...)
	}
	for k, n := range gauges {
		if d, ok := m.descs[k.Metric]; ok {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(n), labels(k)...)
		}
	}
	for _, k := range m.zeros {
		if _, ok := gauges[k]; !ok {
			ch <- prometheus.MustNewConstMetric(m.descs[k.Metric], prometheus.GaugeValue, 0, labels(k)...)
		}
	}
}
