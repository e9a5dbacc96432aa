package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slawatch/slawatch/store"
)

// recorder is a Notifier that keeps what it got and fails as told.
type recorder struct {
	mu    sync.Mutex
	got   []Notification
	fails []error // returned by the first calls, in order
	retry bool
}

func (r *recorder) Notify(_ context.Context, n Notification) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fails) > 0 {
		err := r.fails[0]
		r.fails = r.fails[1:]
		return r.retry, err
	}
	r.got = append(r.got, n)
	return false, nil
}

var intakeNow = time.Date(2025, 3, 30, 1, 0, 0, 0, time.UTC)

func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "events.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newTestIntake(t *testing.T, st IncidentStore, nf ...Notifier) *Intake {
	t.Helper()
	in, err := NewIntake(IntakeOptions{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return intakeNow },
		Notifiers: nf, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func post(t *testing.T, h http.Handler, body string) (int, IntakeResult, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(body)))
	var res IntakeResult
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatalf("answer %q: %v", rec.Body.String(), err)
		}
	}
	return rec.Code, res, rec.Body.String()
}

func kinds(t *testing.T, st *store.Store, id int64) []string {
	t.Helper()
	ev, err := st.IncidentEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var k []string
	for _, e := range ev {
		k = append(k, e.Kind)
	}
	return k
}

func TestNotifyIntakeSameWebhookTwice(t *testing.T) {
	st := openTestStore(t)
	rec := &recorder{}
	in := newTestIntake(t, st, rec)
	code, res, _ := post(t, in, firingPayload)
	if code != 200 || res != (IntakeResult{Alerts: 1, Opened: 1}) {
		t.Fatalf("first delivery: %d %+v", code, res)
	}
	code, res, _ = post(t, in, firingPayload)
	if code != 200 || res != (IntakeResult{Alerts: 1, Unchanged: 1}) {
		t.Fatalf("second delivery: %d %+v", code, res)
	}
	incs, err := st.ListIncidents(context.Background(), store.IncidentFilter{})
	if err != nil || len(incs) != 1 {
		t.Fatalf("incidents %+v (%v), want one", incs, err)
	}
	if k := kinds(t, st, incs[0].ID); strings.Join(k, ",") != "opened,notified" {
		t.Errorf("events %v, want opened,notified", k)
	}
	if len(rec.got) != 1 || rec.got[0].PO != "rbkc" || rec.got[0].Event != "opened" || rec.got[0].Target() != "on-call of rbkc" ||
		rec.got[0].Incident.Receiver != "po-rbkc" {
		t.Errorf("notifications %+v, want one opened for rbkc", rec.got)
	}
}

func TestNotifyIntakeResolveAndReopen(t *testing.T) {
	st := openTestStore(t)
	rec := &recorder{}
	in := newTestIntake(t, st, rec)
	post(t, in, firingPayload)
	code, res, _ := post(t, in, resolvedPayload())
	if code != 200 || res.Resolved != 1 {
		t.Fatalf("resolve: %d %+v", code, res)
	}
	// A late retry of the firing webhook changes nothing.
	if _, res, _ = post(t, in, firingPayload); res.Unchanged != 1 {
		t.Fatalf("late firing: %+v", res)
	}
	// Firing again later (a new startsAt) opens a new incident.
	again := strings.Replace(firingPayload, "2025-03-30T00:58:01.123456789Z", "2025-03-30T03:00:00Z", 1)
	if _, res, _ = post(t, in, again); res.Opened != 1 {
		t.Fatalf("refiring: %+v", res)
	}
	incs, _ := st.ListIncidents(context.Background(), store.IncidentFilter{})
	if len(incs) != 2 || incs[0].Status != "firing" || incs[1].Status != "resolved" {
		t.Fatalf("incidents %+v, want a firing one and the resolved one", incs)
	}
	if k := kinds(t, st, incs[1].ID); strings.Join(k, ",") != "opened,notified,resolved,notified" {
		t.Errorf("first incident events %v", k)
	}
	var evs []string
	for _, n := range rec.got {
		evs = append(evs, n.Event)
	}
	if strings.Join(evs, ",") != "opened,resolved,opened" {
		t.Errorf("notified %v, want opened,resolved,opened", evs)
	}
}

func TestNotifyIntakeStatusCodes(t *testing.T) {
	st := openTestStore(t)
	in := newTestIntake(t, st)
	rec := httptest.NewRecorder()
	in.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, WebhookPath, nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	if code, _, body := post(t, in, strings.Replace(firingPayload, `"version": "4"`, `"version": "3"`, 1)); code != 400 || !strings.Contains(body, `want "4"`) {
		t.Errorf("version 3: %d %q", code, body)
	}
	if code, _, body := post(t, in, `{"version":"4"`); code != 400 || !strings.Contains(body, "JSON") {
		t.Errorf("truncated: %d %q", code, body)
	}
	big := `{"version":"4","receiver":"` + strings.Repeat("x", MaxWebhookBytes) + `"}`
	if code, _, _ := post(t, in, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("over 1 MiB: %d, want 413", code)
	}
	if code, _, _ := post(t, in, firingPayload); code != 200 {
		t.Errorf("good body: %d", code)
	}
}

// failingStore fails like a database that is down.
type failingStore struct{}

func (failingStore) UpsertAlerts(context.Context, []store.IncidentAlert, time.Time) ([]store.AlertResult, error) {
	return nil, errors.New("connection refused")
}
func (failingStore) AddIncidentEvent(context.Context, int64, time.Time, string, string) error {
	return errors.New("connection refused")
}

func TestNotifyIntakeStoreDown(t *testing.T) {
	rec := &recorder{}
	in := newTestIntake(t, failingStore{}, rec)
	code, _, body := post(t, in, firingPayload)
	if code != http.StatusServiceUnavailable || strings.Contains(body, "connection refused") {
		t.Errorf("store down: %d %q, want 503 without internals", code, body)
	}
	if len(rec.got) != 0 {
		t.Errorf("notified %d times with nothing stored", len(rec.got))
	}
}

func TestNotifyIntakeRetriesTransientFailures(t *testing.T) {
	st := openTestStore(t)
	flaky := &recorder{fails: []error{errors.New("503 from provider"), errors.New("timeout")}, retry: true}
	broken := &recorder{fails: []error{errors.New("401 bad token"), errors.New("401 bad token")}, retry: false}
	in := newTestIntake(t, st, flaky, broken)
	post(t, in, firingPayload)
	incs, _ := st.ListIncidents(context.Background(), store.IncidentFilter{})
	if len(flaky.got) != 1 || len(broken.got) != 0 || len(broken.fails) != 1 {
		t.Fatalf("flaky got %d, broken got %d with %d failures left: want the flaky one delivered on the 3rd attempt, the broken one tried once",
			len(flaky.got), len(broken.got), len(broken.fails))
	}
	if k := kinds(t, st, incs[0].ID); strings.Join(k, ",") != "opened,notified,notify_failed" {
		t.Errorf("events %v, want opened,notified,notify_failed", k)
	}
}

func TestNotifyIntakeWatchdogPagesNobody(t *testing.T) {
	st := openTestStore(t)
	rec := &recorder{}
	in := newTestIntake(t, st, rec)
	body := `{"version":"4","receiver":"watchdog","groupKey":"{}/{alertname=\"Watchdog\"}:{}","status":"firing",
"alerts":[{"status":"firing","labels":{"alertname":"Watchdog","severity":"none"},"annotations":{},"startsAt":"2025-03-30T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"00000000000000aa"}]}`
	if code, res, _ := post(t, in, body); code != 200 || res.Opened != 1 || len(rec.got) != 0 {
		t.Errorf("watchdog: %d %+v, %d notifications; want stored, nobody paged", code, res, len(rec.got))
	}
}
