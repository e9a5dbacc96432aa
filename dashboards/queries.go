package dashboards

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Query is one PromQL target of one panel, as the JSON holds it.
type Query struct {
	Dashboard  string // the dashboard's uid
	PanelID    int
	PanelTitle string
	RefID      string
	Expr       string
}

// Variable is one templating variable of a dashboard.
type Variable struct {
	Name  string
	Type  string // query, custom, constant, interval, datasource, ...
	Query string // for a query variable: label_values(...) or PromQL
}

// Board is the part of a dashboard's JSON the checks read.
type Board struct {
	UID       string
	Title     string
	Queries   []Query
	Variables []Variable
}

type jsonPanel struct {
	ID      int         `json:"id"`
	Title   string      `json:"title"`
	Type    string      `json:"type"`
	Panels  []jsonPanel `json:"panels"` // a collapsed row's panels
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
		Hide  bool   `json:"hide"`
	} `json:"targets"`
}

// ReadBoard extracts the queries (rows' nested panels included, hidden
// targets skipped) and the variables of one dashboard's JSON.
func ReadBoard(data []byte) (Board, error) {
	var d struct {
		UID        string      `json:"uid"`
		Title      string      `json:"title"`
		Panels     []jsonPanel `json:"panels"`
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return Board{}, fmt.Errorf("dashboard JSON: %w", err)
	}
	b := Board{UID: d.UID, Title: d.Title}
	var walk func([]jsonPanel)
	walk = func(ps []jsonPanel) {
		for _, p := range ps {
			for _, t := range p.Targets {
				if t.Hide || strings.TrimSpace(t.Expr) == "" {
					continue
				}
				b.Queries = append(b.Queries, Query{Dashboard: d.UID, PanelID: p.ID, PanelTitle: p.Title, RefID: t.RefID, Expr: t.Expr})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		q := ""
		switch x := v.Query.(type) {
		case string:
			q = x
		case map[string]any: // newer Grafana: {"query": "...", "refId": ...}
			q, _ = x["query"].(string)
		}
		b.Variables = append(b.Variables, Variable{Name: v.Name, Type: v.Type, Query: q})
	}
	return b, nil
}

// varRef matches Grafana's variable syntaxes: $name, ${name}, ${name:format}
// and [[name]].
var varRef = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?::[A-Za-z0-9_]+)?\}|\[\[([A-Za-z0-9_]+)\]\]|\$([A-Za-z0-9_]+)`)

// Expand substitutes variables in expr the way Grafana does before sending a
// query: the global range and interval variables from rng and step
// ($__range, $__range_s, $__range_ms, $__interval, $__interval_ms,
// $__rate_interval = max(4 × step, step + 15s)) and the dashboard's own
// from vars (values are inserted as given: regex-escape them when the
// matcher is =~). An unknown variable is an error naming it.
func Expand(expr string, vars map[string]string, rng, step time.Duration) (string, error) {
	rate := 4 * step
	if s := step + 15*time.Second; s > rate {
		rate = s
	}
	global := map[string]string{
		"__range":         model.Duration(rng).String(),
		"__range_s":       fmt.Sprint(int64(rng / time.Second)),
		"__range_ms":      fmt.Sprint(rng.Milliseconds()),
		"__interval":      model.Duration(step).String(),
		"__interval_ms":   fmt.Sprint(step.Milliseconds()),
		"__rate_interval": model.Duration(rate).String(),
	}
	var missing []string
	out := varRef.ReplaceAllStringFunc(expr, func(m string) string {
		sub := varRef.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[3]
		if v, ok := global[name]; ok {
			return v
		}
		if v, ok := vars[name]; ok {
			return v
		}
		missing = append(missing, name)
		return m
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unknown variable(s) %s in %q", strings.Join(missing, ", "), expr)
	}
	return out, nil
}
