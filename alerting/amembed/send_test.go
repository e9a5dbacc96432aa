package amembed_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/types"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	promnotifier "github.com/prometheus/prometheus/notifier"
	"github.com/prometheus/prometheus/rules"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/amembed"
)

// captureSender is what Prometheus hands its notifier.
type captureSender struct{ got []*promnotifier.Alert }

func (c *captureSender) Send(alerts ...*promnotifier.Alert) { c.got = append(c.got, alerts...) }

// FromRules converts each field as Prometheus' own hand-off to its
// notifier (rules.SendAlerts) does, firing and resolved.
func TestFromRulesMatchesPrometheus(t *testing.T) {
	t0 := time.Date(2025, 1, 6, 23, 0, 0, 0, time.UTC)
	ls := labels.FromStrings("alertname", "SLABreached", "po", "rbkc", "service_option", "major_emergencies", "severity", "page")
	ann := labels.FromStrings("summary", "rbkc major_emergencies: SLA breached", "description", "below 80%")
	in := []*rules.Alert{
		{State: rules.StateFiring, Labels: ls, Annotations: ann, ActiveAt: t0, FiredAt: t0.Add(time.Minute), ValidUntil: t0.Add(5 * time.Minute)},
		{State: rules.StateInactive, Labels: ls, Annotations: ann, ActiveAt: t0, FiredAt: t0.Add(time.Minute),
			ResolvedAt: t0.Add(3 * time.Minute), ValidUntil: t0.Add(9 * time.Minute)},
	}
	const prom, expr = "http://127.0.0.1:9490", `po_service_option:sla_answered_within_target:ratio_rate1h{po="rbkc"} < 0.8`
	var want captureSender
	rules.SendAlerts(&want, prom)(context.Background(), expr, in...)
	got := amembed.FromRules(prom, expr, in...)
	if len(got) != len(want.got) {
		t.Fatalf("%d alerts, Prometheus sends %d", len(got), len(want.got))
	}
	for i, w := range want.got {
		g := got[i]
		if g.Labels.String() != labelSet(w.Labels).String() || g.Annotations.String() != labelSet(w.Annotations).String() {
			t.Errorf("alert %d: labels %v annotations %v, want %v %v", i, g.Labels, g.Annotations, w.Labels, w.Annotations)
		}
		if !g.StartsAt.Equal(w.StartsAt) || !g.EndsAt.Equal(w.EndsAt) || g.GeneratorURL != w.GeneratorURL {
			t.Errorf("alert %d: %s..%s %s, want %s..%s %s", i, g.StartsAt, g.EndsAt, g.GeneratorURL, w.StartsAt, w.EndsAt, w.GeneratorURL)
		}
	}
	if !got[1].EndsAt.Equal(t0.Add(3*time.Minute)) || !strings.HasPrefix(got[0].GeneratorURL, prom+"/graph?g0.expr=") {
		t.Errorf("resolved EndsAt %s (want ResolvedAt), generator URL %s", got[1].EndsAt, got[0].GeneratorURL)
	}
}

func labelSet(ls labels.Labels) model.LabelSet {
	out := model.LabelSet{}
	ls.Range(func(l labels.Label) { out[model.LabelName(l.Name)] = model.LabelValue(l.Value) })
	return out
}

// The engine's hand-off reaches the notifier through NotifyFunc.
func TestNotifyFuncSendsRuleAlerts(t *testing.T) {
	n := newNotifier(t)
	am := start(t, n)
	now := time.Now()
	am.NotifyFunc("http://127.0.0.1:9490")(context.Background(), "vector(1)", &rules.Alert{
		State:       rules.StateFiring,
		Labels:      labels.FromStrings("alertname", "SLABreached", "po", "rbkc", "service_option", "noise_patrol", "severity", "page"),
		Annotations: labels.FromStrings("summary", "breached"), ActiveAt: now.Add(-2 * time.Minute),
		FiredAt: now.Add(-time.Minute), ValidUntil: now.Add(4 * time.Minute),
	})
	msgs := n.waitFor(t, "webhook for the rule alert", func(m []alerting.WebhookMessage) bool {
		_, ok := find(m, "firing", map[string]string{"po": "rbkc", "service_option": "noise_patrol"})
		return ok
	})
	m, _ := find(msgs, "firing", map[string]string{"po": "rbkc"})
	a := m.Alerts[0]
	if m.Receiver != "po-rbkc" || a.GeneratorURL != "http://127.0.0.1:9490/graph?g0.expr=vector%281%29&g0.tab=1" || a.Annotations["summary"] != "breached" {
		t.Errorf("receiver %s, generator URL %s, annotations %v", m.Receiver, a.GeneratorURL, a.Annotations)
	}
}

// Send refuses what Alertmanager's API refuses, names it, and keeps the
// valid alerts of the same call.
func TestSendRefusesInvalidAlerts(t *testing.T) {
	am, err := amembed.New(amembed.Options{ConfigYAML: generated(t, "http://127.0.0.1:9")})
	if err != nil {
		t.Fatal(err)
	}
	defer am.Close()
	bad := &types.Alert{Alert: model.Alert{Labels: model.LabelSet{"alertname": "X"}, StartsAt: time.Now(), EndsAt: time.Now().Add(-time.Hour)}}
	noLabels := &types.Alert{Alert: model.Alert{Labels: model.LabelSet{"po": ""}}}
	err = am.Send(context.Background(), bad, noLabels, alert("alertname", "Fine"))
	if err == nil || !strings.Contains(err.Error(), "2 of 3 alert(s) not accepted") ||
		!strings.Contains(err.Error(), `alert {alertname="X"}: start time must be before end time`) ||
		!strings.Contains(err.Error(), "at least one label pair required") {
		t.Errorf("Send: %v", err)
	}
}
