package alerting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/store"
)

// WebhookVersion is the only version of Alertmanager's webhook payload the
// intake accepts.
const WebhookVersion = "4"

// WebhookMessage is Alertmanager's webhook payload, version 4 (the JSON
// shape of github.com/prometheus/alertmanager/notify/webhook.Message).
// Unknown fields are ignored: Alertmanager adds fields within a version
// (truncatedAlerts came in 0.22) and changes the version when it breaks one.
type WebhookMessage struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   uint64            `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []WebhookAlert    `json:"alerts"`
}

// WebhookAlert is one alert of a WebhookMessage.
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"` // zero ("0001-01-01T00:00:00Z") while firing
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// ParseWebhook decodes and checks one webhook body. Errors name the field
// and what would be valid. An alert without a fingerprint (Alertmanager
// before 0.19) gets the one Alertmanager computes from its labels.
func ParseWebhook(body []byte) (WebhookMessage, error) {
	var m WebhookMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("body is not an Alertmanager webhook JSON object: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return m, errors.New("body has data after the JSON object; send exactly one webhook message")
	}
	if m.Version != WebhookVersion {
		return m, fmt.Errorf("version %q is not supported: want %q (Alertmanager's webhook payload version 4, Alertmanager 0.16 and later)", m.Version, WebhookVersion)
	}
	if m.Receiver == "" {
		return m, errors.New("receiver is empty: want the Alertmanager receiver name, such as po-rbkc")
	}
	if m.GroupKey == "" {
		return m, errors.New("groupKey is empty: Alertmanager always sends the alert group's key")
	}
	if len(m.Alerts) == 0 {
		return m, errors.New("alerts is empty: want at least one alert")
	}
	for i := range m.Alerts {
		a := &m.Alerts[i]
		bad := func(field, msg string) error { return fmt.Errorf("alerts[%d].%s %s", i, field, msg) }
		switch {
		case a.Status != store.IncidentFiring && a.Status != store.IncidentResolved:
			return m, bad("status", fmt.Sprintf("%q: want %q or %q", a.Status, store.IncidentFiring, store.IncidentResolved))
		case len(a.Labels) == 0:
			return m, bad("labels", "is empty: an alert has at least one label (alertname)")
		case a.StartsAt.IsZero():
			return m, bad("startsAt", "is missing: want an RFC 3339 time")
		case a.Status == store.IncidentResolved && a.EndsAt.IsZero():
			return m, bad("endsAt", "is missing on a resolved alert: want an RFC 3339 time")
		case !a.EndsAt.IsZero() && a.EndsAt.Before(a.StartsAt):
			return m, bad("endsAt", fmt.Sprintf("%s is before startsAt %s", a.EndsAt.Format(time.RFC3339Nano), a.StartsAt.Format(time.RFC3339Nano)))
		}
		if a.Fingerprint == "" {
			ls := make(model.LabelSet, len(a.Labels))
			for k, v := range a.Labels {
				ls[model.LabelName(k)] = model.LabelValue(v)
			}
			a.Fingerprint = ls.Fingerprint().String()
		}
	}
	return m, nil
}

// IncidentAlerts turns a message into the store's alerts.
func (m *WebhookMessage) IncidentAlerts() []store.IncidentAlert {
	out := make([]store.IncidentAlert, len(m.Alerts))
	for i, a := range m.Alerts {
		out[i] = store.IncidentAlert{
			Receiver: m.Receiver, GroupKey: m.GroupKey, Fingerprint: a.Fingerprint, Status: a.Status,
			Labels: a.Labels, Annotations: a.Annotations, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
		}
	}
	return out
}
