package alerting

import (
	"strings"
	"testing"
	"time"
)

// firingPayload is a webhook as Debian's Alertmanager 0.25 sends it (the
// documented version 4 shape: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
const firingPayload = `{
  "receiver": "po-rbkc",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": {"alertname": "SLABreached", "po": "rbkc", "service_option": "major_emergencies", "severity": "page"},
      "annotations": {"summary": "RBKC major emergencies: 61% answered within 20 s (target 80%)", "description": "Over the last hour."},
      "startsAt": "2025-03-30T00:58:01.123456789Z",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://prometheus:9090/graph?g0.expr=x",
      "fingerprint": "7c1b2e4f0a9d8e3c"
    }
  ],
  "groupLabels": {"alertname": "SLABreached", "po": "rbkc", "service_option": "major_emergencies"},
  "commonLabels": {"alertname": "SLABreached", "po": "rbkc", "service_option": "major_emergencies", "severity": "page"},
  "commonAnnotations": {"summary": "RBKC major emergencies: 61% answered within 20 s (target 80%)"},
  "externalURL": "http://alertmanager:9093",
  "version": "4",
  "groupKey": "{}/{po=\"rbkc\"}/{severity=~\"^(?:critical|page)$\"}:{alertname=\"SLABreached\", po=\"rbkc\", service_option=\"major_emergencies\"}",
  "truncatedAlerts": 0
}`

func resolvedPayload() string {
	s := strings.Replace(firingPayload, `"status": "firing",
  "alerts"`, `"status": "resolved",
  "alerts"`, 1)
	s = strings.Replace(s, `"status": "firing",
      "labels"`, `"status": "resolved",
      "labels"`, 1)
	return strings.Replace(s, `"endsAt": "0001-01-01T00:00:00Z"`, `"endsAt": "2025-03-30T02:10:00Z"`, 1)
}

func TestNotifyParseWebhook(t *testing.T) {
	m, err := ParseWebhook([]byte(firingPayload))
	if err != nil {
		t.Fatal(err)
	}
	a := m.Alerts[0]
	if m.Receiver != "po-rbkc" || m.Version != "4" || len(m.Alerts) != 1 || a.Status != "firing" ||
		a.Fingerprint != "7c1b2e4f0a9d8e3c" || a.Labels["po"] != "rbkc" || !a.EndsAt.IsZero() ||
		!a.StartsAt.Equal(time.Date(2025, 3, 30, 0, 58, 1, 123456789, time.UTC)) || !strings.HasPrefix(m.GroupKey, "{}/{po=") {
		t.Fatalf("parsed %+v", m)
	}
	ia := m.IncidentAlerts()
	if len(ia) != 1 || ia[0].Receiver != "po-rbkc" || ia[0].GroupKey != m.GroupKey || ia[0].Annotations["summary"] == "" {
		t.Errorf("IncidentAlerts = %+v", ia)
	}
	m, err = ParseWebhook([]byte(resolvedPayload()))
	if err != nil || m.Alerts[0].Status != "resolved" || !m.Alerts[0].EndsAt.Equal(time.Date(2025, 3, 30, 2, 10, 0, 0, time.UTC)) {
		t.Fatalf("resolved: %+v, %v", m, err)
	}
	// No fingerprint (Alertmanager before 0.19): Alertmanager's own, from the labels.
	m, err = ParseWebhook([]byte(strings.Replace(firingPayload, `"fingerprint": "7c1b2e4f0a9d8e3c"`, `"fingerprint": ""`, 1)))
	if err != nil || len(m.Alerts[0].Fingerprint) != 16 || m.Alerts[0].Fingerprint == "7c1b2e4f0a9d8e3c" {
		t.Errorf("computed fingerprint %q, %v", m.Alerts[0].Fingerprint, err)
	}
}

func TestNotifyParseWebhookErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"not json", `hello`, "not an Alertmanager webhook JSON object"},
		{"array", `[]`, "not an Alertmanager webhook JSON object"},
		{"two objects", firingPayload + `{}`, "data after the JSON object"},
		{"version 3", strings.Replace(firingPayload, `"version": "4"`, `"version": "3"`, 1), `version "3" is not supported: want "4"`},
		{"no version", strings.Replace(firingPayload, `"version": "4",`, ``, 1), `version "" is not supported`},
		{"no receiver", strings.Replace(firingPayload, `"receiver": "po-rbkc"`, `"receiver": ""`, 1), "receiver is empty"},
		{"no group key", strings.Replace(firingPayload, `"groupKey": "{}/`, `"groupKeyX": "{}/`, 1), "groupKey is empty"},
		{"no alerts", `{"version":"4","receiver":"r","groupKey":"g","alerts":[]}`, "alerts is empty"},
		{"pending", strings.Replace(firingPayload, `"status": "firing",
      "labels"`, `"status": "pending",
      "labels"`, 1), `alerts[0].status "pending": want "firing" or "resolved"`},
		{"bad time", strings.Replace(firingPayload, `"2025-03-30T00:58:01.123456789Z"`, `"yesterday"`, 1), "not an Alertmanager webhook"},
		{"no startsAt", strings.Replace(firingPayload, `"startsAt": "2025-03-30T00:58:01.123456789Z",`, ``, 1), "alerts[0].startsAt is missing"},
		{"resolved without end", strings.Replace(resolvedPayload(), `"endsAt": "2025-03-30T02:10:00Z"`, `"endsAt": "0001-01-01T00:00:00Z"`, 1), "alerts[0].endsAt is missing"},
		{"ends before start", strings.Replace(resolvedPayload(), `"endsAt": "2025-03-30T02:10:00Z"`, `"endsAt": "2025-03-29T02:10:00Z"`, 1), "before startsAt"},
		{"no labels", `{"version":"4","receiver":"r","groupKey":"g","alerts":[{"status":"firing","labels":{},"startsAt":"2025-01-01T00:00:00Z"}]}`, "alerts[0].labels is empty"},
	} {
		_, err := ParseWebhook([]byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// FuzzNotifyParseWebhook: never panics; what it accepts is a valid message.
func FuzzNotifyParseWebhook(f *testing.F) {
	f.Add([]byte(firingPayload))
	f.Add([]byte(resolvedPayload()))
	f.Add([]byte(`{"version":"4","receiver":"r","groupKey":"g","alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"2025-01-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseWebhook(body)
		if err != nil {
			return
		}
		if m.Version != "4" || m.Receiver == "" || m.GroupKey == "" || len(m.Alerts) == 0 {
			t.Fatalf("accepted %+v", m)
		}
		for i, a := range m.Alerts {
			if (a.Status != "firing" && a.Status != "resolved") || a.Fingerprint == "" || a.StartsAt.IsZero() || len(a.Labels) == 0 {
				t.Fatalf("accepted alert %d %+v", i, a)
			}
		}
	})
}
