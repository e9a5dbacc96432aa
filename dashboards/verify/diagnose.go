package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// Diagnose says, for each series selector in expr, whether Prometheus has
// no series of that name at all (the metric is not produced: a wrong name,
// or data the feed never makes) or has some but none matching the
// selector's other matchers (a label value that does not exist). It
// returns "" when every selector matches series (the emptiness then comes
// from the expression: a filter, a join, an absent range).
func (c *Checker) Diagnose(ctx context.Context, expr string) string {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return "" // the query error already says so
	}
	seen := map[string]bool{}
	var notes []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok || seen[vs.String()] {
			return nil
		}
		seen[vs.String()] = true
		if note := c.selectorNote(ctx, vs); note != "" {
			notes = append(notes, note)
		}
		return nil
	})
	return strings.Join(notes, "; ")
}

func (c *Checker) selectorNote(ctx context.Context, vs *parser.VectorSelector) string {
	name := vs.Name
	var others []*labels.Matcher
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			if m.Type == labels.MatchEqual {
				name = m.Value
			}
			continue
		}
		others = append(others, m)
	}
	count := func(sel string) (int, bool) {
		v, err := c.prom.Query(ctx, "count("+sel+")", c.opts.Now())
		if err != nil {
			return 0, false
		}
		if vec, ok := v.(model.Vector); ok && len(vec) == 1 {
			return int(vec[0].Value), true
		}
		return 0, true
	}
	// With an offset or @ the selector looks elsewhere in time: judge the
	// present, which is what the feed produces.
	plain := &parser.VectorSelector{Name: vs.Name, LabelMatchers: vs.LabelMatchers}
	if n, ok := count(plain.String()); !ok || n > 0 {
		return ""
	}
	if name == "" {
		return fmt.Sprintf("no series match %s", plain)
	}
	all, ok := count(fmt.Sprintf("{__name__=%q}", name))
	switch {
	case !ok:
		return ""
	case all == 0:
		return fmt.Sprintf("no series named %s at all", name)
	}
	// The matchers that match nothing on their own.
	var none []string
	for _, m := range others {
		if n, ok := count(fmt.Sprintf("{__name__=%q, %s}", name, m)); ok && n == 0 {
			none = append(none, m.String())
		}
	}
	if len(none) == 0 {
		return fmt.Sprintf("%s has %d series but none with all of %s", name, all, plain)
	}
	return fmt.Sprintf("%s has %d series but none with %s", name, all, strings.Join(none, " nor "))
}
