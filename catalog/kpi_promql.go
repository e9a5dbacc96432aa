package catalog

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// probeRange is what RangePlaceholder becomes while an expression is
// checked: an odd length no one writes by hand, so a range selector of
// any other length is known not to use the placeholder.
const probeRange = 7777 * time.Second

// CheckKPIExpr checks a PromQL KPI numerator or denominator: it parses
// with RangePlaceholder substituted, and every range selector is
// increase(...[$__range]) with no offset or @, and no subquery. Counts
// over consecutive windows then add up, which is what the recording rules'
// 5-minute tiles rely on (rules/kpi.go).
func CheckKPIExpr(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return errors.New("missing; a PromQL KPI needs an expression such as sum(increase(crm_service_requests_total{action=\"resolve\"}[$__range]))")
	}
	if !strings.Contains(expr, RangePlaceholder) {
		return fmt.Errorf("has no %s; write every range as [%s], e.g. increase(telephony_calls_offered_total[%s]), so the period decides the window",
			RangePlaceholder, RangePlaceholder, RangePlaceholder)
	}
	e, err := parser.ParseExpr(ExpandRange(expr, probeRange))
	if err != nil {
		return fmt.Errorf("is not valid PromQL (with %s as a duration): %v", RangePlaceholder, err)
	}
	if e.Type() != parser.ValueTypeVector {
		return fmt.Errorf("is a %s; want an instant vector such as sum(increase(x[%s]))", e.Type(), RangePlaceholder)
	}
	var problem error
	ranges := 0
	parser.Inspect(e, func(n parser.Node, path []parser.Node) error {
		if problem != nil {
			return problem
		}
		switch n := n.(type) {
		case *parser.SubqueryExpr:
			problem = errors.New("has a subquery; use increase(metric[$__range]) of counters")
		case *parser.VectorSelector:
			if n.OriginalOffset != 0 || n.Timestamp != nil || n.StartOrEnd != 0 {
				problem = fmt.Errorf("selects %s with offset or @; the period decides the time, leave them out", n.Name)
			}
		case *parser.MatrixSelector:
			ranges++
			if n.Range != probeRange {
				problem = fmt.Errorf("has a range selector [%s]; write [%s] so the period decides the window", model.Duration(n.Range), RangePlaceholder)
				break
			}
			var parent *parser.Call
			for i := len(path) - 1; i >= 0 && parent == nil; i-- {
				if _, args := path[i].(parser.Expressions); !args {
					parent, _ = path[i].(*parser.Call)
					break
				}
			}
			if parent == nil || parent.Func.Name != "increase" {
				problem = fmt.Errorf("uses [%s] outside increase(); KPI figures are counts: increase(counter[%s])", RangePlaceholder, RangePlaceholder)
			}
		}
		return problem
	})
	if problem == nil && ranges != strings.Count(expr, RangePlaceholder) {
		problem = fmt.Errorf("uses %s outside a range selector; write it only as [%s] in increase(counter[%s])",
			RangePlaceholder, RangePlaceholder, RangePlaceholder)
	}
	return problem
}

func (v *validator) kpiExpr(p path, expr string) {
	if err := CheckKPIExpr(expr); err != nil {
		v.errorf(p, "%v", err)
	}
}
