package verify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/dashboards"
)

// Options tune a Checker; zero values take the defaults.
type Options struct {
	// Now is the clock (time.Now).
	Now func() time.Time
	// Range is what $__range stands for (6h): a "today" panel's range, and
	// the span over which variable options are listed.
	Range time.Duration
	// Step is $__interval (15s); $__rate_interval follows from it.
	Step time.Duration
	// RangeWindow, when set, also runs each query that returned data as a
	// range query over the last RangeWindow at Step, as a time series
	// panel would.
	RangeWindow time.Duration
	// Prefer lists preferred values by variable name: the first one among
	// the variable's options is taken.
	Prefer map[string][]string
	// MaxCandidates bounds how many options of a variable are tried when
	// no preferred one exists (20).
	MaxCandidates int
	// Timeout bounds each request (30s).
	Timeout time.Duration
}

// Checker runs boards' queries against a Prometheus. It remembers which
// expanded queries have returned data, so Until retries only the others.
type Checker struct {
	prom   Prometheus
	opts   Options
	passed map[string]bool
}

// NewChecker returns a Checker of prom.
func NewChecker(prom Prometheus, opts Options) *Checker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Range <= 0 {
		opts.Range = 6 * time.Hour
	}
	if opts.Step <= 0 {
		opts.Step = 15 * time.Second
	}
	if opts.MaxCandidates <= 0 {
		opts.MaxCandidates = 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	return &Checker{prom: prom, opts: opts, passed: map[string]bool{}}
}

// Until checks boards every poll until no query errors, returns an empty
// result or NaN values only, or deadline passes (or ctx ends), and returns
// the failures of the last round. A query that has returned data once is
// not run again.
func (c *Checker) Until(ctx context.Context, boards []dashboards.Board, deadline time.Time, poll time.Duration) []Failure {
	for {
		var fs []Failure
		for _, b := range boards {
			fs = append(fs, c.Board(ctx, b)...)
		}
		if len(fs) == 0 || !c.opts.Now().Add(poll).Before(deadline) || ctx.Err() != nil {
			return fs
		}
		select {
		case <-ctx.Done():
			return fs
		case <-time.After(poll):
		}
	}
}

// Board checks one board once: its variables get a value that exists,
// then every query runs as an instant query (and as a range query with
// Options.RangeWindow); an error, an empty result or a result of NaN
// only (NoValues) is a Failure.
func (c *Checker) Board(ctx context.Context, b dashboards.Board) []Failure {
	vars, fs := c.Variables(ctx, b)
	for _, q := range b.Queries {
		f := Failure{Board: b.UID, PanelID: q.PanelID, PanelTitle: q.PanelTitle, RefID: q.RefID, Expr: q.Expr}
		expr, err := dashboards.Expand(q.Expr, vars, c.opts.Range, c.opts.Step)
		if err != nil {
			f.Reason = err.Error()
			fs = append(fs, f)
			continue
		}
		f.Expr = expr
		if reason := c.run(ctx, b.UID, expr); reason != "" {
			f.NoValues = strings.Contains(reason, reasonNaN)
			if d := c.Diagnose(ctx, expr); d != "" && (f.NoValues || strings.Contains(reason, reasonEmpty)) {
				reason += ": " + d
			}
			f.Reason = reason
			fs = append(fs, f)
		}
	}
	return fs
}

// Variables gives each of b's variables a value, in order (a variable's
// query may use the ones before it), and reports the variables it could
// not give one as Failures.
func (c *Checker) Variables(ctx context.Context, b dashboards.Board) (map[string]string, []Failure) {
	vars := map[string]string{}
	var fs []Failure
	for _, v := range b.Variables {
		val, err := c.variable(ctx, b, v, vars)
		if err != nil {
			fs = append(fs, Failure{Board: b.UID, PanelTitle: "variable $" + v.Name, Expr: v.Query, Reason: err.Error()})
			continue
		}
		if val != nil {
			vars[v.Name] = *val
		}
	}
	return vars, fs
}

// variable returns v's value (nil for a variable queries never use).
func (c *Checker) variable(ctx context.Context, b dashboards.Board, v dashboards.Variable, vars map[string]string) (*string, error) {
	first := func(opts string) *string {
		o := strings.TrimSpace(strings.Split(opts, ",")[0])
		if _, val, ok := strings.Cut(o, " : "); ok { // custom "text : value"
			o = strings.TrimSpace(val)
		}
		return &o
	}
	switch v.Type {
	case "constant", "textbox":
		q := v.Query
		return &q, nil
	case "custom", "interval":
		return first(v.Query), nil
	case "datasource":
		uid := dashboards.DatasourceUID
		return &uid, nil
	case "adhoc":
		return nil, nil
	case "query":
	default:
		return nil, fmt.Errorf("variable type %q is not checked (want query, custom, constant, textbox, interval, datasource or adhoc)", v.Type)
	}
	opts, err := c.options(ctx, v.Query, vars)
	if err != nil {
		return nil, err
	}
	if len(opts) == 0 {
		return nil, fmt.Errorf("no options: the variable's query returns nothing")
	}
	for _, p := range c.opts.Prefer[v.Name] {
		if slices.Contains(opts, p) {
			return &p, nil
		}
	}
	// The option that gives the most of the board's queries that use the
	// variable data; the first that gives all of them wins.
	uses := usesVariable(b, v.Name)
	best, bestScore := opts[0], -1
	for _, o := range opts[:min(len(opts), c.opts.MaxCandidates)] {
		with := map[string]string{v.Name: o}
		for k, x := range vars {
			with[k] = x
		}
		score, total := 0, 0
		for _, q := range uses {
			expr, err := dashboards.Expand(q.Expr, with, c.opts.Range, c.opts.Step)
			if err != nil { // uses a later variable: not judged here
				continue
			}
			total++
			if c.instant(ctx, expr) == "" {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = o, score
		}
		if score == total {
			break
		}
	}
	return &best, nil
}

// options evaluates a query variable's options.
func (c *Checker) options(ctx context.Context, query string, vars map[string]string) ([]string, error) {
	q, err := dashboards.Expand(query, vars, c.opts.Range, c.opts.Step)
	if err != nil {
		return nil, err
	}
	vq, err := ParseVarQuery(q)
	if err != nil {
		return nil, err
	}
	var match []string
	if vq.Selector != "" {
		match = []string{vq.Selector}
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	now := c.opts.Now()
	var opts []string
	if vq.Kind == LabelNames {
		opts, err = c.prom.LabelNames(ctx, match, now.Add(-c.opts.Range), now)
	} else {
		opts, err = c.prom.LabelValues(ctx, vq.Label, match, now.Add(-c.opts.Range), now)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	return opts, nil
}

var reVar = regexp.MustCompile(`\$\{?([A-Za-z0-9_]+)|\[\[([A-Za-z0-9_]+)`)

// usesVariable returns b's queries that reference the variable name.
func usesVariable(b dashboards.Board, name string) []dashboards.Query {
	var out []dashboards.Query
	for _, q := range b.Queries {
		for _, m := range reVar.FindAllStringSubmatch(q.Expr, -1) {
			if m[1] == name || m[2] == name {
				out = append(out, q)
				break
			}
		}
	}
	return out
}

// run judges one expanded query; "" when it returned data (now or in an
// earlier round of the same board).
func (c *Checker) run(ctx context.Context, board, expr string) string {
	key := board + "\x00" + expr
	if c.passed[key] {
		return ""
	}
	if r := c.instant(ctx, expr); r != "" {
		return r
	}
	if c.opts.RangeWindow > 0 {
		if r := c.rangeQuery(ctx, expr); r != "" {
			return r
		}
	}
	c.passed[key] = true
	return ""
}

func (c *Checker) instant(ctx context.Context, expr string) string {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	v, err := c.prom.Query(ctx, expr, c.opts.Now())
	if err != nil {
		return "instant query: " + errText(err)
	}
	return judge(v)
}

func (c *Checker) rangeQuery(ctx context.Context, expr string) string {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	now := c.opts.Now()
	v, err := c.prom.QueryRange(ctx, expr, v1.Range{Start: now.Add(-c.opts.RangeWindow), End: now, Step: c.opts.Step})
	if err != nil {
		return "range query: " + errText(err)
	}
	if r := judge(v); r != "" {
		return "range query over the last " + model.Duration(c.opts.RangeWindow).String() + ": " + r
	}
	return ""
}

// The reasons judge gives for a result without data.
const (
	reasonEmpty = "no data (empty result)"
	reasonNaN   = "every sample is NaN (the series are shown without values)"
)

// judge says what is wrong with a result: "" when it has data.
func judge(v model.Value) string {
	nan := func(f model.SampleValue) bool { return math.IsNaN(float64(f)) }
	switch r := v.(type) {
	case nil:
		return "no result"
	case model.Vector:
		if len(r) == 0 {
			return reasonEmpty
		}
		for _, s := range r {
			if !nan(s.Value) {
				return ""
			}
		}
		return reasonNaN
	case model.Matrix:
		if len(r) == 0 {
			return reasonEmpty
		}
		for _, s := range r {
			for _, p := range s.Values {
				if !nan(p.Value) {
					return ""
				}
			}
			if len(s.Histograms) > 0 {
				return ""
			}
		}
		return reasonNaN
	case *model.Scalar:
		if nan(r.Value) {
			return "the scalar is NaN"
		}
	}
	return ""
}

// errText is an API error with Prometheus's detail.
func errText(err error) string {
	var apiErr *v1.Error
	if errors.As(err, &apiErr) {
		return fmt.Sprintf("%s: %s", apiErr.Type, apiErr.Msg)
	}
	return err.Error()
}
