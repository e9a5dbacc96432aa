package dashboards

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/slawatch/slawatch/catalog"
)

// Range and step the static check expands $__range and $__interval with.
const (
	checkRange = 24 * time.Hour
	checkStep  = 30 * time.Second
)

// variableValues gives every variable a board may have a real value from
// the catalogue: the first PO, its first service option and number.
func variableValues(c *catalog.Catalog) map[string]string {
	p := &c.Organisations[0]
	return map[string]string{
		"po":             p.ID,
		"service_option": p.ServiceOptions[0].ID,
		"access_number":  p.AccessNumbers[0].Number,
	}
}

// selectors parses expr and returns its vector selectors (those inside
// range selectors and subqueries included).
func selectors(expr string) ([]*parser.VectorSelector, error) {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var out []*parser.VectorSelector
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out, nil
}

func metricName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// checkQuery parses an expanded query and checks every metric it selects
// is produced, and that it never selects on job or instance (deployments
// lay targets out differently).
func checkQuery(expr string, p produced) error {
	sels, err := selectors(expr)
	if err != nil {
		return fmt.Errorf("does not parse: %w", err)
	}
	var errs []string
	for _, vs := range sels {
		name := metricName(vs)
		if name == "" {
			errs = append(errs, fmt.Sprintf("selector %s names no metric", vs))
			continue
		}
		if _, ok := p.has(name); !ok {
			errs = append(errs, fmt.Sprintf("metric %s is produced by no exporter, recording rule or Prometheus itself", name))
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == "job" || m.Name == "instance" {
				errs = append(errs, fmt.Sprintf("selector %s selects on %s", vs, m.Name))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// labelValues matches a Grafana label_values(selector, label) variable.
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)$`)

// TestStaticQueries: every query of every committed board, variables
// expanded, parses and selects only produced metrics; every variable's
// query too.
func TestStaticQueries(t *testing.T) {
	c := loadExample(t)
	p := producedMetrics(t, c)
	vals := variableValues(c)
	files := committed(t)
	n := 0
	for _, name := range sortedKeys(files) {
		b, err := ReadBoard(files[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, v := range b.Variables {
			m := labelValues.FindStringSubmatch(v.Query)
			if v.Type != "query" || m == nil {
				t.Errorf("%s: variable %s: want a query variable label_values(<selector>, <label>), got %s %q", name, v.Name, v.Type, v.Query)
				continue
			}
			if _, ok := vals[v.Name]; !ok {
				t.Errorf("%s: variable %s has no value in the check (variableValues)", name, v.Name)
			}
			expr, err := Expand(m[1], vals, checkRange, checkStep)
			if err == nil {
				err = checkQuery(expr, p)
			}
			if err != nil {
				t.Errorf("%s: variable %s: %v", name, v.Name, err)
			}
		}
		for _, q := range b.Queries {
			n++
			expr, err := Expand(q.Expr, vals, checkRange, checkStep)
			if err == nil {
				err = checkQuery(expr, p)
			}
			if err != nil {
				t.Errorf("%s panel %d %q query %s: %v\n  %s", name, q.PanelID, q.PanelTitle, q.RefID, err, q.Expr)
			}
		}
	}
	if n == 0 {
		t.Fatal("no queries found")
	}
	t.Logf("%d queries checked against %d produced metric names", n, len(p.names))
}

// TestStaticCheckRejects: the check fails on a made-up metric, a query
// that does not parse, a selector without a name and a job selector.
func TestStaticCheckRejects(t *testing.T) {
	p := producedMetrics(t, loadExample(t))
	for expr, want := range map[string]string{
		`sum(rate(telephony_calls_made_up_total[5m]))`:                               "telephony_calls_made_up_total is produced by no",
		`po_service_option:sla_answered_within_target:ratio_rate2h`:                  "ratio_rate2h is produced by no",
		`telephony_calls_offered_total_bucket`:                                       "telephony_calls_offered_total_bucket is produced by no",
		`sum(rate(telephony_calls_offered_total[5m])`:                                "does not parse",
		`{__name__=~"telephony_.+"}`:                                                 "names no metric",
		`up{job="telephony"}`:                                                        "selects on job",
		`sum by (le) (rate(telephony_answer_wait_seconds_bucket[5m]))`:               "",
		`ALERTS{alertstate="firing"} or prometheus_rule_group_last_duration_seconds`: "",
		`linetest_duration_seconds_bucket + notifier_delivery_seconds_count`:         "",
	} {
		err := checkQuery(expr, p)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", expr, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: got %v, want an error with %q", expr, err, want)
		}
	}
}

// TestPOBoardIsolation: every selector of every query on a PO's board has
// po="<that PO>" (walking the parsed query), and the board has no
// variable that could name another PO.
func TestPOBoardIsolation(t *testing.T) {
	c := loadExample(t)
	files := committed(t)
	for _, po := range c.POIDs() {
		name := POFolder(po) + "/po.json"
		data, ok := files[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		b, err := ReadBoard(data)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Variables) > 0 {
			t.Errorf("%s has variables %v: a PO board takes none", name, b.Variables)
		}
		for _, q := range b.Queries {
			if err := checkIsolated(q.Expr, po); err != nil {
				t.Errorf("%s panel %d %q query %s: %v", name, q.PanelID, q.PanelTitle, q.RefID, err)
			}
		}
	}
}

// checkIsolated: only Grafana's own interval variables, and po="<po>" on
// every selector.
func checkIsolated(expr, po string) error {
	expanded, err := Expand(expr, nil, checkRange, checkStep)
	if err != nil {
		return fmt.Errorf("a PO board may use no board variable: %w", err)
	}
	sels, err := selectors(expanded)
	if err != nil {
		return err
	}
	if len(sels) == 0 {
		return fmt.Errorf("selects nothing")
	}
	for _, vs := range sels {
		ok := false
		for _, m := range vs.LabelMatchers {
			if m.Name == "po" {
				if m.Type != labels.MatchEqual || m.Value != po {
					return fmt.Errorf("selector %s: matcher %s, want po=%q", vs, m, po)
				}
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("selector %s has no po=%q", vs, po)
		}
	}
	return nil
}

func TestCheckIsolatedRejects(t *testing.T) {
	for expr, want := range map[string]string{
		`sum(telephony_calls_waiting{po="rbkc"}) + sum(telephony_calls_waiting)`: `has no po="rbkc"`,
		`telephony_calls_waiting{po="ealing"}`:                                   "want po=",
		`telephony_calls_waiting{po=~"rbkc|ealing"}`:                             "want po=",
		`telephony_calls_waiting{po="$po"}`:                                      "no board variable",
		`sum(increase(ALERTS{po="rbkc"}[$__range])) or on () vector(0)`:          "",
	} {
		err := checkIsolated(expr, "rbkc")
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", expr, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: got %v, want an error with %q", expr, err, want)
		}
	}
}
