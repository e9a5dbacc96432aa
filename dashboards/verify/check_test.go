package verify

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/dashboards"
)

// fakeProm answers queries from a table of expression → result, and label
// values from a table of label → values; the queries it was asked are
// recorded.
type fakeProm struct {
	results map[string]model.Value
	errs    map[string]error
	values  map[string][]string
	asked   []string
}

func (f *fakeProm) Query(_ context.Context, expr string, _ time.Time) (model.Value, error) {
	f.asked = append(f.asked, expr)
	if err := f.errs[expr]; err != nil {
		return nil, err
	}
	if v, ok := f.results[expr]; ok {
		return v, nil
	}
	return model.Vector{}, nil
}

func (f *fakeProm) QueryRange(_ context.Context, expr string, _ v1.Range) (model.Value, error) {
	if v, ok := f.results[expr].(model.Vector); ok && len(v) > 0 {
		return model.Matrix{{Metric: v[0].Metric, Values: []model.SamplePair{{Value: v[0].Value}}}}, nil
	}
	return model.Matrix{}, nil
}

func (f *fakeProm) LabelValues(_ context.Context, label string, matches []string, _, _ time.Time) ([]string, error) {
	return f.values[label+" "+strings.Join(matches, ",")], nil
}

func (f *fakeProm) LabelNames(context.Context, []string, time.Time, time.Time) ([]string, error) {
	return []string{"po"}, nil
}

func vec(v float64) model.Vector {
	return model.Vector{{Metric: model.Metric{"a": "b"}, Value: model.SampleValue(v)}}
}

func TestBoardVariablesAndFailures(t *testing.T) {
	p := &fakeProm{
		values: map[string][]string{
			"po t":                          {"barnet", "rbkc"},
			`service_option t{po="rbkc"}`:   {"cctv", "noise_patrol", "trees"},
			`service_option t{po="barnet"}`: {"cctv"},
		},
		results: map[string]model.Value{
			// only noise_patrol has calls: it is chosen over cctv
			`x{po="rbkc",so="noise_patrol"}`:  vec(0.8),
			`y{po="rbkc",so="noise_patrol"}`:  vec(1),
			`sum(increase(z{po="rbkc"}[6h]))`: vec(3),
			`blank{po="rbkc"}`:                vec(math.NaN()),
			"count(gone)":                     model.Vector{},
			`count({__name__="gone"})`:        model.Vector{},
		},
		errs: map[string]error{"sum(up": &v1.Error{Type: v1.ErrBadData, Msg: "parse error"}},
	}
	b := dashboards.Board{UID: "u",
		Variables: []dashboards.Variable{
			{Name: "po", Type: "query", Query: "label_values(t, po)"},
			{Name: "so", Type: "query", Query: `label_values(t{po="$po"}, service_option)`},
			{Name: "ds", Type: "datasource"},
			{Name: "c", Type: "custom", Query: "first : one, two"},
		},
		Queries: []dashboards.Query{
			{Dashboard: "u", PanelID: 1, PanelTitle: "ratio", RefID: "A", Expr: `x{po="$po",so="$so"}`},
			{Dashboard: "u", PanelID: 1, PanelTitle: "ratio", RefID: "B", Expr: `y{po="${po}",so="[[so]]"}`},
			{Dashboard: "u", PanelID: 2, PanelTitle: "today", RefID: "A", Expr: `sum(increase(z{po="$po"}[$__range]))`},
			{Dashboard: "u", PanelID: 3, PanelTitle: "gone", RefID: "A", Expr: `gone`},
			{Dashboard: "u", PanelID: 4, PanelTitle: "blank", RefID: "A", Expr: `blank{po="$po"}`},
			{Dashboard: "u", PanelID: 5, PanelTitle: "syntax", RefID: "A", Expr: `sum(up`},
			{Dashboard: "u", PanelID: 6, PanelTitle: "unknown", RefID: "A", Expr: `up{x="$nope"}`},
		},
	}
	c := NewChecker(p, Options{Prefer: map[string][]string{"po": {"rbkc"}}, RangeWindow: time.Minute})
	vars, vfs := c.Variables(context.Background(), b)
	if len(vfs) != 0 || vars["po"] != "rbkc" || vars["so"] != "noise_patrol" || vars["ds"] != "slawatch" || vars["c"] != "one" {
		t.Errorf("variables %v, failures %v", vars, vfs)
	}
	got := map[int]string{}
	for _, f := range c.Board(context.Background(), b) {
		got[f.PanelID] = f.Reason
		if f.NoValues != (f.PanelID == 4) {
			t.Errorf("panel %d: NoValues %v", f.PanelID, f.NoValues)
		}
	}
	want := map[int]string{
		3: "no data (empty result): no series named gone at all",
		4: "every sample is NaN (the series are shown without values): no series named blank at all",
		5: "instant query: bad_data: parse error",
		6: "unknown variable(s) nope",
	}
	for id, w := range want {
		if !strings.Contains(got[id], w) {
			t.Errorf("panel %d: reason %q, want %q", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("failures %v, want panels %v only", got, want)
	}
}

// A query that returned data once is not run again; Until stops as soon
// as a round has no failure.
func TestUntilRetriesOnlyFailures(t *testing.T) {
	p := &fakeProm{results: map[string]model.Value{"a": vec(1)}}
	b := dashboards.Board{UID: "u", Queries: []dashboards.Query{{PanelID: 1, Expr: "a"}, {PanelID: 2, Expr: "b"}}}
	c := NewChecker(p, Options{})
	fs := c.Until(context.Background(), []dashboards.Board{b}, time.Now().Add(50*time.Millisecond), 20*time.Millisecond)
	if len(fs) != 1 || fs[0].PanelID != 2 {
		t.Fatalf("failures %v", fs)
	}
	n := 0
	for _, q := range p.asked {
		if q == "a" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("a asked %d times, want once: %v", n, p.asked)
	}
	p.results["b"] = vec(2)
	if fs := c.Until(context.Background(), []dashboards.Board{b}, time.Now().Add(time.Second), 10*time.Millisecond); len(fs) != 0 {
		t.Errorf("failures %v after b has data", fs)
	}
	if !strings.Contains(Report([]Failure{{Board: "u", PanelTitle: "variable $po", Reason: "r", Expr: "label_values(\n po)"}}), "u variable $po: r\n    label_values( po)") {
		t.Error("report of a variable")
	}
}
