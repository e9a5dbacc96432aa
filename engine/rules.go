package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/rules"
)

// Prometheus' own defaults for the rule manager flags.
const (
	outageTolerance = time.Hour
	forGracePeriod  = 10 * time.Minute
	resendDelay     = time.Minute
)

// expandRuleFiles resolves the glob patterns to files, in pattern order.
func expandRuleFiles(patterns []string, logger *slog.Logger) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	for i, pat := range patterns {
		fs, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("engine: RuleFiles[%d] %q: %w: want a glob such as rules/generated/*.yml", i, pat, err)
		}
		if len(fs) == 0 {
			logger.Warn("rule file pattern matches no file", "pattern", pat)
		}
		for _, f := range fs {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	return files, nil
}

func (e *Engine) newRuleManager() error {
	e.ruleMgr = rules.NewManager(&rules.ManagerOptions{
		ExternalURL:     e.externalURL,
		QueryFunc:       rules.EngineQueryFunc(e.queryEng, e.db),
		NotifyFunc:      e.notify,
		Context:         context.Background(),
		Appendable:      e.db,
		Queryable:       e.db,
		Logger:          e.logger.With("component", "rule manager"),
		Registerer:      e.reg,
		OutageTolerance: outageTolerance,
		ForGracePeriod:  forGracePeriod,
		ResendDelay:     resendDelay,
	})
	// Parse every rule file now so that New fails with the file and the
	// problem, instead of Run logging "error loading rules".
	_, errs := e.ruleMgr.LoadGroups(e.opts.EvalInterval, labels.EmptyLabels(), e.externalURL.String(), nil, false, e.ruleFiles...)
	if len(errs) > 0 {
		return fmt.Errorf("engine: rule files: %w", errors.Join(errs...))
	}
	return nil
}

// startRules loads the rule groups into the manager; they start evaluating
// when ruleMgr.Run is called.
func (e *Engine) startRules() error {
	err := e.ruleMgr.Update(e.opts.EvalInterval, e.ruleFiles, labels.EmptyLabels(), e.externalURL.String(), e.evalIteration)
	if err != nil {
		return fmt.Errorf("engine: load rule files %v: %w", e.ruleFiles, err)
	}
	return nil
}

func (e *Engine) notify(ctx context.Context, expr string, alerts ...*rules.Alert) {
	if e.opts.Notify != nil {
		e.opts.Notify(ctx, expr, alerts...)
	}
}

// evalIteration is Prometheus' default group evaluation followed by logging
// of alert state transitions.
func (e *Engine) evalIteration(ctx context.Context, g *rules.Group, ts time.Time) {
	rules.DefaultEvalIterationFunc(ctx, g, ts)
	e.transitions.observe(g)
}

// Alert is one active (pending or firing) alert instance.
type Alert struct {
	Name        string // alertname
	Labels      labels.Labels
	Annotations labels.Labels
	State       string    // "pending" or "firing"
	ActiveAt    time.Time // when the condition first held
	FiredAt     time.Time // zero while pending
	Value       float64   // value of the expression at the last evaluation
}

// Alerts returns the active alerts of every alerting rule, sorted by name
// then labels. It is empty before Run.
func (e *Engine) Alerts() []Alert {
	var out []Alert
	for _, r := range e.ruleMgr.AlertingRules() {
		for _, a := range r.ActiveAlerts() {
			out = append(out, Alert{
				Name:        r.Name(),
				Labels:      a.Labels,
				Annotations: a.Annotations,
				State:       a.State.String(),
				ActiveAt:    a.ActiveAt,
				FiredAt:     a.FiredAt,
				Value:       a.Value,
			})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return labels.Compare(out[i].Labels, out[j].Labels) < 0
	})
	return out
}
