package dashboards

import (
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/exporters/kpi"
	"github.com/slawatch/slawatch/exporters/linetest"
	"github.com/slawatch/slawatch/exporters/loneworker"
	"github.com/slawatch/slawatch/exporters/mailroom"
	"github.com/slawatch/slawatch/exporters/telephony"
	"github.com/slawatch/slawatch/rules"
	"github.com/slawatch/slawatch/store"
)

// prometheusOwn are the series Prometheus makes itself, by prefix or
// name: a target's scrape series and its own metrics (the boards read
// rule evaluation from them), and the alert series the rule manager
// writes. Everything else must come from an exporter or a recording rule.
var prometheusOwn = struct{ names, prefixes []string }{
	names:    []string{"up", "ALERTS", "ALERTS_FOR_STATE"},
	prefixes: []string{"scrape_", "prometheus_"},
}

// produced is every metric name a board may select.
type produced struct {
	names map[string]string // name → where it comes from
}

func (p produced) has(name string) (string, bool) {
	if from, ok := p.names[name]; ok {
		return from, true
	}
	for _, n := range prometheusOwn.names {
		if name == n {
			return "Prometheus", true
		}
	}
	for _, pre := range prometheusOwn.prefixes {
		if strings.HasPrefix(name, pre) {
			return "Prometheus", true
		}
	}
	return "", false
}

// producedMetrics collects the names honestly: the recording rules that
// rules.Generate writes for the catalogue, and every metric the real
// exporters, lone-worker service and pager register when built on a
// scratch store (each collector's Describe, plus the type of what they
// expose, so a histogram's _bucket, _sum and _count series count and a
// counter's do not).
func producedMetrics(t *testing.T, c *catalog.Catalog) produced {
	t.Helper()
	p := produced{names: map[string]string{}}
	files, err := rules.Generate(c)
	if err != nil {
		t.Fatalf("rules.Generate: %v", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		groups, errs := rulefmt.Parse(files[n], false, model.UTF8Validation)
		if len(errs) > 0 {
			t.Fatalf("generated rule file %s: %v", n, errs)
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					p.names[r.Record] = "recording rule in " + n
				}
			}
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "events.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg := newDescribingRegistry()
	cat := func(context.Context) (*catalog.Catalog, error) { return c, nil }
	if _, err := telephony.New(ctx, telephony.Options{Catalog: c, Store: st, Logger: log, Registerer: reg}); err != nil {
		t.Fatalf("telephony: %v", err)
	}
	if _, err := crm.New(ctx, crm.Options{Catalog: c, Store: st, Logger: log, Registerer: reg}); err != nil {
		t.Fatalf("crm: %v", err)
	}
	if _, err := mailroom.New(ctx, mailroom.Options{Catalog: c, Store: st, Logger: log, Registerer: reg}); err != nil {
		t.Fatalf("mailroom: %v", err)
	}
	if _, err := kpi.New(kpi.Options{Catalog: c, Store: st, Logger: log, Registerer: reg}); err != nil {
		t.Fatalf("kpi: %v", err)
	}
	if _, err := linetest.New(ctx, linetest.Options{Catalog: c, Store: st, Dialer: linetest.NewSimDialer(linetest.SimOptions{}), Registerer: reg, Logger: log}); err != nil {
		t.Fatalf("linetest: %v", err)
	}
	if _, err := loneworker.New(loneworker.Options{Catalog: cat, Store: st, Logger: log, Registerer: reg}); err != nil {
		t.Fatalf("loneworker: %v", err)
	}
	if _, err := alerting.NewPager(alerting.PagerOptions{Catalog: cat, Store: st, Logger: log, Registerer: reg}); err != nil {
		t.Fatalf("pager: %v", err)
	}
	exposed, err := reg.series()
	if err != nil {
		t.Fatal(err)
	}
	for n, from := range exposed {
		p.names[n] = from
	}
	return p
}

// describingRegistry is a real registry that also remembers, for each
// collector registered, the metric names its Describe announces and, when
// it can tell, their type.
type describingRegistry struct {
	*prometheus.Registry
	described map[string]dto.MetricType // name → type (-1: not known yet)
}

func newDescribingRegistry() *describingRegistry {
	return &describingRegistry{Registry: prometheus.NewRegistry(), described: map[string]dto.MetricType{}}
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

func (r *describingRegistry) Register(c prometheus.Collector) error {
	if err := r.Registry.Register(c); err != nil {
		return err
	}
	typ := dto.MetricType(-1)
	switch c.(type) {
	case *prometheus.HistogramVec, prometheus.Histogram:
		typ = dto.MetricType_HISTOGRAM
	case *prometheus.SummaryVec, prometheus.Summary:
		typ = dto.MetricType_SUMMARY
	}
	ch := make(chan *prometheus.Desc)
	go func() { c.Describe(ch); close(ch) }()
	for d := range ch {
		// Desc has no accessor for its name; its String form is stable
		// (Desc{fqName: "…", help: …}).
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			r.described[m[1]] = typ
		}
	}
	return nil
}

func (r *describingRegistry) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

// series are the series names the registered collectors produce: each
// described name, and for a histogram or summary (typed by its collector
// or by what it exposes now) its _bucket, _sum and _count.
func (r *describingRegistry) series() (map[string]string, error) {
	mfs, err := r.Gather()
	if err != nil {
		return nil, err
	}
	types := map[string]dto.MetricType{}
	for n, t := range r.described {
		types[n] = t
	}
	for _, mf := range mfs {
		types[mf.GetName()] = mf.GetType()
	}
	out := map[string]string{}
	for n, t := range types {
		out[n] = "exporter"
		switch t {
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			out[n+"_bucket"], out[n+"_sum"], out[n+"_count"] = "exporter", "exporter", "exporter"
		case dto.MetricType_SUMMARY:
			out[n+"_sum"], out[n+"_count"] = "exporter", "exporter"
		}
	}
	return out, nil
}
