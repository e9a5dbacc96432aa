package catalog

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
)

// kpiCatalogue is a one-PO catalogue whose kpis: section is kpis
// (starting on line 8).
func kpiCatalogue(kpis string) string {
	return `version: 1
organisations:
  - id: acme
    name: Acme Borough
    service_options:
      - {id: noise, standards: [{standard: gold, from: "2026-01-01"}]}
    access_numbers: [{number: "+442079460901", service_options: ["*"]}]
kpis:
` + kpis
}

const kpiGood = `  - id: answered_20s
    description: "% answered within 20 s"
    owner: OOH call handling
    source: promql
    numerator: 'sum(increase(telephony_answer_wait_seconds_bucket{le=~"20(\\.0)?"}[$__range]))'
    denominator: sum(increase(telephony_calls_offered_total[$__range]))
    direction: higher
    target: 80
    minimum: 75
    frequency: monthly
  - id: visits_missed
    description: "% care visits missed"
    owner: Care provider
    po: acme
    source: manual
    numerator: visits missed
    denominator: visits scheduled
    direction: lower
    target: 2
    minimum: 5
    frequency: quarterly
  - id: info
    description: "% out of scope"
    source: manual
    direction: lower
    information_only: true
    frequency: annual
`

func TestKPIValid(t *testing.T) {
	c, err := Parse("k.yaml", []byte(kpiCatalogue(kpiGood)))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.KPIs) != 3 {
		t.Fatalf("got %d KPIs, want 3", len(c.KPIs))
	}
	k, ok := c.KPI("visits_missed")
	if !ok || !k.Manual() || !k.Lower() || k.PO != "acme" || *k.Target != 2 || *k.Minimum != 5 || k.Frequency != FreqQuarterly {
		t.Errorf("visits_missed = %+v", k)
	}
	if _, ok := c.KPI("nope"); ok {
		t.Error("KPI(nope) found")
	}
}

func TestExampleKPIs(t *testing.T) {
	c, err := Load("../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var promql, manual, info, lower int
	freqs := map[Frequency]bool{}
	for _, k := range c.KPIs {
		switch {
		case k.Manual():
			manual++
		default:
			promql++
		}
		if k.InformationOnly {
			info++
		}
		if k.Lower() && !k.InformationOnly {
			lower++
		}
		freqs[k.Frequency] = true
	}
	if promql < 4 || manual < 2 || info < 1 || lower < 2 || len(freqs) != 4 {
		t.Errorf("example KPIs: %d promql, %d manual, %d information only, %d lower-is-better, frequencies %v; "+
			"want the call-handling, customer-services, survey, information-only and care-provider examples over all four frequencies",
			promql, manual, info, lower, freqs)
	}
}

// TestKPIInvalid is the table of bad KPIs with their exact messages
// (file:line: field: message).
func TestKPIInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, kpis string
		want       []string
	}{
		{"nothing", `  - {}
`, []string{
			`k.yaml:9: kpis[0].id: missing; every KPI needs an id such as calls_answered_20s`,
			`k.yaml:9: kpis[0].description: missing; say what the KPI measures, e.g. "% of calls answered within 20 seconds"`,
			`k.yaml:9: kpis[0].source: missing; valid: promql (numerator and denominator are PromQL) or manual (entered as returns)`,
			`k.yaml:9: kpis[0].direction: missing; valid: higher (higher is better) or lower (lower is better)`,
			`k.yaml:9: kpis[0].frequency: missing; valid: monthly, quarterly, six_monthly, annual`,
			`k.yaml:9: kpis[0].target: missing; a KPI needs a target and a minimum service level in percent (or information_only: true)`,
			`k.yaml:9: kpis[0].minimum: missing; a KPI needs a target and a minimum service level in percent (or information_only: true)`,
		}},
		{"bad words", `  - {id: Bad-Id, description: x, source: sql, direction: up, frequency: weekly, target: 101, minimum: -1, po: nowhere}
`, []string{
			`k.yaml:9: kpis[0].id: KPI id "Bad-Id" must be lower-case letters, digits and _ and start with a letter`,
			`k.yaml:9: kpis[0].po: unknown PO "nowhere"; valid: acme (or leave po out for a contract-wide KPI)`,
			`k.yaml:9: kpis[0].source: unknown source "sql"; valid: promql, manual`,
			`k.yaml:9: kpis[0].direction: unknown direction "up"; valid: higher, lower`,
			`k.yaml:9: kpis[0].frequency: unknown frequency "weekly"; valid: monthly, quarterly, six_monthly, annual`,
			`k.yaml:9: kpis[0].target: must be a percentage from 0 to 100, not 101`,
			`k.yaml:9: kpis[0].minimum: must be a percentage from 0 to 100, not -1`,
		}},
		{"thresholds the wrong way round", `  - {id: a, description: x, source: manual, direction: higher, frequency: monthly, target: 80, minimum: 85}
  - {id: b, description: x, source: manual, direction: lower, frequency: monthly, target: 5, minimum: 2}
`, []string{
			`k.yaml:9: kpis[0].minimum: is 85, above the target 80; higher is better, so the minimum must be at or below the target`,
			`k.yaml:10: kpis[1].minimum: is 2, below the target 5; lower is better, so the minimum must be at or above the target`,
		}},
		{"information only with thresholds, duplicate id", `  - {id: a, description: x, source: manual, direction: higher, frequency: monthly, information_only: true, target: 80}
  - {id: a, description: x, source: manual, direction: higher, frequency: monthly, information_only: true}
`, []string{
			`k.yaml:9: kpis[0].target: an information-only KPI has no thresholds; remove target or set information_only: false`,
			`k.yaml:10: kpis[1].id: duplicate KPI id "a"`,
		}},
		{"promql problems", `  - id: a
    description: x
    source: promql
    numerator: sum(increase(x[5m]))
    denominator: sum(rate(y[$__range]))
    direction: higher
    frequency: monthly
    target: 80
    minimum: 70
  - id: b
    description: x
    source: promql
    numerator: sum(increase(x{[$__range]))
    denominator: sum(increase(y[$__range] offset 1h))
    direction: higher
    frequency: monthly
    target: 80
    minimum: 70
  - id: c
    description: x
    source: manual
    numerator: sum(increase(x[$__range]))
    direction: higher
    frequency: monthly
    target: 80
    minimum: 70
`, []string{
			`k.yaml:12: kpis[0].numerator: has no $__range; write every range as [$__range], e.g. increase(telephony_calls_offered_total[$__range]), so the period decides the window`,
			`k.yaml:13: kpis[0].denominator: uses [$__range] outside increase(); KPI figures are counts: increase(counter[$__range])`,
			`k.yaml:21: kpis[1].numerator: is not valid PromQL (with $__range as a duration): 1:16: parse error: unexpected character inside braces: '['`,
			`k.yaml:22: kpis[1].denominator: selects y with offset or @; the period decides the time, leave them out`,
			`k.yaml:30: kpis[2].numerator: looks like PromQL, but source is manual (a return entered by staff); set source: promql, or describe what the return counts, e.g. "care visits missed"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("k.yaml", []byte(kpiCatalogue(tc.kpis)))
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestCheckKPIExpr(t *testing.T) {
	for _, tc := range []struct{ expr, err string }{
		{`sum(increase(a[$__range])) + sum(increase(b{x="y"}[$__range]))`, ""},
		{`increase(a[$__range])`, ""},
		{`sum by (po) (increase(a[$__range]))`, ""},
		{`sum(increase(a[$__range])) * 2`, ""},
		{``, "missing"},
		{`sum(a)`, "has no $__range"},
		{`increase(a[$__range])[5m:1m]`, "is a matrix; want an instant vector"},
		{`sum_over_time(increase(a[$__range])[1h:5m])`, "has a subquery"},
		{`sum(increase(a[$__range] @ 100))`, "offset or @"},
		{`max_over_time(a[$__range])`, "outside increase()"},
		{`sum(increase(a[$__range])) / sum(increase(b[1d]))`, "has a range selector [1d]"},
		{`$__range`, "is a scalar; want an instant vector"},
		{`sum(increase(a[$__range])) * $__range`, "uses $__range outside a range selector"},
		{`sum(increase(a{b="$__range"}[$__range]))`, "uses $__range outside a range selector"},
	} {
		err := CheckKPIExpr(tc.expr)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.expr, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one containing %q", tc.expr, err, tc.err)
		}
	}
}

func f64(v float64) *float64 { return &v }

// TestKPIRAGBoundaries: at or beyond target green, at exactly the minimum
// amber, short of it red; lower-is-better mirrored. RAG (float outturns,
// as the rules see them) and RAGExact (returns) agree.
func TestKPIRAGBoundaries(t *testing.T) {
	higher := KPI{Direction: KPIHigherIsBetter, Target: f64(80), Minimum: f64(75)}
	lower := KPI{Direction: KPILowerIsBetter, Target: f64(2), Minimum: f64(5)}
	for _, tc := range []struct {
		k        *KPI
		num, den int64
		want     RAG
	}{
		{&higher, 100, 100, RAGGreen},
		{&higher, 80, 100, RAGGreen}, // exactly target
		{&higher, 4, 5, RAGGreen},    // 80% as 4/5
		{&higher, 7999, 10000, RAGAmber},
		{&higher, 75, 100, RAGAmber}, // exactly minimum
		{&higher, 3, 4, RAGAmber},
		{&higher, 7499, 10000, RAGRed},
		{&higher, 0, 10, RAGRed},
		{&lower, 0, 100, RAGGreen},
		{&lower, 2, 100, RAGGreen}, // exactly target
		{&lower, 1, 50, RAGGreen},
		{&lower, 201, 10000, RAGAmber},
		{&lower, 5, 100, RAGAmber}, // exactly minimum
		{&lower, 1, 20, RAGAmber},
		{&lower, 501, 10000, RAGRed},
		{&lower, 100, 100, RAGRed},
	} {
		if got := tc.k.RAGExact(tc.num, tc.den); got != tc.want {
			t.Errorf("%s target %g minimum %g: RAGExact(%d/%d) = %s, want %s", tc.k.Direction, *tc.k.Target, *tc.k.Minimum, tc.num, tc.den, got, tc.want)
		}
		x := 100 * float64(tc.num) / float64(tc.den)
		if got := tc.k.RAG(x); got != tc.want {
			t.Errorf("%s target %g minimum %g: RAG(%g) = %s, want %s", tc.k.Direction, *tc.k.Target, *tc.k.Minimum, x, got, tc.want)
		}
	}
	info := KPI{Direction: KPIHigherIsBetter, InformationOnly: true}
	if info.RAG(50) != RAGNone || info.RAGExact(1, 2) != RAGNone || higher.RAG(math.NaN()) != RAGNone || higher.RAGExact(1, 0) != RAGNone {
		t.Error("information-only, NaN and zero-denominator figures must have no RAG")
	}
	odd := KPI{Direction: KPIHigherIsBetter, Target: f64(92.5), Minimum: f64(33.3)}
	if odd.RAGExact(925, 1000) != RAGGreen || odd.RAGExact(333, 1000) != RAGAmber || odd.RAGExact(332, 1000) != RAGRed {
		t.Error("decimal thresholds are compared exactly as written")
	}
}

func TestKPIPeriod(t *testing.T) {
	c, err := Parse("k.yaml", []byte(kpiCatalogue(kpiGood)))
	if err != nil {
		t.Fatal(err)
	}
	if k, p, err := c.KPIPeriod("visits_missed", "2026-Q3"); err != nil || k.ID != "visits_missed" || p.String() != "2026-Q3" {
		t.Errorf("KPIPeriod(visits_missed, 2026-Q3) = %v, %v, %v", k, p, err)
	}
	for _, tc := range []struct{ id, period, want string }{
		{"nope", "2026-Q3", `unknown KPI "nope"; valid: answered_20s, visits_missed, info`},
		{"visits_missed", "2026-09", `period 2026-09 is a month, but KPI visits_missed is reported quarterly: use a period such as 2026-Q3`},
		{"answered_20s", "2026-H2", `period 2026-H2 is a half year, but KPI answered_20s is reported monthly: use a period such as 2026-07`},
		{"info", "2026-Q1", `period 2026-Q1 is a quarter, but KPI info is reported annually: use a period such as 2026`},
		{"info", "26", `period "26": too short; want ` + periodForms},
	} {
		_, _, err := c.KPIPeriod(tc.id, tc.period)
		if err == nil || err.Error() != tc.want {
			t.Errorf("KPIPeriod(%s, %s) = %v\nwant %s", tc.id, tc.period, err, tc.want)
		}
	}
}

// FuzzCheckKPIExpr: no expression panics the check; one it accepts parses
// with the rules' 5m tile and with a period's length in place of
// $__range (what rules/kpi.go and the status report send).
func FuzzCheckKPIExpr(f *testing.F) {
	for _, s := range []string{`sum(increase(a[$__range]))`, `increase(a{b="c"}[$__range]) / 2`, `sum(a)`, `max_over_time(a[$__range])`,
		`sum(increase(a[$__range] offset 1h))`, `$__range`, `(increase(a[$__range]))[5m:]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if CheckKPIExpr(expr) != nil {
			return
		}
		for _, d := range []time.Duration{5 * time.Minute, 92 * 24 * time.Hour} {
			if _, err := parser.ParseExpr("sum(" + ExpandRange(expr, d) + ")"); err != nil {
				t.Fatalf("%q accepted, but with [%s] it does not parse: %v", expr, d, err)
			}
		}
	})
}
