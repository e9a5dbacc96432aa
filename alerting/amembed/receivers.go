package amembed

import (
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/notify"
	"github.com/prometheus/alertmanager/notify/webhook"
	"github.com/prometheus/alertmanager/template"
)

// buildReceivers builds the integrations of every receiver a route uses,
// as Alertmanager's main does (receivers no route uses are skipped).
func buildReceivers(conf *config.Config, routes *dispatch.Route, tmpl *template.Template, log *slog.Logger) (map[string][]notify.Integration, error) {
	used := map[string]bool{}
	routes.Walk(func(r *dispatch.Route) { used[r.RouteOpts.Receiver] = true })
	out := make(map[string][]notify.Integration, len(used))
	for _, rcv := range conf.Receivers {
		if !used[rcv.Name] {
			log.Info("skipping receiver no route uses", "receiver", rcv.Name)
			continue
		}
		ints, err := buildIntegrations(rcv, tmpl, log)
		if err != nil {
			return nil, fmt.Errorf("amembed: receiver %q: %w", rcv.Name, err)
		}
		out[rcv.Name] = ints
	}
	return out, nil
}

// buildIntegrations does for webhook_configs exactly what Alertmanager's
// receiver.BuildReceiverIntegrations does (the same webhook.New and
// notify.NewIntegration calls, named "webhook"), and refuses the other
// integrations: every receiver slawatch generates is a webhook to its
// notifier. It is not receiver.BuildReceiverIntegrations itself because
// that package imports every integration, and two of them (sns, telegram)
// need modules that go.mod and go.sum do not hold yet; once they do, this
// function becomes a call to it.
func buildIntegrations(rcv config.Receiver, tmpl *template.Template, log *slog.Logger) ([]notify.Integration, error) {
	if other := otherIntegrations(rcv); len(other) > 0 {
		return nil, fmt.Errorf("has %s: the embedded Alertmanager sends webhook_configs only (slawatch's notifier does Slack and SMS)", strings.Join(other, ", "))
	}
	ints := make([]notify.Integration, 0, len(rcv.WebhookConfigs))
	for i, c := range rcv.WebhookConfigs {
		n, err := webhook.New(c, tmpl, log.With("integration", "webhook"))
		if err != nil {
			return nil, fmt.Errorf("webhook_configs[%d]: %w", i, err)
		}
		ints = append(ints, notify.NewIntegration(n, c, "webhook", i, rcv.Name))
	}
	return ints, nil
}

// otherIntegrations names the non-empty *_configs of rcv other than
// webhook_configs, by their YAML keys.
func otherIntegrations(rcv config.Receiver) []string {
	var names []string
	v := reflect.ValueOf(rcv)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.Type.Kind() == reflect.Slice && strings.HasSuffix(key, "_configs") && key != "webhook_configs" && v.Field(i).Len() > 0 {
			names = append(names, key)
		}
	}
	return names
}
