package catalog

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// KPI is one contract key performance indicator: x / y × 100 over a
// reporting period with Target and Minimum Service Levels (SPEC.md
// "Customer-services KPIs"). x and y are either PromQL over slawatch's
// metrics (Source KPISourcePromQL) or a manual return entered by staff
// (KPISourceManual). docs/KPI.md describes the YAML.
type KPI struct {
	// ID is the label value kpi="..." (lower-case letters, digits, _).
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	// Owner is the contract or team the KPI belongs to, free text
	// ("OOH call handling", "Customer services", "Care provider").
	Owner string `yaml:"owner"`
	// PO is the participating organisation the KPI belongs to, if any; its
	// recorded series then carry po="...".
	PO string `yaml:"po"`
	// Source is KPISourcePromQL or KPISourceManual.
	Source string `yaml:"source"`
	// Numerator and Denominator: for a PromQL KPI, expressions whose every
	// range selector is increase(...[$__range]) (summed to one number);
	// for a manual KPI, optional text saying what the return counts.
	Numerator   string `yaml:"numerator"`
	Denominator string `yaml:"denominator"`
	// Direction is KPIHigherIsBetter or KPILowerIsBetter.
	Direction string `yaml:"direction"`
	// Target and Minimum are the Target and Minimum Service Levels in
	// percent (0 to 100); both absent for an information-only KPI.
	Target  *float64 `yaml:"target"`
	Minimum *float64 `yaml:"minimum"`
	// Frequency is how often the KPI is reported (FreqMonthly, ...).
	Frequency Frequency `yaml:"frequency"`
	// InformationOnly KPIs are reported without thresholds or RAG.
	InformationOnly bool `yaml:"information_only"`
}

// KPI sources and directions.
const (
	KPISourcePromQL   = "promql"
	KPISourceManual   = "manual"
	KPIHigherIsBetter = "higher"
	KPILowerIsBetter  = "lower"
	// RangePlaceholder stands for the window of a PromQL KPI's range
	// selectors: the period's length in a status report, the rolling
	// window (or the 5-minute tile) in the recording rules.
	RangePlaceholder = "$__range"
)

// RAG is a red/amber/green rating; the values are those of the recorded
// kpi:rag:status series.
type RAG int

// RAG ratings. RAGNone: information only, or no figure.
const (
	RAGNone  RAG = -1
	RAGRed   RAG = 0
	RAGAmber RAG = 1
	RAGGreen RAG = 2
)

func (r RAG) String() string {
	switch r {
	case RAGRed:
		return "red"
	case RAGAmber:
		return "amber"
	case RAGGreen:
		return "green"
	}
	return "none"
}

// Manual reports whether the KPI's figures come from manual returns.
func (k *KPI) Manual() bool { return k.Source == KPISourceManual }

// Lower reports whether lower is better.
func (k *KPI) Lower() bool { return k.Direction == KPILowerIsBetter }

// RAG rates an outturn in percent: at or beyond the target green, short of
// the minimum red, between them (the minimum itself included) amber; for
// lower-is-better "beyond" is below. The recording rule kpi:rag:status
// uses the same comparisons. RAGNone for an information-only KPI or a NaN.
func (k *KPI) RAG(outturn float64) RAG {
	if k.InformationOnly || k.Target == nil || k.Minimum == nil || math.IsNaN(outturn) {
		return RAGNone
	}
	meets := func(level float64) bool {
		if k.Lower() {
			return outturn <= level
		}
		return outturn >= level
	}
	return ragOf(meets(*k.Target), meets(*k.Minimum))
}

// RAGExact rates numerator/denominator × 100 in exact arithmetic (a manual
// return): 4/5 is exactly 80%, whatever float64 would make of it. The
// thresholds are taken as the decimals written in the catalogue.
func (k *KPI) RAGExact(num, den int64) RAG {
	if k.InformationOnly || k.Target == nil || k.Minimum == nil || den <= 0 {
		return RAGNone
	}
	x := new(big.Rat).SetFrac(big.NewInt(num), big.NewInt(den))
	x.Mul(x, big.NewRat(100, 1))
	meets := func(level float64) bool {
		c := x.Cmp(decimalRat(level))
		if k.Lower() {
			return c <= 0
		}
		return c >= 0
	}
	return ragOf(meets(*k.Target), meets(*k.Minimum))
}

func ragOf(target, minimum bool) RAG {
	switch {
	case target:
		return RAGGreen
	case minimum:
		return RAGAmber
	}
	return RAGRed
}

// decimalRat is f as the shortest decimal that reads back as f (92.5,
// 0.1), exactly.
func decimalRat(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
	return r
}

// ExpandRange replaces RangePlaceholder in a PromQL KPI expression with
// the window d in whole seconds (e.g. [7948800s]).
func ExpandRange(expr string, d time.Duration) string {
	return strings.ReplaceAll(expr, RangePlaceholder, fmt.Sprintf("%ds", int64(d/time.Second)))
}

// KPI returns the KPI with the id.
func (c *Catalog) KPI(id string) (*KPI, bool) {
	for i := range c.KPIs {
		if c.KPIs[i].ID == id {
			return &c.KPIs[i], true
		}
	}
	return nil, false
}

// kpiTypes are the KPI section's YAML types, for unknown-field messages.
func kpiTypes() []any { return []any{KPI{}} }

// resolveKPIs validates the catalogue's kpis: list.
func (c *Catalog) resolveKPIs(v *validator, p path) {
	seen := map[string]bool{}
	for i := range c.KPIs {
		c.resolveKPI(v, p.add(i), &c.KPIs[i], seen)
	}
}

func (c *Catalog) resolveKPI(v *validator, kp path, k *KPI, seen map[string]bool) {
	switch {
	case k.ID == "":
		v.errorf(kp.add("id"), "missing; every KPI needs an id such as calls_answered_20s")
	case v.id(kp.add("id"), k.ID, "KPI id"):
		if seen[k.ID] {
			v.errorf(kp.add("id"), "duplicate KPI id %q", k.ID)
		}
		seen[k.ID] = true
	}
	if strings.TrimSpace(k.Description) == "" {
		v.errorf(kp.add("description"), "missing; say what the KPI measures, e.g. \"%% of calls answered within 20 seconds\"")
	}
	if k.PO != "" {
		if _, ok := c.byPO[k.PO]; !ok {
			v.errorf(kp.add("po"), "unknown PO %q; valid: %s (or leave po out for a contract-wide KPI)", k.PO, strings.Join(c.POIDs(), ", "))
		}
	}
	switch k.Source {
	case KPISourcePromQL:
		v.kpiExpr(kp.add("numerator"), k.Numerator)
		v.kpiExpr(kp.add("denominator"), k.Denominator)
	case KPISourceManual:
		for _, f := range []struct{ name, text string }{{"numerator", k.Numerator}, {"denominator", k.Denominator}} {
			if strings.Contains(f.text, RangePlaceholder) {
				v.errorf(kp.add(f.name), "looks like PromQL, but source is manual (a return entered by staff); "+
					"set source: promql, or describe what the return counts, e.g. \"care visits missed\"")
			}
		}
	case "":
		v.errorf(kp.add("source"), "missing; valid: %s (numerator and denominator are PromQL) or %s (entered as returns)", KPISourcePromQL, KPISourceManual)
	default:
		v.errorf(kp.add("source"), "unknown source %q; valid: %s, %s", k.Source, KPISourcePromQL, KPISourceManual)
	}
	switch k.Direction {
	case KPIHigherIsBetter, KPILowerIsBetter:
	case "":
		v.errorf(kp.add("direction"), "missing; valid: %s (higher is better) or %s (lower is better)", KPIHigherIsBetter, KPILowerIsBetter)
	default:
		v.errorf(kp.add("direction"), "unknown direction %q; valid: %s, %s", k.Direction, KPIHigherIsBetter, KPILowerIsBetter)
	}
	switch k.Frequency {
	case FreqMonthly, FreqQuarterly, FreqSixMonthly, FreqAnnual:
	case "":
		v.errorf(kp.add("frequency"), "missing; valid: %s", strings.Join(frequencyNames(), ", "))
	default:
		v.errorf(kp.add("frequency"), "unknown frequency %q; valid: %s", k.Frequency, strings.Join(frequencyNames(), ", "))
	}
	c.kpiThresholds(v, kp, k)
}

// kpiThresholds checks target and minimum: both or (information only)
// neither, percentages, and in the KPI's direction.
func (c *Catalog) kpiThresholds(v *validator, kp path, k *KPI) {
	if k.InformationOnly {
		for _, f := range []struct {
			name string
			set  bool
		}{{"target", k.Target != nil}, {"minimum", k.Minimum != nil}} {
			if f.set {
				v.errorf(kp.add(f.name), "an information-only KPI has no thresholds; remove %s or set information_only: false", f.name)
			}
		}
		return
	}
	ok := true
	for _, f := range []struct {
		name string
		val  *float64
	}{{"target", k.Target}, {"minimum", k.Minimum}} {
		switch {
		case f.val == nil:
			v.errorf(kp.add(f.name), "missing; a KPI needs a target and a minimum service level in percent (or information_only: true)")
			ok = false
		case math.IsNaN(*f.val) || *f.val < 0 || *f.val > 100:
			v.errorf(kp.add(f.name), "must be a percentage from 0 to 100, not %g", *f.val)
			ok = false
		}
	}
	if !ok {
		return
	}
	switch {
	case k.Direction == KPIHigherIsBetter && *k.Target < *k.Minimum:
		v.errorf(kp.add("minimum"), "is %g, above the target %g; higher is better, so the minimum must be at or below the target", *k.Minimum, *k.Target)
	case k.Direction == KPILowerIsBetter && *k.Target > *k.Minimum:
		v.errorf(kp.add("minimum"), "is %g, below the target %g; lower is better, so the minimum must be at or above the target", *k.Minimum, *k.Target)
	}
}

// KPIPeriod finds the KPI and parses a period of its frequency (what a
// return or a mitigation is entered for). The errors name the valid KPI
// ids or the period form the KPI needs.
func (c *Catalog) KPIPeriod(id, period string) (*KPI, Period, error) {
	k, ok := c.KPI(id)
	if !ok {
		ids := make([]string, len(c.KPIs))
		for i := range c.KPIs {
			ids[i] = c.KPIs[i].ID
		}
		if len(ids) == 0 {
			return nil, Period{}, fmt.Errorf("unknown KPI %q: the catalogue has no kpis", clipText(id, 64))
		}
		return nil, Period{}, fmt.Errorf("unknown KPI %q; valid: %s", clipText(id, 64), strings.Join(ids, ", "))
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return nil, Period{}, err
	}
	if p.Freq != k.Frequency {
		return nil, Period{}, fmt.Errorf("period %s is a %s, but KPI %s is reported %s: use a period such as %s",
			p, p.Freq.noun(), k.ID, k.Frequency.Adverb(), p.exampleOf(k.Frequency))
	}
	return k, p, nil
}

// Adverb is the frequency in a sentence: monthly, quarterly,
// six-monthly, annually.
func (f Frequency) Adverb() string {
	switch f {
	case FreqSixMonthly:
		return "six-monthly"
	case FreqAnnual:
		return "annually"
	}
	return string(f)
}

func (f Frequency) noun() string {
	switch f {
	case FreqMonthly:
		return "month"
	case FreqQuarterly:
		return "quarter"
	case FreqSixMonthly:
		return "half year"
	}
	return "year"
}
