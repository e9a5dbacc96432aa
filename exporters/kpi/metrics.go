package kpi

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// scrapeTimeout bounds the store reads of one scrape.
const scrapeTimeout = 5 * time.Second

var (
	descReturnValue = prometheus.NewDesc("kpi_return_value",
		"Latest manual return of a KPI for a period, numerator / denominator x 100 (percent); the current and recent periods.",
		[]string{"kpi", "period"}, nil)
	descReturnLatest = prometheus.NewDesc("kpi_return_latest_value",
		"Latest manual return of the newest recent period of a KPI that has one (percent): the input of kpi:outturn:ratio.",
		[]string{"kpi"}, nil)
	descMitigated = prometheus.NewDesc("kpi_mitigated",
		"1 if the KPI's period is mitigated by agreement, else 0; the current and recent periods of every KPI with thresholds.",
		[]string{"kpi", "period"}, nil)
)

// collector reads the store at every scrape: returns and mitigations may
// be entered by another process (the CLI writes the store directly).
type collector struct {
	e          *Exporter
	readErrors prometheus.Counter
}

func newCollector(e *Exporter) *collector {
	return &collector{e: e, readErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "kpi_store_read_errors_total",
		Help: "Scrapes whose store read failed (the kpi_* series are then left out of that scrape)."})}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descReturnValue
	ch <- descReturnLatest
	ch <- descMitigated
	c.readErrors.Describe(ch)
}

// recentPeriods are the current period of f at now and the ones before
// it, newest first.
func recentPeriods(f catalog.Frequency, now time.Time, loc *time.Location, n int) []catalog.Period {
	p := catalog.PeriodOf(f, now, loc)
	out := make([]catalog.Period, 0, n)
	for range n {
		out = append(out, p)
		p = p.Prev()
	}
	return out
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	defer func() { ch <- c.readErrors }()
	e := c.e
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	loc, now := e.o.Catalog.Location(), e.o.Now()
	recent := map[string][]catalog.Period{}
	var names []string
	for _, f := range []catalog.Frequency{catalog.FreqMonthly, catalog.FreqQuarterly, catalog.FreqSixMonthly, catalog.FreqAnnual} {
		ps := recentPeriods(f, now, loc, e.o.RecentPeriods)
		recent[string(f)] = ps
		for _, p := range ps {
			names = append(names, p.String())
		}
	}
	rets, err := e.o.Store.KPIReturns(ctx, store.KPIFilter{Periods: names, Latest: true})
	var mits []store.KPIMitigation
	if err == nil {
		mits, err = e.o.Store.KPIMitigations(ctx, store.KPIFilter{Periods: names, Latest: true})
	}
	if err != nil {
		c.readErrors.Inc()
		e.o.Logger.Warn("kpi metrics: store read failed; kpi_* series left out of this scrape", "err", err)
		return
	}
	type key struct{ kpi, period string }
	ret := map[key]store.KPIReturn{}
	for _, r := range rets {
		ret[key{r.KPI, r.Period}] = r
	}
	mit := map[key]bool{}
	for _, m := range mits {
		mit[key{m.KPI, m.Period}] = true
	}
	for i := range e.o.Catalog.KPIs {
		k := &e.o.Catalog.KPIs[i]
		latest := false
		for _, p := range recent[string(k.Frequency)] {
			name := p.String()
			if k.Manual() {
				if r, ok := ret[key{k.ID, name}]; ok {
					v := percent(r.Numerator, r.Denominator)
					ch <- prometheus.MustNewConstMetric(descReturnValue, prometheus.GaugeValue, v, k.ID, name)
					if !latest {
						ch <- prometheus.MustNewConstMetric(descReturnLatest, prometheus.GaugeValue, v, k.ID)
						latest = true
					}
				}
			}
			if !k.InformationOnly {
				v := 0.0
				if mit[key{k.ID, name}] {
					v = 1
				}
				ch <- prometheus.MustNewConstMetric(descMitigated, prometheus.GaugeValue, v, k.ID, name)
			}
		}
	}
}

func percent(num, den int64) float64 { return 100 * float64(num) / float64(den) }
