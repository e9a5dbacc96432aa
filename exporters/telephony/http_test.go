package telephony

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func post(t *testing.T, h http.Handler, method, path, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
	var m map[string]any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %s: reply is not JSON: %q", method, path, w.Body.String())
		}
	}
	return w, m
}

const oneCall = `{"call_id":"h1","access_number":"+442079460103","service_option":"repairs","queued_at":"2026-01-31T23:00:00Z","answered_at":"2026-01-31T23:00:05Z","ended_at":"2026-01-31T23:01:00Z","outcome":"answered"}`

func TestHandlerCalls(t *testing.T) {
	dir := t.TempDir()
	reg := prometheus.NewPedanticRegistry()
	e, err := New(t.Context(), Options{Catalog: testCatalog(t), Store: openStore(t, dir), Registerer: reg, MaxBodyBytes: 2048})
	if err != nil {
		t.Fatal(err)
	}
	h := e.Handler()

	w, m := post(t, h, http.MethodPost, "/api/v1/calls", oneCall)
	if w.Code != http.StatusCreated || m["accepted"] != 1.0 {
		t.Fatalf("first post: %d %v", w.Code, m)
	}
	w, m = post(t, h, http.MethodPost, "/api/v1/calls", oneCall)
	if w.Code != http.StatusOK || m["duplicate"] != 1.0 || m["accepted"] != 0.0 {
		t.Fatalf("repeat post: %d %v", w.Code, m)
	}
	arr := `[` + strings.Replace(oneCall, "h1", "h2", 1) + `,` +
		strings.Replace(oneCall, `"outcome":"answered"`, `"outcome":"abandoned"`, 1) + `]`
	w, m = post(t, h, http.MethodPost, "/api/v1/calls", arr)
	errs, _ := m["errors"].([]any)
	if w.Code != http.StatusCreated || m["accepted"] != 1.0 || m["rejected"] != 1.0 || len(errs) != 1 {
		t.Fatalf("array: %d %v", w.Code, m)
	}
	if e0 := errs[0].(map[string]any); e0["line"] != 2.0 || e0["code"] != ReasonBadOrder {
		t.Errorf("array error = %v, want record 2 bad_order", e0)
	}

	for _, tc := range []struct {
		name, method, body string
		status             int
		msg                string
	}{
		{"GET", http.MethodGet, "", http.StatusMethodNotAllowed, "method GET not allowed; use POST"},
		{"not JSON", http.MethodPost, `{"call_id":`, http.StatusBadRequest, "record 1: invalid JSON"},
		{"bad array", http.MethodPost, `[{"call_id":"x"},`, http.StatusBadRequest, "invalid JSON"},
		{"text", http.MethodPost, `hello`, http.StatusBadRequest, "body must be one JSON call record object or an array"},
		{"unknown field", http.MethodPost, `[` + oneCall + `,{"call_id":"x","cli":"07700900123"}]`, http.StatusBadRequest, `record 2: unknown field "cli"; valid fields are call_id`},
		{"element not an object", http.MethodPost, `[1]`, http.StatusBadRequest, "record 1: not a JSON object"},
		{"too big", http.MethodPost, `[` + strings.Repeat(oneCall+",", 20) + oneCall + `]`, http.StatusRequestEntityTooLarge, "over the limit of 2048 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, m := post(t, h, tc.method, "/api/v1/calls", tc.body)
			if w.Code != tc.status || !strings.Contains(m["error"].(string), tc.msg) {
				t.Errorf("%d %v, want %d %q", w.Code, m, tc.status, tc.msg)
			}
			if tc.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != "POST" {
				t.Errorf("Allow = %q", w.Header().Get("Allow"))
			}
		})
	}
	// Nothing from the refused bodies was stored: x never appears, h1/h2 only once.
	text := exposition(t, reg, "telephony_exporter_records_total")
	for _, l := range []string{`{result="accepted",source="http"} 2`, `{result="duplicate",source="http"} 1`, `{result="rejected",source="http"} 1`} {
		if !strings.Contains(text, "telephony_exporter_records_total"+l+"\n") {
			t.Errorf("self metrics lack %s:\n%s", l, text)
		}
	}
}

func TestHandlerQueueSnapshot(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	e, err := New(t.Context(), Options{Catalog: testCatalog(t), Store: openStore(t, t.TempDir()), Registerer: reg,
		Now: func() time.Time { return time.Unix(1769900400, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	h := e.Handler()
	w, _ := post(t, h, http.MethodPost, "/api/v1/queue",
		`{"queues":[{"po":"alpha","service_option":"noise","waiting":3,"oldest_wait_seconds":42.5}],"channels_in_use":7,"channels_capacity":30}`)
	if w.Code != http.StatusNoContent {
		t.Fatalf("snapshot: %d %s", w.Code, w.Body)
	}
	text := exposition(t, reg, "telephony_calls_waiting", "telephony_oldest", "telephony_channels")
	for _, l := range []string{
		`telephony_calls_waiting{po="alpha",service_option="noise"} 3`,
		`telephony_calls_waiting{po="alpha",service_option="housing"} 0`,
		`telephony_oldest_wait_seconds{po="alpha",service_option="noise"} 42.5`,
		`telephony_channels_in_use 7`,
		`telephony_channels_capacity 30`,
	} {
		if !strings.Contains(text, l+"\n") {
			t.Errorf("lacks %s in\n%s", l, text)
		}
	}
	for _, tc := range []struct{ body, msg string }{
		{`{"queues":[{"po":"gamma","service_option":"noise"}]}`, `queues[0]: unknown po "gamma"`},
		{`{"queues":[{"po":"alpha","service_option":"repairs"}]}`, `po "alpha" has no service option "repairs"`},
		{`{"queues":[{"po":"alpha","service_option":"noise","waiting":-1}]}`, "must be numbers >= 0"},
		{`{"queue":[]}`, `unknown field "queue"`},
	} {
		w, m := post(t, h, http.MethodPost, "/api/v1/queue", tc.body)
		if w.Code != http.StatusBadRequest || !strings.Contains(m["error"].(string), tc.msg) {
			t.Errorf("%s: %d %v, want 400 %q", tc.body, w.Code, m, tc.msg)
		}
	}
}

// A body whose every record is rejected was not delivered: 422, not 2xx.
func TestHandlerCallsAllRejectedIs422(t *testing.T) {
	e, _ := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), nil)
	h := e.Handler()
	abandonedWithAnswer := strings.Replace(oneCall, `"outcome":"answered"`, `"outcome":"abandoned"`, 1)
	w, m := post(t, h, http.MethodPost, "/api/v1/calls", `[`+abandonedWithAnswer+`]`)
	if w.Code != http.StatusUnprocessableEntity || m["rejected"] != 1.0 || m["accepted"] != 0.0 {
		t.Fatalf("all rejected: %d %v, want 422 with the Result", w.Code, m)
	}
	if errs, _ := m["errors"].([]any); len(errs) != 1 {
		t.Errorf("errors = %v, want one", m["errors"])
	}
	if w, m := post(t, h, http.MethodPost, "/api/v1/calls", oneCall); w.Code != http.StatusCreated {
		t.Fatalf("good call: %d %v", w.Code, m)
	}
	// A duplicate and a rejected record: the duplicate was delivered before.
	if w, m := post(t, h, http.MethodPost, "/api/v1/calls", `[`+oneCall+`,`+abandonedWithAnswer+`]`); w.Code != http.StatusOK {
		t.Errorf("duplicate + rejected: %d %v, want 200", w.Code, m)
	}
	if w, m := post(t, h, http.MethodPost, "/api/v1/calls", `[]`); w.Code != http.StatusOK {
		t.Errorf("empty array: %d %v, want 200", w.Code, m)
	}
}

// A snapshot stops counting after Options.SnapshotTTL without a newer one.
func TestQueueSnapshotExpires(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	clk := &fixedClock{t: time.Unix(1769900400, 0)}
	e, err := New(t.Context(), Options{Catalog: testCatalog(t), Store: openStore(t, t.TempDir()), Registerer: reg,
		Now: clk.now, SnapshotTTL: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h := e.Handler()
	snap := `{"queues":[{"po":"alpha","service_option":"noise","waiting":3,"oldest_wait_seconds":42.5}],"channels_in_use":7,"channels_capacity":30}`
	if w, _ := post(t, h, http.MethodPost, "/api/v1/queue", snap); w.Code != http.StatusNoContent {
		t.Fatalf("snapshot: %d", w.Code)
	}
	gauges := func() string {
		return exposition(t, reg, "telephony_calls_waiting", "telephony_oldest", "telephony_channels")
	}
	fresh := []string{`telephony_calls_waiting{po="alpha",service_option="noise"} 3`, `telephony_channels_in_use 7`, `telephony_channels_capacity 30`}
	clk.t = clk.t.Add(30 * time.Second)
	text := gauges()
	for _, l := range fresh {
		if !strings.Contains(text, l+"\n") {
			t.Errorf("at the TTL: lacks %s in\n%s", l, text)
		}
	}
	clk.t = clk.t.Add(time.Second)
	text = gauges()
	if !strings.Contains(text, `telephony_calls_waiting{po="alpha",service_option="noise"} 0`+"\n") ||
		!strings.Contains(text, `telephony_oldest_wait_seconds{po="alpha",service_option="noise"} 0`+"\n") ||
		strings.Contains(text, "telephony_channels_") {
		t.Errorf("after the TTL, want waiting 0 and no channel gauges:\n%s", text)
	}
	// A new snapshot counts again.
	if w, _ := post(t, h, http.MethodPost, "/api/v1/queue", snap); w.Code != http.StatusNoContent {
		t.Fatalf("snapshot: %d", w.Code)
	}
	text = gauges()
	for _, l := range fresh {
		if !strings.Contains(text, l+"\n") {
			t.Errorf("after a new snapshot: lacks %s in\n%s", l, text)
		}
	}
}
