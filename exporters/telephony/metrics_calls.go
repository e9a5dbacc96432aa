package telephony

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// DurationBuckets are the bucket bounds of the talk and after-call-work
// histograms, in seconds.
func DurationBuckets() []float64 {
	return []float64{30, 60, 120, 180, 300, 600, 900, 1800, 3600}
}

// callMetrics is the one collector of the call metrics: an in-memory copy
// of the store's per-series totals, emitted as const metrics. Restoring it
// from store.Totals is therefore exact, bucket by bucket.
type callMetrics struct {
	mu         sync.Mutex
	waitBounds []float64
	durBounds  []float64
	series     map[store.SeriesKey]*series
	tests      map[numKey]uint64 // test calls per po and access number
	// live queue
	waitKeys []WaitKey            // every known po/service option, sorted
	snapshot map[WaitKey]liveWait // from POST /api/v1/queue
	snapAt   time.Time            // when snapshot, chInUse and chCap were set
	snapTTL  time.Duration        // after which they no longer count
	tracker  func() map[WaitKey]Waiting
	chInUse  *float64
	chCap    *float64
	now      func() time.Time

	offered, ivr, tested, answerWait, abandonWait, talk, acw *prometheus.Desc
	waiting, oldest, channelsInUse, channelsCap              *prometheus.Desc
}

type numKey struct{ PO, AccessNumber string }

// series holds one series' counts; sums are kept in integer microseconds,
// as the store keeps them, so a restore reproduces them bit for bit.
type series struct {
	offered, ivr, test             uint64
	answered, abandoned, talk, acw hist
}

type hist struct {
	count   uint64
	sumUS   int64
	buckets []uint64 // cumulative: buckets[i] = values <= bounds[i]
}

func micros(seconds float64) int64 { return int64(math.Round(seconds * 1e6)) }

type liveWait struct {
	Calls         float64
	OldestSeconds float64
}

func newCallMetrics(cat *catalog.Catalog, now func() time.Time, snapTTL time.Duration) *callMetrics {
	labels := []string{"po", "service_option", "access_number", "standard"}
	m := &callMetrics{
		waitBounds: cat.Buckets(),
		durBounds:  DurationBuckets(),
		series:     map[store.SeriesKey]*series{},
		tests:      map[numKey]uint64{},
		snapshot:   map[WaitKey]liveWait{},
		now:        now,
		snapTTL:    snapTTL,
		offered: prometheus.NewDesc("telephony_calls_offered_total",
			"Public calls that reached the queue after the greeting (test calls excluded).", labels, nil),
		ivr: prometheus.NewDesc("telephony_ivr_only_calls_total",
			"Public calls handled only by the IVR (not offered, not charged).", labels, nil),
		tested: prometheus.NewDesc("telephony_test_calls_received_total",
			"Line-test calls seen arriving at the queue (never counted as offered).", []string{"po", "access_number"}, nil),
		answerWait: prometheus.NewDesc("telephony_answer_wait_seconds",
			"Wait from the end of the greeting to answer, of answered public calls; buckets at every catalogue threshold.", labels, nil),
		abandonWait: prometheus.NewDesc("telephony_abandon_wait_seconds",
			"Wait from the end of the greeting to hang-up, of abandoned public calls.", labels, nil),
		talk: prometheus.NewDesc("telephony_talk_seconds",
			"Talk time of answered public calls.", labels, nil),
		acw: prometheus.NewDesc("telephony_after_call_work_seconds",
			"After-call work time of answered public calls.", labels, nil),
		waiting: prometheus.NewDesc("telephony_calls_waiting",
			"Calls waiting in the queue now.", []string{"po", "service_option"}, nil),
		oldest: prometheus.NewDesc("telephony_oldest_wait_seconds",
			"Wait so far of the oldest call waiting in the queue now (0 when none).", []string{"po", "service_option"}, nil),
		channelsInUse: prometheus.NewDesc("telephony_channels_in_use",
			"Telephony channels in use, as last reported.", nil, nil),
		channelsCap: prometheus.NewDesc("telephony_channels_capacity",
			"Telephony channels available, as last reported.", nil, nil),
	}
	m.initKnown(cat)
	return m
}

// initKnown creates every series the catalogue can produce, at zero: each
// PO × service option × number serving it × tier the option has ever had.
func (m *callMetrics) initKnown(cat *catalog.Catalog) {
	for _, poID := range cat.POIDs() {
		po, _ := cat.PO(poID)
		for _, so := range po.ServiceOptions {
			m.waitKeys = append(m.waitKeys, WaitKey{po.ID, so.ID})
			tiers := map[string]bool{}
			for _, ch := range so.Standards {
				tiers[ch.Standard] = true
			}
			for i := range po.AccessNumbers {
				n := &po.AccessNumbers[i]
				if n2, ok := cat.Number(n.Number); !ok || !n2.Serves(so.ID) {
					continue
				}
				for tier := range tiers {
					m.get(store.SeriesKey{PO: po.ID, ServiceOption: so.ID, AccessNumber: n.Number, Standard: tier})
				}
			}
		}
		for _, n := range po.AccessNumbers {
			m.tests[numKey{po.ID, n.Number}] += 0
		}
	}
	sort.Slice(m.waitKeys, func(i, j int) bool {
		a, b := m.waitKeys[i], m.waitKeys[j]
		return a.PO < b.PO || (a.PO == b.PO && a.ServiceOption < b.ServiceOption)
	})
}

// get returns the series, creating it at zero. Callers hold m.mu (or own m).
func (m *callMetrics) get(k store.SeriesKey) *series {
	s := m.series[k]
	if s == nil {
		s = &series{}
		s.answered.buckets = make([]uint64, len(m.waitBounds))
		s.abandoned.buckets = make([]uint64, len(m.waitBounds))
		s.talk.buckets = make([]uint64, len(m.durBounds))
		s.acw.buckets = make([]uint64, len(m.durBounds))
		m.series[k] = s
	}
	return s
}

// restore replaces the counts of every series the store knows.
func (m *callMetrics) restore(totals []store.SeriesTotals) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range totals {
		s := m.get(t.SeriesKey)
		s.offered, s.ivr = t.Offered, t.IVROnly
		copyHist(&s.answered, t.Answered)
		copyHist(&s.abandoned, t.Abandoned)
		copyHist(&s.talk, t.Talk)
		copyHist(&s.acw, t.AfterCallWork)
		// Test calls are exposed per po and number: the sum over its series.
		nk := numKey{t.PO, t.AccessNumber}
		m.tests[nk] = m.tests[nk] - s.test + t.TestCalls
		s.test = t.TestCalls
	}
}

func copyHist(dst *hist, src store.Hist) {
	dst.count, dst.sumUS = src.Count, micros(src.Sum)
	copy(dst.buckets, src.Buckets)
}

// observe counts one newly stored call.
func (m *callMetrics) observe(c store.Call) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.get(store.SeriesKey{PO: c.PO, ServiceOption: c.ServiceOption, AccessNumber: c.AccessNumber, Standard: c.Standard})
	if c.Kind == store.KindTest {
		s.test++
		m.tests[numKey{c.PO, c.AccessNumber}]++
		return
	}
	switch c.Outcome {
	case store.OutcomeAnswered:
		s.offered++
		s.answered.observe(m.waitBounds, c.WaitSeconds)
		s.talk.observe(m.durBounds, c.TalkSeconds)
		s.acw.observe(m.durBounds, c.AfterCallWorkSeconds)
	case store.OutcomeAbandoned:
		s.offered++
		s.abandoned.observe(m.waitBounds, c.WaitSeconds)
	case store.OutcomeIVROnly:
		s.ivr++
	}
}

func (h *hist) observe(bounds []float64, v float64) {
	h.count++
	h.sumUS += micros(v)
	for i, b := range bounds {
		if v <= b {
			h.buckets[i]++
		}
	}
}

// setSnapshot replaces the live queue reported by POST /api/v1/queue.
// The channel gauges keep their last value when the snapshot omits them,
// until the snapshot expires.
func (m *callMetrics) setSnapshot(w map[WaitKey]liveWait, inUse, capacity *float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.snapshot = w
	m.snapAt = m.now()
	if inUse != nil {
		m.chInUse = inUse
	}
	if capacity != nil {
		m.chCap = capacity
	}
}

// setTracker makes the live gauges follow a queue_log (nil: the snapshot).
func (m *callMetrics) setTracker(f func() map[WaitKey]Waiting) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tracker = f
}

// Describe implements prometheus.Collector.
func (m *callMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.offered, m.ivr, m.tested, m.answerWait, m.abandonWait,
		m.talk, m.acw, m.waiting, m.oldest, m.channelsInUse, m.channelsCap} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *callMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, s := range m.series {
		lv := []string{k.PO, k.ServiceOption, k.AccessNumber, k.Standard}
		ch <- prometheus.MustNewConstMetric(m.offered, prometheus.CounterValue, float64(s.offered), lv...)
		ch <- prometheus.MustNewConstMetric(m.ivr, prometheus.CounterValue, float64(s.ivr), lv...)
		ch <- constHist(m.answerWait, s.answered, m.waitBounds, lv)
		ch <- constHist(m.abandonWait, s.abandoned, m.waitBounds, lv)
		ch <- constHist(m.talk, s.talk, m.durBounds, lv)
		ch <- constHist(m.acw, s.acw, m.durBounds, lv)
	}
	for k, n := range m.tests {
		ch <- prometheus.MustNewConstMetric(m.tested, prometheus.CounterValue, float64(n), k.PO, k.AccessNumber)
	}
	m.expireSnapshotLocked()
	live := m.liveLocked()
	for _, k := range m.waitKeys {
		w := live[k]
		ch <- prometheus.MustNewConstMetric(m.waiting, prometheus.GaugeValue, w.Calls, k.PO, k.ServiceOption)
		ch <- prometheus.MustNewConstMetric(m.oldest, prometheus.GaugeValue, w.OldestSeconds, k.PO, k.ServiceOption)
	}
	if m.chInUse != nil {
		ch <- prometheus.MustNewConstMetric(m.channelsInUse, prometheus.GaugeValue, *m.chInUse)
	}
	if m.chCap != nil {
		ch <- prometheus.MustNewConstMetric(m.channelsCap, prometheus.GaugeValue, *m.chCap)
	}
}

// expireSnapshotLocked forgets a snapshot older than snapTTL: the gauges go
// back to their state before the first snapshot.
func (m *callMetrics) expireSnapshotLocked() {
	if m.snapAt.IsZero() || m.now().Sub(m.snapAt) <= m.snapTTL {
		return
	}
	m.snapshot = map[WaitKey]liveWait{}
	m.chInUse, m.chCap = nil, nil
	m.snapAt = time.Time{}
}

// liveLocked is the live queue: from the followed queue_log if any, else
// the last snapshot.
func (m *callMetrics) liveLocked() map[WaitKey]liveWait {
	if m.tracker == nil {
		return m.snapshot
	}
	now := m.now()
	out := map[WaitKey]liveWait{}
	for k, w := range m.tracker() {
		age := now.Sub(w.Oldest).Seconds()
		if age < 0 {
			age = 0
		}
		out[k] = liveWait{Calls: float64(w.Calls), OldestSeconds: age}
	}
	return out
}

func constHist(d *prometheus.Desc, h hist, bounds []float64, lv []string) prometheus.Metric {
	b := make(map[float64]uint64, len(bounds))
	for i, ub := range bounds {
		b[ub] = h.buckets[i]
	}
	return prometheus.MustNewConstHistogram(d, h.count, float64(h.sumUS)/1e6, b, lv...)
}
