package crm

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, srv *httptest.Server, path, ctype, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestWebhook(t *testing.T) {
	r := newRig(t)
	r.clock.Set(t0.Add(time.Hour))
	srv := httptest.NewServer(r.exp.Handler())
	defer srv.Close()
	const one = `{"id":"r1","type":"request_created","at":"2026-11-02T18:00:00Z","po":"acme","service_option":"noise","action":"refer"}`
	const mixed = `[` + one + `,
 {"id":"d1","type":"referral_dispatched","at":"2026-11-02T18:06:00+00:00","call_ended_at":"2026-11-02T18:00:00Z","po":"acme","service_option":"noise","ref":"K-1","channel":"sms"},
 {"id":"bad-time","type":"complaint_received","at":"yesterday","po":"acme","ref":"K-2"},
 {"id":"bad-type","type":"request_created","at":"2026-11-02T18:00:00Z","po":"acme","service_option":"noise","action":"refer","urgent":"yes"},
 {"id":"extra","type":"request_created","at":"2026-11-02T18:00:00Z","po":"acme","service_option":"noise","action":"refer","caller_name":"x"},
 42,
 {"id":"r9","type":"request_created","at":"2026-11-02T18:00:00Z","po":"acme","service_option":"noise","action":"escalate"}
]`
	for _, tc := range []struct {
		name, method, path, ctype, body string
		status                          int
		want                            []string
	}{
		{"one object", http.MethodPost, EventsPath, "application/json", one, 200, []string{`"accepted":1`, `"duplicate":0`, `"rejected":0`}},
		{"the same again", http.MethodPost, EventsPath, "application/json; charset=utf-8", one, 200, []string{`"accepted":0`, `"duplicate":1`}},
		{"no content type", http.MethodPost, EventsPath, "", "[]", 200, []string{`"accepted":0`}},
		{"a mixed array", http.MethodPost, EventsPath, "application/json", mixed, 400, []string{
			`"accepted":1`, `"duplicate":1`, `"rejected":5`,
			`{"item":"3","field":"at","code":"bad_time","reason":"\"yesterday\" is not an RFC 3339 time`,
			`{"item":"4","field":"urgent","code":"bad_json","reason":"is a JSON string; want a boolean (true or false)"}`,
			`{"item":"5","field":"caller_name","code":"unknown_field"`,
			`{"item":"6","code":"bad_json","reason":"not a JSON object`,
			`{"item":"7","id":"r9","field":"action","code":"invalid_value"`,
		}},
		{"another source", http.MethodPost, EventsPath + "?source=crm_push", "application/json", one, 200, []string{`"accepted":1`}},
		{"a bad source", http.MethodPost, EventsPath + "?source=Bad%20Name", "application/json", one, 400, []string{`"error":"source`}},
		{"not json", http.MethodPost, EventsPath, "application/json", "id=1", 400, []string{`"error":"the body must be one JSON event object`}},
		{"broken json", http.MethodPost, EventsPath, "application/json", `[{"id":`, 400, []string{`"error":"the body is not a valid JSON array`}},
		{"broken object", http.MethodPost, EventsPath, "application/json", `{"id":`, 400, []string{`"error":"the body is not valid JSON`}},
		{"a form", http.MethodPost, EventsPath, "application/x-www-form-urlencoded", one, 415, []string{`send application/json`}},
		{"GET", http.MethodGet, EventsPath, "", "", 405, []string{`POST the events`}},
		{"too big", http.MethodPost, EventsPath, "application/json", "[" + strings.Repeat(one+",", 10000) + one + "]", 413, []string{`over the limit of 1048576 bytes`}},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, resp.StatusCode, tc.status, b)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		if tc.method == http.MethodGet && resp.Header.Get("Allow") != http.MethodPost {
			t.Errorf("%s: Allow %q", tc.name, resp.Header.Get("Allow"))
		}
		for _, w := range tc.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s: reply lacks %s:\n%s", tc.name, w, b)
			}
		}
		if strings.Contains(string(b), "K-2") {
			t.Errorf("%s: the reply echoes a ref: %s", tc.name, b)
		}
	}
	text := r.scrape(t)
	for s, want := range map[string]string{
		`crm_service_requests_total{action="refer",po="acme",service_option="noise"}`:         "2", // webhook + crm_push sources
		`crm_exporter_events_total{outcome="rejected",transport="webhook"}`:                   "5",
		`crm_exporter_rejected_total{reason="bad_json",transport="webhook"}`:                  "2",
		`crm_exporter_rejected_total{reason="unknown_field",transport="webhook"}`:             "1",
		`crm_exporter_events_total{outcome="duplicate",transport="webhook"}`:                  "2",
		`crm_referral_dispatch_seconds_count{channel="sms",po="acme",service_option="noise"}`: "1",
	} {
		if got := value(t, text, s); got != want {
			t.Errorf("%s = %s, want %s", s, got, want)
		}
	}
}

// Every body decodes without panicking into items and errors that cover
// each array element once, in order.
func FuzzDecodeEvents(f *testing.F) {
	for _, s := range []string{
		`{"id":"r1","type":"request_created","at":"2026-11-02T18:00:00Z","po":"acme","service_option":"noise","action":"refer"}`,
		`[{"id":"a","at":"2026-11-02T18:00:00.123+01:00","call_ended_at":""},{"urgent":true},null,"x",[]]`,
		`[]`, `{}`, `[{"at":5}]`, `{"id":"a","id":"b"}`, ` [ {"member_enquiry": 1} ] `,
	} {
		f.Add([]byte(s))
	}
	c := testCatalog(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		items, rejected, err := decodeEvents(body)
		if err != nil {
			if len(items)+len(rejected) != 0 {
				t.Fatalf("an error with results: %v", err)
			}
			return
		}
		var arr []json.RawMessage
		n := 1
		if err := json.Unmarshal(body, &arr); err == nil {
			n = len(arr)
		}
		if len(items)+len(rejected) != n {
			t.Fatalf("%d items + %d errors for %d elements", len(items), len(rejected), n)
		}
		for _, it := range items {
			_ = Validate(c, it.ev, it.pos, t0, time.Minute)
		}
		for _, e := range rejected {
			if e.Code != ReasonBadJSON && e.Code != ReasonUnknownField && e.Code != ReasonBadTime {
				t.Fatalf("decode error with code %q", e.Code)
			}
		}
	})
}
