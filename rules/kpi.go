package rules

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus-community/prom-label-proxy/injectproxy"
	"github.com/prometheus/common/model"
	promlabels "github.com/prometheus/prometheus/model/labels"
	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

// KPIFileName is the rule file of the KPI outturn and RAG recording rules.
const KPIFileName = "kpi.rules.yml"

// Recorded KPI series (DESIGN.md, docs/KPI.md) and the exporter's input.
const (
	rKPIOutturn      = "kpi:outturn:ratio"
	rKPIRAG          = "kpi:rag:status"
	mKPIReturnLatest = "kpi_return_latest_value"
)

// GenerateKPI renders the KPI outturn and RAG recording rules with
// DefaultKPIConfig; nil when the catalogue has no KPIs.
func GenerateKPI(c *catalog.Catalog) ([]byte, error) { return GenerateKPIWith(c, DefaultKPIConfig()) }

// GenerateKPIWith renders kpi.rules.yml: kpi:outturn:ratio{kpi} (percent)
// for every KPI and kpi:rag:status{kpi} (0 red, 1 amber, 2 green) for every
// KPI that is not information only; po is added for a KPI that belongs to
// a PO. PromQL KPIs are in group slawatch-kpi (every cfg.Tile): 5-minute
// tiles of the numerator and denominator, summed over the frequency's
// rolling window. Manual KPIs are in group slawatch-kpi-manual (the global
// interval): the exporter's latest return.
func GenerateKPIWith(c *catalog.Catalog, cfg KPIConfig) ([]byte, error) {
	if len(c.KPIs) == 0 {
		return nil, nil
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	tiles := group{Name: "slawatch-kpi", Interval: cfg.Tile}
	manual := group{Name: "slawatch-kpi-manual"}
	var table strings.Builder
	for i := range c.KPIs {
		k := &c.KPIs[i]
		labels := map[string]string{"kpi": k.ID}
		if k.PO != "" {
			labels["po"] = k.PO
		}
		g := &tiles
		if k.Manual() {
			g = &manual
			g.Rules = append(g.Rules, rule{Record: rKPIOutturn, Labels: labels,
				Expr: fmt.Sprintf("max by (kpi) (last_over_time(%s{kpi=%q}[%s]))", mKPIReturnLatest, k.ID, cfg.ManualLookback)})
		} else {
			rs, err := promqlKPIRules(k, cfg, labels)
			if err != nil {
				return nil, err
			}
			g.Rules = append(g.Rules, rs...)
		}
		if !k.InformationOnly {
			g.Rules = append(g.Rules, rule{Record: rKPIRAG, Labels: labels, Expr: ragExpr(k)})
		}
		fmt.Fprintf(&table, "#   %-26s %-7s %-11s %s\n", k.ID, k.Source, k.Frequency, thresholdText(k))
	}
	var groups []group
	for _, g := range []group{tiles, manual} {
		if len(g.Rules) > 0 {
			groups = append(groups, g)
		}
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%s; do not edit\n", generatedMarker, filepath.Base(c.Source))
	buf.WriteString(strings.NewReplacer("{tile}", cfg.Tile, "{lookback}", cfg.ManualLookback,
		"{monthly}", cfg.Windows[catalog.FreqMonthly], "{quarterly}", cfg.Windows[catalog.FreqQuarterly],
		"{six_monthly}", cfg.Windows[catalog.FreqSixMonthly], "{annual}", cfg.Windows[catalog.FreqAnnual]).Replace(kpiComment))
	buf.WriteString("# KPIs (catalogue kpis):\n")
	buf.WriteString(table.String())
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(ruleFile{Groups: groups}); err != nil {
		return nil, fmt.Errorf("KPI rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("KPI rules: %w", err)
	}
	return buf.Bytes(), nil
}

// promqlKPIRules: a tile of the numerator and of the denominator every
// cfg.Tile, their sums over the rolling window, and the ratio in percent
// (no series while the window's denominator is 0). A PO's KPI has
// po="<po>" forced into every selector (the tenancy proxy's enforcer): its
// records carry that po label, so they must hold that PO's data only.
func promqlKPIRules(k *catalog.KPI, cfg KPIConfig, labels map[string]string) ([]rule, error) {
	tileD, _ := model.ParseDuration(cfg.Tile)
	window := cfg.Windows[k.Frequency]
	sel := func(name string) string { return fmt.Sprintf("%s{kpi=%q}", name, k.ID) }
	tile := func(part string) string { return "kpi:" + part + ":increase" + cfg.Tile }
	sum := func(part string) string { return "kpi:" + part + ":increase" + window }
	var out []rule
	for _, p := range []struct{ part, expr string }{{"numerator", k.Numerator}, {"denominator", k.Denominator}} {
		expr := catalog.ExpandRange(p.expr, time.Duration(tileD))
		if k.PO != "" {
			var err error
			enforcer := injectproxy.NewPromQLEnforcer(true, promlabels.MustNewMatcher(promlabels.MatchEqual, "po", k.PO))
			if expr, err = enforcer.Enforce(expr); err != nil {
				return nil, fmt.Errorf("KPI %s (po %s): %s: %w; its selectors may name only po=%q", k.ID, k.PO, p.part, err, k.PO)
			}
		}
		out = append(out,
			rule{Record: tile(p.part), Labels: labels, Expr: "sum(" + expr + ")"},
			rule{Record: sum(p.part), Labels: labels, Expr: fmt.Sprintf("sum_over_time(%s[%s])", sel(tile(p.part)), window)})
	}
	n, d := sel(sum("numerator")), sel(sum("denominator"))
	out = append(out, rule{Record: rKPIOutturn, Labels: labels,
		Expr: fmt.Sprintf("100 * (%s or 0 * %s)\n/\n(%s > 0)", n, d, d)})
	return out, nil
}

// ragExpr is 2 at or beyond the target, 1 at or beyond the minimum, else
// 0: the same comparisons as catalog.KPI.RAG.
func ragExpr(k *catalog.KPI) string {
	op := ">="
	if k.Lower() {
		op = "<="
	}
	x := fmt.Sprintf("%s{kpi=%q}", rKPIOutturn, k.ID)
	return fmt.Sprintf("(%s %s bool %s)\n+\n(%s %s bool %s)", x, op, num(*k.Target), x, op, num(*k.Minimum))
}

func thresholdText(k *catalog.KPI) string {
	if k.InformationOnly {
		return "information only"
	}
	better := "higher is better"
	if k.Lower() {
		better = "lower is better"
	}
	return fmt.Sprintf("%s, target %s%%, minimum %s%%", better, num(*k.Target), num(*k.Minimum))
}

const kpiComment = `#
# Contract KPI recording rules (SPEC.md "Customer-services KPIs", docs/KPI.md).
# - kpi:outturn:ratio{kpi} is x / y x 100, in percent; kpi:rag:status{kpi} is
#   2 (green) at or beyond the target, 1 (amber) at or beyond the minimum (the
#   minimum itself is amber), 0 (red) short of it; "beyond" is below for
#   lower-is-better KPIs. Information-only KPIs have no kpi:rag:status. A KPI
#   of a PO also carries po.
# - PromQL KPIs (group slawatch-kpi, every {tile}): the catalogue's numerator
#   and denominator with $__range = {tile}, summed to one number, recorded as
#   kpi:numerator|denominator:increase{tile} tiles; tiles follow one another
#   without overlap, so sum_over_time(tile[window]) is the count over a
#   rolling window of the KPI's frequency (monthly {monthly}, quarterly
#   {quarterly}, six-monthly {six_monthly}, annual {annual}); each window
#   reads one sample per tile. No outturn while the window's denominator is 0.
#   The window needs that much retention; until then it covers what there is.
# - Manual KPIs (group slawatch-kpi-manual): the exporter's
#   kpi_return_latest_value{kpi} (the latest return of the newest period that
#   has one), last seen within {lookback}.
# - These are the live view over rolling windows. The contract figure of a
#   calendar period is slawatch kpi status --period P (the exact period).
`
