package mailroom

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
)

// MetricDailyCountMissing is the exception gauge of the third-week sample.
const MetricDailyCountMissing = "mailroom_daily_count_missing"

// dailyKey is a business unit, region and day (YYYY-MM-DD) with a daily count.
type dailyKey struct{ bu, region, day string }

// missingCollector computes mailroom_daily_count_missing at each scrape
// from the days with a daily count (restored from the store, then added to
// as files are stored) and the clock, so it is right whatever the time of
// the scrape and needs no ticker.
type missingCollector struct {
	cat      *catalog.Catalog
	now      func() time.Time
	lookback time.Duration
	desc     *prometheus.Desc

	mu  sync.Mutex
	got map[dailyKey]bool
}

func newMissingCollector(cat *catalog.Catalog, now func() time.Time, lookback time.Duration) *missingCollector {
	return &missingCollector{cat: cat, now: now, lookback: lookback, got: map[dailyKey]bool{},
		desc: prometheus.NewDesc(MetricDailyCountMissing,
			"Days of the third-week daily sample whose daily count is due (due_by on the next working day, catalogue time zone) "+
				"and has not been received, counting days that fell due in the lookback (default 31 days); 0 when none.",
			[]string{"business_unit", "region"}, nil)}
}

func (m *missingCollector) received(bu, region, day string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got[dailyKey{bu, region, day}] = true
}

func (m *missingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- m.desc }

func (m *missingCollector) Collect(ch chan<- prometheus.Metric) {
	for _, x := range m.missing(m.now()) {
		ch <- prometheus.MustNewConstMetric(m.desc, prometheus.GaugeValue, float64(len(x.days)), x.bu, x.region)
	}
}

// missingDays are the sample days of a business unit and region without
// their daily count.
type missingDays struct {
	bu, region string
	days       []string
}

// dueDays are the sample days whose count fell due in (now-lookback, now].
func (m *missingCollector) dueDays(now time.Time) []string {
	loc := m.cat.Location()
	from := now.Add(-m.lookback)
	var out []string
	// Months from the one before the lookback starts (its sample may be due
	// in the window) to now's.
	start := from.In(loc).AddDate(0, -1, 0)
	month := time.Date(start.Year(), start.Month(), 1, 12, 0, 0, 0, loc)
	for !month.After(now) {
		for _, d := range m.cat.MailRoomSampleDays(month) {
			due := m.cat.MailRoomCountDue(d)
			if due.After(from) && !due.After(now) {
				out = append(out, d.Format(time.DateOnly))
			}
		}
		month = month.AddDate(0, 1, 0)
	}
	return out
}

// missing lists every business unit and region with its missing days
// (empty when none), in catalogue order.
func (m *missingCollector) missing(now time.Time) []missingDays {
	due := m.dueDays(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []missingDays
	for _, bu := range m.cat.MailRoom.BusinessUnits {
		for _, r := range bu.Regions {
			x := missingDays{bu: bu.ID, region: r.ID}
			for _, d := range due {
				if !m.got[dailyKey{bu.ID, r.ID, d}] {
					x.days = append(x.days, d)
				}
			}
			out = append(out, x)
		}
	}
	return out
}
