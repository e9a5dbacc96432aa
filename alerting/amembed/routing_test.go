package amembed_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting"
)

// An SLABreached page for rbkc goes, by the generated routes, to receiver
// po-rbkc only, as an Alertmanager webhook (version 4) that the real
// intake stores and pages on; its resolution follows as a resolved
// webhook that closes the incident.
func TestPageRoutedToThePOThenResolved(t *testing.T) {
	n := newNotifier(t)
	am := start(t, n)
	breach := alert("alertname", "SLABreached", "po", "rbkc", "service_option", "major_emergencies", "severity", "page")
	// A page for another PO, to show that each goes its own way.
	other := alert("alertname", "SLABreached", "po", "ealing", "service_option", "noise_patrol", "severity", "page")
	if err := am.Send(context.Background(), breach, other); err != nil {
		t.Fatal(err)
	}
	rbkc := map[string]string{"alertname": "SLABreached", "po": "rbkc", "service_option": "major_emergencies"}
	ealing := map[string]string{"alertname": "SLABreached", "po": "ealing"}
	msgs := n.waitFor(t, "firing webhooks for rbkc and ealing", func(m []alerting.WebhookMessage) bool {
		_, a := find(m, "firing", rbkc)
		_, b := find(m, "firing", ealing)
		return a && b
	})
	m, _ := find(msgs, "firing", rbkc)
	if m.Receiver != alerting.POReceiver("rbkc") || m.Version != "4" || m.Status != "firing" || len(m.Alerts) != 1 {
		t.Errorf("rbkc's page: receiver %q version %q status %q with %d alert(s); want po-rbkc, 4, firing, 1", m.Receiver, m.Version, m.Status, len(m.Alerts))
	}
	if got := m.GroupLabels; got["po"] != "rbkc" || got["service_option"] != "major_emergencies" || got["alertname"] != "SLABreached" {
		t.Errorf("group labels %v: want the generated group_by alertname, po, service_option", got)
	}
	for _, m := range msgs {
		for _, a := range m.Alerts {
			if want := alerting.POReceiver(a.Labels["po"]); m.Receiver != want {
				t.Errorf("%s for po %s went to receiver %s, want %s only", a.Labels["alertname"], a.Labels["po"], m.Receiver, want)
			}
		}
	}

	// Resolve it, as Prometheus does: the same labels with EndsAt now.
	resolved := alert("alertname", "SLABreached", "po", "rbkc", "service_option", "major_emergencies", "severity", "page")
	resolved.StartsAt, resolved.EndsAt = breach.StartsAt, time.Now()
	if err := am.Send(context.Background(), resolved); err != nil {
		t.Fatal(err)
	}
	msgs = n.waitFor(t, "resolved webhook for rbkc", func(m []alerting.WebhookMessage) bool {
		_, ok := find(m, "resolved", rbkc)
		return ok
	})
	if m, _ := find(msgs, "resolved", rbkc); m.Receiver != "po-rbkc" || m.Status != "resolved" {
		t.Errorf("resolution went to %q with status %q, want po-rbkc resolved", m.Receiver, m.Status)
	}

	// The intake paged rbkc's on-call once and told them of the end (the
	// intake writes the console after the webhook has been recorded).
	var opened, closed int
	console := poll(t, "the intake's console line for the resolution", func() (string, bool) {
		console := n.console.String()
		opened, closed = 0, 0
		for _, line := range strings.Split(strings.TrimSpace(console), "\n") {
			if !strings.Contains(line, " po-rbkc SLABreached rbkc/major_emergencies ") {
				continue
			}
			switch {
			case strings.Contains(line, " OPENED "):
				opened++
			case strings.Contains(line, " RESOLVED "):
				closed++
			}
		}
		return console, closed > 0
	})
	if opened != 1 || closed != 1 {
		t.Errorf("console: %d page(s) and %d resolution(s) for rbkc, want 1 and 1:\n%s", opened, closed, console)
	}
}

// A firing ExporterDown silences SourceSilent of the same job, as the
// generated inhibit rule says, and only of that job; ExporterDown itself
// pages the provider's duty manager.
func TestExporterDownInhibitsSourceSilentOfItsJob(t *testing.T) {
	n := newNotifier(t)
	// In before Run: the inhibitor loads them before the dispatcher
	// starts, as at an Alertmanager restart, so the outcome does not hang
	// on which goroutine sees an alert first.
	start(t, n,
		alert("alertname", "ExporterDown", "job", "telephony", "instance", "127.0.0.1:9464", "severity", "page"),
		alert("alertname", "SourceSilent", "job", "telephony", "severity", "warning"),
		alert("alertname", "SourceSilent", "job", "mailroom", "severity", "warning"),
	)
	msgs := n.waitFor(t, "webhooks for ExporterDown and SourceSilent", func(m []alerting.WebhookMessage) bool {
		_, a := find(m, "firing", map[string]string{"alertname": "ExporterDown"})
		_, b := find(m, "firing", map[string]string{"alertname": "SourceSilent"})
		return a && b
	})
	for _, m := range msgs {
		if m.Receiver != alerting.ProviderReceiver {
			t.Errorf("platform alert went to %s, want %s", m.Receiver, alerting.ProviderReceiver)
		}
		for _, a := range m.Alerts {
			if a.Labels["alertname"] == "SourceSilent" && a.Labels["job"] == "telephony" {
				t.Errorf("SourceSilent of job telephony sent while ExporterDown of that job fires:\n%s", describe(msgs))
			}
		}
	}
	if _, ok := find(msgs, "firing", map[string]string{"alertname": "SourceSilent", "job": "mailroom"}); !ok {
		t.Errorf("SourceSilent of job mailroom (no exporter down) not sent:\n%s", describe(msgs))
	}
}
