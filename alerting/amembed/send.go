package amembed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/types"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/util/strutil"
)

// Send puts alerts in, as Alertmanager's POST /api/v2/alerts does: an
// alert without StartsAt starts now (or at its EndsAt), one without EndsAt
// resolves itself after the configuration's resolve_timeout unless sent
// again, labels with empty values are dropped, and invalid alerts are
// refused (the error names each) while the valid ones are kept. Send owns
// the alerts passed in. It works from New on; Run routes them.
func (am *Alertmanager) Send(ctx context.Context, alerts ...*types.Alert) error {
	now := time.Now()
	resolveTimeout := time.Duration(am.conf.Global.ResolveTimeout)
	valid := make([]*types.Alert, 0, len(alerts))
	var errs []error
	for _, a := range alerts {
		a.UpdatedAt = now
		if a.StartsAt.IsZero() {
			a.StartsAt = now
			if !a.EndsAt.IsZero() {
				a.StartsAt = a.EndsAt
			}
		}
		if a.EndsAt.IsZero() {
			a.Timeout = true
			a.EndsAt = now.Add(resolveTimeout)
		}
		for k, v := range a.Labels {
			if v == "" {
				delete(a.Labels, k)
			}
		}
		if err := a.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("alert %s: %w", a.Labels, err))
			continue
		}
		valid = append(valid, a)
	}
	if err := am.alerts.Put(ctx, valid...); err != nil {
		errs = append(errs, fmt.Errorf("amembed: store alerts: %w", err))
	}
	if len(errs) > 0 {
		return fmt.Errorf("amembed: %d of %d alert(s) not accepted: %w", len(alerts)-len(valid), len(alerts), errors.Join(errs...))
	}
	return nil
}

// NotifyFunc adapts Send to the rules engine (engine.Options.Notify): it
// converts the rule manager's alerts as Prometheus' notifier hand-off
// (rules.SendAlerts) does, with GeneratorURL pointing at the graph of the
// rule's expression on prometheusURL (the engine's external URL).
// Alerts Alertmanager refuses are logged.
func (am *Alertmanager) NotifyFunc(prometheusURL string) rules.NotifyFunc {
	return func(ctx context.Context, expr string, alerts ...*rules.Alert) {
		if len(alerts) == 0 {
			return
		}
		if err := am.Send(ctx, FromRules(prometheusURL, expr, alerts...)...); err != nil {
			am.logger.Error("alerts from the rules engine refused", "err", err)
		}
	}
}

// FromRules converts rule alerts to Alertmanager alerts field by field as
// rules.SendAlerts does: labels, annotations, StartsAt = FiredAt, EndsAt
// = ResolvedAt once resolved and ValidUntil while firing, GeneratorURL =
// prometheusURL + the graph link of expr.
func FromRules(prometheusURL, expr string, alerts ...*rules.Alert) []*types.Alert {
	gen := strings.TrimRight(prometheusURL, "/") + strutil.TableLinkForExpression(expr)
	out := make([]*types.Alert, 0, len(alerts))
	for _, a := range alerts {
		ta := &types.Alert{Alert: model.Alert{
			Labels:       labelSet(a.Labels),
			Annotations:  labelSet(a.Annotations),
			StartsAt:     a.FiredAt,
			EndsAt:       a.ValidUntil,
			GeneratorURL: gen,
		}}
		if !a.ResolvedAt.IsZero() {
			ta.EndsAt = a.ResolvedAt
		}
		out = append(out, ta)
	}
	return out
}

func labelSet(ls labels.Labels) model.LabelSet {
	out := make(model.LabelSet, ls.Len())
	ls.Range(func(l labels.Label) { out[model.LabelName(l.Name)] = model.LabelValue(l.Value) })
	return out
}
