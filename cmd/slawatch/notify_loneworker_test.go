package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting/sms/twiliofake"
	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/internal/testprom"
	"github.com/slawatch/slawatch/store"
)

// `slawatch notify` serves the lone-worker check-ins: the API behind
// --api-tokens, and the lone-worker number's signed SMS and voice webhooks
// under --public-url; its timers count the sessions on /metrics.
func TestNotifyServesLoneWorkers(t *testing.T) {
	twilio := twiliofake.New(twiliofake.Config{})
	defer twilio.Close()
	for k, v := range map[string]string{envTwilioAccountSID: twilio.AccountSID(), envTwilioAuthToken: twilio.AuthToken(),
		envTwilioFrom: twilio.Number(), envTwilioAPIURL: twilio.URL} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	token := apiauth.NewSecret("haringey-lone-worker-app")
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte(apiauth.Line("haringey-app", "haringey", token)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dsn := "sqlite:" + filepath.Join(dir, "events.db")
	addr := testprom.FreeAddr(t)
	base := "http://" + addr
	startNotifyArgs(t, "--listen", addr, "--public-url", base, "--store", dsn, "--api-tokens", tokens)

	// The API: check in (the token's PO is the default).
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/loneworker/sessions",
		strings.NewReader(`{"staff_group":"enforcement","officer":"haringey-eo-2","minutes":45,"location":"1 Test Road"}`))
	req.Header.Set("Authorization", "Bearer "+token.Reveal())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var sess struct {
		ID    int64
		State string
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &sess) != nil || sess.State != store.SessionActive {
		t.Fatalf("API check-in: %d %s", resp.StatusCode, body)
	}
	if code := apiStatus(t, base+"/api/v1/loneworker/sessions", ""); code != http.StatusUnauthorized {
		t.Errorf("API without a token: %d; want 401", code)
	}

	// SMS from the officer's own phone, signed by Twilio: OUT closes it.
	reply := twilioPost(t, twilio.AuthToken(), base+"/api/v1/loneworker/sms", url.Values{"From": {"+447700900402"}, "Body": {"OUT"},
		"MessageSid": {"SM00000000000000000000000000000001"}})
	if !strings.Contains(reply, "Checked out: session") {
		t.Errorf("SMS OUT reply %q", reply)
	}
	// An officer replying to a reminder texts the paging number (it sent
	// the reminder): the command is heard there too; others get the
	// paging help as before.
	if r := twilioPost(t, twilio.AuthToken(), base+"/api/v1/loneworker/sms", url.Values{"From": {"+447700900403"}, "Body": {"IN 30"}}); !strings.Contains(r, "Checked in") {
		t.Fatalf("SMS IN reply %q", r)
	}
	if r := twilioPost(t, twilio.AuthToken(), base+"/api/v1/twilio/sms", url.Values{"From": {"+447700900403"}, "Body": {"OUT"}}); !strings.Contains(r, "Checked out") {
		t.Errorf("OUT to the paging number: reply %q; want the check-out", r)
	}
	if r := twilioPost(t, twilio.AuthToken(), base+"/api/v1/twilio/sms", url.Values{"From": {"+447700900901"}, "Body": {"OUT"}}); !strings.Contains(r, "Reply with the code") {
		t.Errorf("a duty manager's OUT to the paging number: reply %q; want the paging help", r)
	}

	// The phone: a known caller hears the menu.
	if twiml := twilioPost(t, twilio.AuthToken(), base+"/api/v1/loneworker/voice", url.Values{"From": {"+447700900402"},
		"CallSid": {"CA00000000000000000000000000000001"}}); !strings.Contains(twiml, "<Gather") {
		t.Errorf("voice answer %q; want a menu", twiml)
	}

	// The timers count what they saw on /metrics, by group only.
	want := `loneworker_checkouts_total{po="haringey",staff_group="enforcement"} 2`
	var metrics string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if metrics = string(b); strings.Contains(metrics, want) {
			break
		}
	}
	if !strings.Contains(metrics, want) || !strings.Contains(metrics, "loneworker_last_tick_timestamp_seconds") {
		t.Errorf("/metrics lacks %s and the tick time", want)
	}
	// The contract KPIs' manual returns are exported here too (the rules
	// read kpi_return_latest_value); a PO-scoped credential cannot enter one.
	req, _ = http.NewRequest(http.MethodPost, base+"/api/v1/kpi/returns",
		strings.NewReader(`{"kpi":"care_visits_missed","period":"2026-10","numerator":3,"denominator":100}`))
	req.Header.Set("Authorization", "Bearer "+token.Reveal())
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("KPI return with a haringey credential: %d; want 403", resp.StatusCode)
	}
	if !strings.Contains(metrics, `kpi_mitigated{kpi="care_visits_missed"`) {
		t.Error("/metrics lacks the KPI metrics")
	}
	if strings.Contains(metrics, "haringey-eo-2") || strings.Contains(metrics, "Test Road") {
		t.Error("/metrics carries personal data")
	}
	st, err := store.Open(context.Background(), dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Session(context.Background(), sess.ID)
	if err != nil || got.State != store.SessionCheckedOut {
		t.Errorf("session %d after SMS OUT: %+v %v; want checked out", sess.ID, got, err)
	}
}

func apiStatus(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// twilioPost posts form as Twilio does, signed with the auth token, and
// returns the TwiML answer.
func twilioPost(t *testing.T, authToken, u string, form url.Values) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliofake.Signature(authToken, u, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}
