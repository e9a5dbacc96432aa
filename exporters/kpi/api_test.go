package kpi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/internal/apiauth"
)

// apiRig serves the handler behind the real credentials middleware: token
// "provider" has scope *, "ealing" scope ealing.
func apiRig(t *testing.T) (*rig, *httptest.Server) {
	t.Helper()
	r := newRig(t)
	lines := apiauth.Line("provider-staff", "*", apiauth.NewSecret("provider")) + "\n" +
		apiauth.Line("ealing-officer", "ealing", apiauth.NewSecret("ealing")) + "\n"
	creds, err := apiauth.ParseCredentials("creds", []byte(lines))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(APIPrefix, creds.Middleware(slog.New(slog.DiscardHandler), r.exp.Handler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return r, srv
}

func call(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPIReturnsAndMitigations(t *testing.T) {
	r, srv := apiRig(t)
	code, body := call(t, srv, "POST", APIPrefix+"returns", "provider",
		`{"kpi":"care_visits_missed","period":"2026-09","numerator":12,"denominator":400,"note":"provider return"}`)
	if code != http.StatusCreated {
		t.Fatalf("POST returns: %d %s", code, body)
	}
	var got ReturnJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID == 0 || got.EnteredBy != "provider-staff" || got.Via != "api" || got.Percent != 3 || !got.Entered.Equal(rigNow) {
		t.Errorf("stored %+v", got)
	}
	code, body = call(t, srv, "POST", APIPrefix+"mitigations", "provider",
		`{"kpi":"care_visits_missed","period":"2026-09","reason":"agency staff strike 3-5 Sept","agreed_by":"contract board"}`)
	if code != http.StatusCreated || !strings.Contains(body, `"entered_by": "provider-staff"`) {
		t.Fatalf("POST mitigations: %d %s", code, body)
	}
	code, body = call(t, srv, "GET", APIPrefix+"status?period=2026-09", "provider", "")
	var st StatusJSON
	if err := json.Unmarshal([]byte(body), &st); code != http.StatusOK || err != nil {
		t.Fatalf("GET status: %d %s %v", code, body, err)
	}
	var care *Row
	for i := range st.Rows {
		if st.Rows[i].KPI == "care_visits_missed" {
			care = &st.Rows[i]
		}
	}
	if st.Period != "2026-09" || len(st.Rows) != len(r.cat.KPIs) || care == nil || care.RAG != "amber" || *care.Outturn != 3 ||
		len(care.Mitigations) != 1 || care.Mitigations[0].Reason != "agency staff strike 3-5 Sept" {
		t.Errorf("status: %s", body)
	}
	// A PO-scoped credential sees only its PO's KPIs (the example has none).
	code, body = call(t, srv, "GET", APIPrefix+"status?period=2026-09", "ealing", "")
	if code != http.StatusOK || !strings.Contains(body, `"kpis": []`) {
		t.Errorf("ealing's status: %d %s", code, body)
	}
}

// TestAPIErrors: every refusal has its status code and says what is valid;
// nothing refused is stored.
func TestAPIErrors(t *testing.T) {
	r, srv := apiRig(t)
	ret := func(fields string) string { return `{"kpi":"care_visits_missed","period":"2026-09",` + fields + `}` }
	for _, tc := range []struct {
		method, path, token, body string
		code                      int
		want                      string
	}{
		{"POST", "returns", "", ret(`"numerator":1,"denominator":2`), 401, "missing Authorization header"},
		{"POST", "returns", "wrong", ret(`"numerator":1,"denominator":2`), 401, "unknown or revoked token"},
		{"POST", "returns", "ealing", ret(`"numerator":1,"denominator":2`), 403, "credential ealing-officer is scoped to PO ealing; entering KPI returns and mitigations needs a provider credential (scope *)"},
		{"POST", "mitigations", "ealing", `{}`, 403, "needs a provider credential"},
		{"GET", "returns", "provider", "", 405, "method GET not allowed here; allowed: POST"},
		{"POST", "status", "provider", "", 405, "allowed: GET, HEAD"},
		{"POST", "nothing", "provider", "", 404, "not found; routes: POST /api/v1/kpi/returns"},
		{"POST", "returns", "provider", `{"kpi":`, 400, "body is not the JSON object wanted"},
		{"POST", "returns", "provider", ret(`"numerator":1,"denominator":2,"who":"me"`), 400, `unknown field "who"`},
		{"POST", "returns", "provider", ret(`"numerator":1,"denominator":2} {`), 400, "more than one JSON value"},
		{"POST", "returns", "provider", ret(`"numerator":80.5,"denominator":100`), 422, "numerator must be a whole number (an exact count), not 80.5"},
		{"POST", "returns", "provider", ret(`"numerator":"8","denominator":100`), 422, "numerator must be a JSON number, not a string"},
		{"POST", "returns", "provider", ret(`"numerator":8`), 422, "denominator is missing; want a whole number"},
		{"POST", "returns", "provider", ret(`"numerator":101,"denominator":100`), 422, "Numerator is 101; want a count from 0 to the denominator 100"},
		{"POST", "returns", "provider", `{"kpi":"care_visits_missed","period":"2026-Q3","numerator":1,"denominator":2}`, 422, "period 2026-Q3 is a quarter, but KPI care_visits_missed is reported monthly"},
		{"POST", "returns", "provider", `{"kpi":"calls_abandoned","period":"2026-09","numerator":1,"denominator":2}`, 422, "returns are entered for manual KPIs only"},
		{"POST", "mitigations", "provider", `{"kpi":"care_visits_missed","period":"2026-09","reason":"","agreed_by":"b"}`, 422, "Reason is empty"},
		{"GET", "status?period=Q3", "provider", "", 400, `query parameter period "Q3": too short`},
		{"GET", "status", "provider", "", 400, `period "": too short; want YYYY-MM (a month`},
		{"GET", "status?period=2027", "provider", "", 400, "period 2027 starts 2027-01-01: period has not started"},
	} {
		code, body := call(t, srv, tc.method, APIPrefix+tc.path, tc.token, tc.body)
		var e APIError
		json.Unmarshal([]byte(body), &e)
		if code != tc.code || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s %s %s: %d %s\nwant %d with %q", tc.method, tc.path, tc.body, code, body, tc.code, tc.want)
		}
	}
	if rets, _ := r.st.KPIReturns(context.Background(), storeAll); len(rets) != 0 {
		t.Errorf("refused returns stored: %+v", rets)
	}
	if mits, _ := r.st.KPIMitigations(context.Background(), storeAll); len(mits) != 0 {
		t.Errorf("refused mitigations stored: %+v", mits)
	}
	// The store gone: 503, retry.
	r.st.Close()
	code, body := call(t, srv, "POST", APIPrefix+"returns", "provider", ret(`"numerator":1,"denominator":2`))
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "retry") {
		t.Errorf("store closed: %d %s", code, body)
	}
}

// TestPromQuerier runs the client_golang API client against a fake
// Prometheus query endpoint answering as the real one does.
func TestPromQuerier(t *testing.T) {
	var gotQuery, gotTime string
	answer := `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1790809200,"7600"]}]}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		r.ParseForm()
		gotQuery, gotTime = r.Form.Get("query"), r.Form.Get("time")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.Contains(gotQuery, "bad("):
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"1:1: parse error: unknown function with name \"bad\""}`)
		case strings.Contains(gotQuery, "none"):
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		case strings.Contains(gotQuery, "many"):
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"2"]}]}}`)
		default:
			fmt.Fprint(w, answer)
		}
	}))
	defer srv.Close()
	q, err := NewPromQuerier(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, london)
	v, ok, err := q.Query(context.Background(), `sum(increase(x[7948800s]))`, at)
	if err != nil || !ok || v != 7600 {
		t.Errorf("Query = %v, %v, %v", v, ok, err)
	}
	if gotQuery != `sum(increase(x[7948800s]))` || gotTime != fmt.Sprint(at.Unix()) {
		t.Errorf("sent query=%q time=%q", gotQuery, gotTime)
	}
	if _, ok, err := q.Query(context.Background(), "none", at); ok || err != nil {
		t.Errorf("no series: %v %v", ok, err)
	}
	if _, _, err := q.Query(context.Background(), "many", at); err == nil || !strings.Contains(err.Error(), "yields 2 series") {
		t.Errorf("two series: %v", err)
	}
	if _, _, err := q.Query(context.Background(), "bad(x)", at); err == nil || !strings.Contains(err.Error(), "parse error") {
		t.Errorf("bad query: %v", err)
	}
	if _, err := NewPromQuerier("://bad", nil); err == nil {
		t.Error("bad URL accepted")
	}
}
