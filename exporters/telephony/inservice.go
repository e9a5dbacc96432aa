package telephony

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
)

// inService exposes slawatch_po_in_service{po}: 1 while the provider
// answers the PO's calls (catalog.InService for the PO as a whole), else 0.
// PromQL cannot know UK bank holidays or the working days between
// Christmas and New Year, so the platform alert rules read service hours
// from this gauge. It is computed at every scrape with the exporter's clock.
type inService struct {
	cat  *catalog.Catalog
	now  func() time.Time
	desc *prometheus.Desc
}

func newInService(c *catalog.Catalog, now func() time.Time) *inService {
	return &inService{cat: c, now: now, desc: prometheus.NewDesc(
		"slawatch_po_in_service",
		"1 while the provider answers the PO's calls (its hours of service, bank holidays and Christmas working days from the catalogue), else 0.",
		[]string{"po"}, nil)}
}

// Describe implements prometheus.Collector.
func (s *inService) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }

// Collect implements prometheus.Collector: one sample per catalogue PO.
func (s *inService) Collect(ch chan<- prometheus.Metric) {
	now := s.now()
	for _, po := range s.cat.POIDs() {
		v := 0.0
		if s.cat.InService(po, "", now) {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(s.desc, prometheus.GaugeValue, v, po)
	}
}
