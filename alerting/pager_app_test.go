package alerting

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

func postPage(t *testing.T, h http.Handler, body string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, AppPagePath, strings.NewReader(body)))
	return w
}

// TestAppIntake: the application's own pages open an incident once per
// key, escalate like alerts, resolve by key, and bad pages are refused
// with the reason.
func TestAppIntake(t *testing.T) {
	r := newPagerRig(t)
	h := r.p.AppIntake(nil)
	page := `{"source":"linetest","key":"run-1","po":"acme","service_option":"noise","access_number":"+442079460901",
	  "alertname":"LineTestFailed","severity":"critical","summary":"test call to +442079460901 did not reach the queue"}`
	w := postPage(t, h, page)
	if w.Code != http.StatusCreated {
		t.Fatalf("first page: %d %s", w.Code, w.Body)
	}
	if w := postPage(t, h, page); w.Code != http.StatusOK {
		t.Fatalf("same key again: %d %s; want 200 (the same incident)", w.Code, w.Body)
	}
	r.tick()
	on, _ := r.cat.OnCall("acme", "noise", pagerStart)
	eqs(t, "app page SMS", r.sms.to(0), []string{"page:" + on.ID})
	if m := r.sms.sent[0]; m.AlertName != "LineTestFailed" || m.AccessNumber != "+442079460901" || m.Severity != "critical" {
		t.Fatalf("message = %+v", m)
	}
	w = postPage(t, h, `{"source":"linetest","key":"run-1","po":"acme","alertname":"LineTestFailed","resolved":true}`)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"resolved"`) {
		t.Fatalf("resolve: %d %s", w.Code, w.Body)
	}
	r.at(time.Minute)
	eqs(t, "resolved notice", r.sms.to(1), []string{"resolved:" + on.ID})

	for _, tc := range []struct {
		body string
		code int
		want string
	}{
		{`{"source":"linetest","key":"k","po":"nowhere","alertname":"X","summary":"s"}`, 422, `po "nowhere": not in the catalogue; want one of acme, beta`},
		{`{"source":"linetest","key":"k","po":"acme","service_option":"parking","alertname":"X","summary":"s"}`, 422, `service_option "parking": not a service option of acme`},
		{`{"source":"linetest","key":"k","po":"acme","alertname":"X","severity":"loud","summary":"s"}`, 422, `severity "loud": want page, critical or warning`},
		{`{"source":"linetest","key":"k","po":"acme","alertname":"X"}`, 422, "summary: say what is wrong"},
		{`{"source":"linetest","key":"never","po":"acme","alertname":"X","resolved":true}`, 422, `no page of source linetest to resolve`},
		{`{"source":"loneworker","key":"session:1","po":"acme","alertname":"LoneWorkerOverdue","severity":"warning","summary":"x"}`, 422, `source "loneworker" is raised by slawatch itself`},
		{`{"source":"loneworker","key":"session:1","po":"acme","alertname":"LoneWorkerOverdue","resolved":true}`, 422, `source "loneworker" is raised by slawatch itself`},
		{`{"source":"rota","key":"x","alertname":"RotaGap","summary":"x"}`, 422, `source "rota" is raised by slawatch itself`},
		{`{"source":"linetest","key":"k","po":"acme","alertname":"X","summary":"s","caller":"+447700900999"}`, 400, `unknown field "caller"`},
		{`{"source":`, 400, "bad page JSON"},
	} {
		w := postPage(t, h, tc.body)
		if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("%s\n -> %d %q; want %d containing %q", tc.body, w.Code, w.Body, tc.code, tc.want)
		}
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, AppPagePath, nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
		t.Fatalf("GET: %d Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

// TestRaiseGapTellsDutyManagersOnce: a rota gap ahead is a warning to the
// provider's duty managers (their Slack channel: time to fix the rota, no
// SMS at night), once however often it is raised.
func TestRaiseGapTellsDutyManagersOnce(t *testing.T) {
	r := newPagerRig(t)
	g := catalog.Gap{PO: "acme", Rota: "mute", From: pagerStart.Add(20 * time.Hour), To: pagerStart.Add(44 * time.Hour),
		Person: "acme-mute", Reason: "acme-mute has no sms, slack or email"}
	for range 2 {
		if err := r.p.RaiseGap(r.ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	incs, _ := r.st.ListIncidents(r.ctx, store.IncidentFilter{})
	if len(incs) != 1 || incs[0].AlertName != "RotaGap" || !strings.Contains(incs[0].Summary(), "acme/mute Sat 21 Nov 18:00") {
		t.Fatalf("incidents = %+v", incs)
	}
	r.tick()
	eqs(t, "gap posted to", r.slack.to(0), []string{"page:#ooh-duty"})
	eqs(t, "gap SMS", r.sms.to(0), nil)
}

// With an allow function, a page for a PO the caller may not page for is
// refused with 403 and stores nothing.
func TestAppIntakeAllow(t *testing.T) {
	r := newPagerRig(t)
	h := r.p.AppIntake(func(_ *http.Request, po string) bool { return po == "acme" })
	if w := postPage(t, h, `{"source":"linetest","key":"k1","po":"beta","alertname":"X","summary":"s"}`); w.Code != http.StatusForbidden {
		t.Fatalf("page for beta: %d %s; want 403", w.Code, w.Body)
	}
	if incs, _ := r.st.ListIncidents(r.ctx, store.IncidentFilter{}); len(incs) != 0 {
		t.Fatalf("a refused page was stored: %+v", incs)
	}
	if w := postPage(t, h, `{"source":"linetest","key":"k1","po":"acme","alertname":"X","summary":"s"}`); w.Code != http.StatusCreated {
		t.Fatalf("page for acme: %d %s; want 201", w.Code, w.Body)
	}
}
