package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Units (Grafana's unit ids) the boards use.
const (
	unitRatio   = "percentunit" // 0..1 shown as a percentage
	unitSeconds = "s"
	unitCount   = "short"
	unitRate    = "suffix: calls/h" // a rate already multiplied by 3600 (Grafana custom unit)
	unitState   = "none"            // a 0/1 state shown through value mappings
)

// kind is the visualisation of a panel.
type kind int

const (
	kindStat kind = iota
	kindTimeseries
	kindTable
	kindBarGauge
)

// query is one PromQL target. Stat, bar gauge and table panels query at
// the end of the time range (instant); time series over the range.
type query struct {
	Expr   string
	Legend string
	// Column is a table's header for this query's value (tables only).
	Column string
	// Unit of this query's column when it differs from the panel's.
	Unit string
	// Mappings of this query's column only (tables).
	Mappings []dashboard.ValueMapping
}

// panel is one panel, independent of its visualisation.
type panel struct {
	Kind        kind
	Title       string
	Description string
	Unit        string
	W, H        uint32
	// TimeFrom overrides the board's time range: "now/d" is today so far
	// (its queries use $__range), "7d" the last 7 days.
	TimeFrom string
	Queries  []query
	// Steps are colour thresholds: the base colour, then (value, colour)
	// from each value up.
	Base  string
	Steps []step
	// Mappings show values as text (pass/fail, no calls).
	Mappings []dashboard.ValueMapping
	Min, Max *float64
	Decimals *float64
	// Links are data links (a table row to another board).
	Links []dataLink
	// Stack draws a time series stacked.
	Stack bool
	// SortBy is a table column sorted ascending (worst first for a
	// ratio); Hide are label columns a table leaves out.
	SortBy string
	Hide   []string
}

type step struct {
	Value float64
	Color string
}

type dataLink struct{ Title, URL string }

// common is the part of the SDK's panel builders every visualisation has;
// each builder returns its own type, hence the type parameter.
type commonBuilder[T any] interface {
	cog.Builder[dashboard.Panel]
	Id(uint32) T
	Title(string) T
	Description(string) T
	Unit(string) T
	Datasource(common.DataSourceRef) T
	Height(uint32) T
	Span(uint32) T
	WithTarget(cog.Builder[variants.Dataquery]) T
	TimeFrom(string) T
	Thresholds(cog.Builder[dashboard.ThresholdsConfig]) T
	Mappings([]dashboard.ValueMapping) T
	Min(float64) T
	Max(float64) T
	Decimals(float64) T
	DataLinks([]cog.Builder[dashboard.DashboardLink]) T
	OverrideByName(string, []dashboard.DynamicConfigValue) T
	NoValue(string) T
}

func apply[T commonBuilder[T]](b T, p panel, id uint32, instant bool) T {
	b.Id(id).Title(p.Title).Unit(p.Unit).Datasource(datasource()).Height(p.H).Span(p.W).NoValue("no data")
	if p.Description != "" {
		b.Description(p.Description)
	}
	if p.TimeFrom != "" {
		b.TimeFrom(p.TimeFrom)
	}
	for i, q := range p.Queries {
		t := prometheus.NewDataqueryBuilder().
			Expr(q.Expr).
			RefId(refID(i)).
			Datasource(datasource()).
			LegendFormat(legend(q.Legend))
		switch {
		case p.Kind == kindTable:
			t.Instant().Format(prometheus.PromQueryFormatTable)
		case instant:
			t.Instant()
		default:
			t.Range()
		}
		b.WithTarget(t)
	}
	base := p.Base
	if base == "" {
		base = "green"
	}
	steps := []dashboard.Threshold{{Color: base}}
	for _, s := range p.Steps {
		steps = append(steps, dashboard.Threshold{Value: cog.ToPtr(s.Value), Color: s.Color})
	}
	b.Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps))
	if len(p.Mappings) > 0 {
		b.Mappings(p.Mappings)
	}
	if p.Min != nil {
		b.Min(*p.Min)
	}
	if p.Max != nil {
		b.Max(*p.Max)
	}
	if p.Decimals != nil {
		b.Decimals(*p.Decimals)
	}
	if len(p.Links) > 0 {
		var ls []cog.Builder[dashboard.DashboardLink]
		for _, l := range p.Links {
			ls = append(ls, dashboard.NewDashboardLinkBuilder(l.Title).Type(dashboard.DashboardLinkTypeLink).Url(l.URL))
		}
		b.DataLinks(ls)
	}
	for _, q := range p.Queries {
		if q.Column == "" {
			continue
		}
		var props []dashboard.DynamicConfigValue
		if q.Unit != "" {
			props = append(props, dashboard.DynamicConfigValue{Id: "unit", Value: q.Unit})
		}
		if len(q.Mappings) > 0 {
			props = append(props, dashboard.DynamicConfigValue{Id: "mappings", Value: q.Mappings})
		}
		if len(props) > 0 {
			b.OverrideByName(q.Column, props)
		}
	}
	return b
}

// build renders the panel with its visualisation.
func (p panel) build(id uint32) cog.Builder[dashboard.Panel] {
	if p.W == 0 {
		p.W = 6
	}
	if p.H == 0 {
		p.H = 6
	}
	switch p.Kind {
	case kindTimeseries:
		b := apply(timeseries.NewPanelBuilder(), p, id, false).
			LineWidth(1).FillOpacity(10).ShowPoints(common.VisibilityModeNever).
			Legend(common.NewVizLegendOptionsBuilder().ShowLegend(true).DisplayMode(common.LegendDisplayModeTable).Placement(common.LegendPlacementRight).Calcs([]string{"lastNotNull", "max"}))
		if p.Stack {
			b.Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal))
		}
		return b
	case kindTable:
		b := apply(table.NewPanelBuilder(), p, id, true).
			CellHeight(common.TableCellHeightSm).
			ShowHeader(true)
		b.WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}})
		b.WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: organize(p.Queries, p.Hide)})
		if p.SortBy != "" {
			b.SortBy([]cog.Builder[common.TableSortByFieldState]{common.NewTableSortByFieldStateBuilder().DisplayName(p.SortBy).Desc(false)})
		}
		return b
	// Stat and bar gauge panels reduce their one instant value with
	// "last", not "lastNotNull": Grafana's lastNotNull also skips NaN, which
	// would show "no data" where the mapping should say "no calls".
	case kindBarGauge:
		return apply(bargauge.NewPanelBuilder(), p, id, true).
			DisplayMode(common.BarGaugeDisplayModeBasic).
			Orientation(common.VizOrientationHorizontal).
			ShowUnfilled(true).
			ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"last"}).Values(false))
	default:
		return apply(stat.NewPanelBuilder(), p, id, true).
			ColorMode(common.BigValueColorModeBackground).
			GraphMode(common.BigValueGraphModeNone).
			TextMode(common.BigValueTextModeValueAndName).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"last"}).Values(false))
	}
}

// organize hides the Time column (and hide) and names each query's value
// column.
func organize(qs []query, hide []string) map[string]any {
	exclude := map[string]any{"Time": true}
	for _, h := range hide {
		exclude[h] = true
	}
	rename := map[string]any{}
	for i, q := range qs {
		if q.Column != "" {
			rename["Value #"+refID(i)] = q.Column
		}
	}
	return map[string]any{
		"excludeByName": exclude,
		"renameByName":  rename,
	}
}

func refID(i int) string { return string(rune('A' + i)) }

func legend(s string) string {
	if s == "" {
		return "__auto"
	}
	return s
}

// Value mappings shared by several panels.

// passFail shows 1 as pass (green) and 0 as fail (red).
func passFail() []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
		Type: dashboard.MappingTypeValueToText,
		Options: map[string]dashboard.ValueMappingResult{
			"0": {Text: cog.ToPtr("FAIL"), Color: cog.ToPtr("red"), Index: cog.ToPtr(int32(0))},
			"1": {Text: cog.ToPtr("pass"), Color: cog.ToPtr("green"), Index: cog.ToPtr(int32(1))},
		},
	}}}
}

// yesNo shows 1 as text yes and 0 as text no.
func yesNo(yes, no string) []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
		Type: dashboard.MappingTypeValueToText,
		Options: map[string]dashboard.ValueMappingResult{
			"0": {Text: cog.ToPtr(no), Index: cog.ToPtr(int32(0))},
			"1": {Text: cog.ToPtr(yes), Index: cog.ToPtr(int32(1))},
		},
	}}}
}

// firing shows 1 as FIRING (red) and 0 as ok (green).
func firing() []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
		Type: dashboard.MappingTypeValueToText,
		Options: map[string]dashboard.ValueMappingResult{
			"0": {Text: cog.ToPtr("ok"), Color: cog.ToPtr("green"), Index: cog.ToPtr(int32(0))},
			"1": {Text: cog.ToPtr("FIRING"), Color: cog.ToPtr("red"), Index: cog.ToPtr(int32(1))},
		},
	}}}
}

// noCalls shows NaN (a ratio with nothing to divide: no calls in the
// window) as "no calls".
func noCalls() []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{SpecialValueMap: &dashboard.SpecialValueMap{
		Type: dashboard.MappingTypeSpecialValue,
		Options: dashboard.DashboardSpecialValueMapOptions{
			Match:  dashboard.SpecialValueMatchNaN,
			Result: dashboard.ValueMappingResult{Text: cog.ToPtr("no calls"), Color: cog.ToPtr("text"), Index: cog.ToPtr(int32(0))},
		},
	}}}
}

func f(v float64) *float64 { return &v }
