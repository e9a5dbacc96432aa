package amembed_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/types"
	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/amembed"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/syncbuf"
	"github.com/slawatch/slawatch/store"
)

const exampleCatalogue = "../../examples/london-ooh.yaml"

// fastTimers keep the tests quick: the generated 10 s group_wait and 1 m
// group_interval become 50 ms and 300 ms.
var fastTimers = amembed.Timers{GroupWait: 50 * time.Millisecond, GroupInterval: 300 * time.Millisecond, RepeatInterval: time.Hour}

// notifier is the slawatch notifier on a loopback port: every webhook is
// recorded as Alertmanager sent it, then handled by the real intake over
// an event store in a temporary directory, whose console sink writes to
// console.
type notifier struct {
	srv     *httptest.Server
	mu      sync.Mutex
	msgs    []alerting.WebhookMessage
	console syncBuffer
}

func newNotifier(t *testing.T) *notifier {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "events.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	n := &notifier{}
	intake, err := alerting.NewIntake(alerting.IntakeOptions{Store: st, Logger: log,
		Notifiers: []alerting.Notifier{lineNotifier{&n.console}}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(alerting.WebhookPath, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		msg, err := alerting.ParseWebhook(body)
		if err != nil {
			t.Errorf("Alertmanager sent a webhook the intake refuses: %v\n%s", err, body)
		} else {
			n.mu.Lock()
			n.msgs = append(n.msgs, msg)
			n.mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		intake.ServeHTTP(w, r)
	})
	n.srv = httptest.NewServer(mux)
	t.Cleanup(n.srv.Close)
	return n
}

// messages returns the webhooks received so far.
func (n *notifier) messages() []alerting.WebhookMessage {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]alerting.WebhookMessage(nil), n.msgs...)
}

// waitFor polls until ok holds for the webhooks received.
func (n *notifier) waitFor(t *testing.T, what string, ok func([]alerting.WebhookMessage) bool) []alerting.WebhookMessage {
	t.Helper()
	var msgs []alerting.WebhookMessage
	poll(t, what, func() (string, bool) {
		msgs = n.messages()
		return "webhooks received:\n" + describe(msgs), ok(msgs)
	})
	return msgs
}

// poll calls f until it reports done, or fails the test with f's last
// state after a generous deadline (a bound on a hang, not a timing
// assertion).
func poll(t *testing.T, what string, f func() (state string, done bool)) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		state, done := f()
		if done {
			return state
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 30 s; %s", what, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func describe(msgs []alerting.WebhookMessage) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("  " + m.Receiver + " " + m.Status + ":")
		for _, a := range m.Alerts {
			b.WriteString(" " + a.Labels["alertname"] + "{" + a.Labels["po"] + a.Labels["job"] + "/" + a.Labels["service_option"] + "}=" + a.Status)
		}
		b.WriteString("\n")
	}
	if b.Len() == 0 {
		return "  (none)\n"
	}
	return b.String()
}

// find is the first alert named name with the label values of want, with
// its message.
func find(msgs []alerting.WebhookMessage, status string, want map[string]string) (alerting.WebhookMessage, bool) {
	for _, m := range msgs {
	alerts:
		for _, a := range m.Alerts {
			if a.Status != status {
				continue
			}
			for k, v := range want {
				if a.Labels[k] != v {
					continue alerts
				}
			}
			return m, true
		}
	}
	return alerting.WebhookMessage{}, false
}

// generated is alertmanager.yml generated from the example catalogue with
// every receiver posting to notifierURL.
func generated(t *testing.T, notifierURL string) []byte {
	t.Helper()
	cat, err := catalog.Load(exampleCatalogue)
	if err != nil {
		t.Fatal(err)
	}
	yml, err := alerting.GenerateAlertmanager(cat, alerting.AMConfig{NotifierURL: notifierURL})
	if err != nil {
		t.Fatal(err)
	}
	return yml
}

// start runs an embedded Alertmanager over the generated configuration
// until the test ends; alerts in before are put in before Run.
func start(t *testing.T, n *notifier, before ...*types.Alert) *amembed.Alertmanager {
	t.Helper()
	logs := &syncBuffer{}
	t.Cleanup(func() { // after Run has stopped
		if t.Failed() {
			t.Logf("Alertmanager's log:\n%s", logs)
		}
	})
	am, err := amembed.New(amembed.Options{ConfigYAML: generated(t, n.srv.URL), MaxTimers: fastTimers,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) > 0 {
		if err := am.Send(context.Background(), before...); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- am.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return am
}

func alert(labels ...string) *types.Alert {
	ls := model.LabelSet{}
	for i := 0; i+1 < len(labels); i += 2 {
		ls[model.LabelName(labels[i])] = model.LabelValue(labels[i+1])
	}
	return &types.Alert{Alert: model.Alert{Labels: ls,
		Annotations: model.LabelSet{"summary": model.LabelValue(string(ls["alertname"]) + " in a test")},
		StartsAt:    time.Now().Add(-time.Minute), EndsAt: time.Now().Add(time.Hour)}}
}

type syncBuffer = syncbuf.Buffer

// lineNotifier writes one line per incident the intake hands over:
// "intake: OPENED po-rbkc SLABreached rbkc/major_emergencies (incident 1)".
type lineNotifier struct{ w io.Writer }

func (l lineNotifier) Notify(_ context.Context, n alerting.Notification) (bool, error) {
	_, err := fmt.Fprintf(l.w, "intake: %s %s %s %s/%s (incident %d)\n", strings.ToUpper(n.Event), n.Receiver, n.Incident.AlertName,
		n.Incident.PO, n.Incident.ServiceOption, n.Incident.ID)
	return false, err
}
