package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/slack/slackfake"
	"github.com/slawatch/slawatch/alerting/sms/twiliofake"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/testprom"
)

// The end-to-end test on Debian's real Prometheus and Alertmanager:
// calls breaching RBKC's major-emergencies SLA go into the real exporter;
// Prometheus (5 s scrape and evaluation, the committed rules) fires
// SLABreached; Alertmanager (the generated config) posts it to `slawatch
// notify`, which pages RBKC's on-call person by SMS through the real
// twilio-go client to a fake Twilio, and posts to #rbkc-ooh through the real
// slack-go client to a fake Slack — which is down: the SMS still gets
// through, and the Slack post lands once Slack is back. The delivery
// receipt, the SMS reply that acknowledges, and the Slack message updated
// with who took charge follow; nobody else is paged. The seconds from the
// breaching calls to the SMS are logged (docs/BENCHMARKS.md).
func TestPagingEndToEnd(t *testing.T) {
	amBin, err := exec.LookPath("prometheus-alertmanager")
	if err != nil {
		t.Fatal("prometheus-alertmanager not found: install Debian's prometheus-alertmanager or run make test")
	}
	ctx := context.Background()
	cat, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	officer, _, _ := cat.PersonByID("rbkc-duty-officer")
	phone := officer.SMS.Reveal()

	// The fakes, and the notifier pointed at them.
	slackAPI := slackfake.New(slackfake.Options{Token: "xoxb-e2e",
		Channels: map[string]string{"rbkc-ooh": "C0RBKCOOH", "ooh-duty-managers": "C0OOHDM"},
		Users:    []string{"U0OOHDM01", "U0OOHDM02", "U0RBKCN01", "U0RBKCN02"}})
	defer slackAPI.Close()
	slackAPI.SetOutage(true)
	twilio := twiliofake.New(twiliofake.Config{})
	defer twilio.Close()
	for k, v := range map[string]string{envSlackToken: "xoxb-e2e", envSlackSigning: "e2e-signing-secret", envSlackAPIURL: slackAPI.URL(),
		envTwilioAccountSID: twilio.AccountSID(), envTwilioAuthToken: twilio.AuthToken(), envTwilioFrom: twilio.Number(),
		envTwilioAPIURL: twilio.URL} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "events.db")
	notifyAddr := testprom.FreeAddr(t)
	base := "http://" + notifyAddr
	startNotifyArgs(t, "--listen", notifyAddr, "--public-url", base, "--store", dsn)

	// The exporter, Prometheus and Alertmanager.
	bin := buildBinary(t)
	serve, exporter := startServe(t, bin, "sqlite:"+filepath.Join(dir, "exporter.db"))
	defer func() { serve.Process.Signal(os.Interrupt); serve.Wait() }()
	amYML, err := alerting.GenerateAlertmanager(cat, alerting.AMConfig{NotifierURL: base})
	if err != nil {
		t.Fatal(err)
	}
	amFile := filepath.Join(dir, "alertmanager.yml")
	os.WriteFile(amFile, amYML, 0o644)
	amAddr := testprom.FreeAddr(t)
	am := testprom.StartProcess(t, "alertmanager", amBin, "--config.file="+amFile, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	if err := am.WaitReady("http://"+amAddr+"/-/ready", time.Minute); err != nil {
		t.Fatal(err)
	}
	rulesGlob, _ := filepath.Abs("../../rules/generated/*.yml")
	prom := testprom.Start(t, testprom.Options{Config: fmt.Sprintf(`global: {scrape_interval: 5s, evaluation_interval: 5s}
rule_files: [%q]
alerting:
  alertmanagers: [{static_configs: [{targets: [%q]}]}]
scrape_configs:
  - job_name: telephony
    static_configs: [{targets: [%q]}]
`, rulesGlob, amAddr, strings.TrimPrefix(exporter, "http://"))})
	client, _ := api.NewClient(api.Config{Address: prom.URL})
	papi := v1.NewAPI(client)
	query := func(q string) model.Vector {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		v, _, _, err := papi.Query(qctx, q, time.Now())
		if err != nil {
			return nil
		}
		vec, _ := v.(model.Vector)
		return vec
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(150 * time.Second)
		for time.Now().Before(deadline) {
			if ok() {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s: never happened", what)
	}
	waitFor("first scrape", func() bool { v := query(`up{job="telephony"}`); return len(v) == 1 && v[0].Value == 1 })
	time.Sleep(6 * time.Second) // a sample of the zero-initialised series before the calls

	// The breach: 20 calls in the last 10 minutes, all answered after 45 s.
	var calls []map[string]any
	start := time.Now().UTC().Add(-10 * time.Minute)
	for i := range 20 {
		q := start.Add(time.Duration(i) * 30 * time.Second)
		calls = append(calls, map[string]any{"call_id": fmt.Sprintf("e2e-%d", i), "access_number": "+442079460014",
			"service_option": "major_emergencies", "queued_at": q.Format(time.RFC3339),
			"answered_at": q.Add(45 * time.Second).Format(time.RFC3339), "ended_at": q.Add(3 * time.Minute).Format(time.RFC3339),
			"outcome": "answered"})
	}
	body, _ := json.Marshal(calls)
	breach := time.Now()
	if r, status, err := postCalls(&http.Client{Timeout: 10 * time.Second}, exporter, body); err != nil || r.Accepted != 20 {
		t.Fatalf("post calls: %d %+v %v", status, r, err)
	}

	// The SMS to RBKC's duty officer, through the real twilio-go client.
	var sms twiliofake.Message
	waitFor("SMS to rbkc-duty-officer", func() bool {
		for _, m := range twilio.Messages() {
			if m.To == phone {
				sms = m
				return true
			}
		}
		return false
	})
	smsAt := time.Now()
	var firing time.Time
	if v := query(`ALERTS_FOR_STATE{alertname="SLABreached",po="rbkc",service_option="major_emergencies"}`); len(v) == 1 {
		firing = time.Unix(int64(v[0].Value), 0).Add(10 * time.Second) // pending since, plus for: 10s
	}
	t.Logf("breaching calls posted -> SMS sent to the on-call: %.1f s (alert firing -> SMS: %.1f s)",
		smsAt.Sub(breach).Seconds(), smsAt.Sub(firing).Seconds())
	if sms.Segments != 1 || !strings.Contains(sms.Body, "rbkc/major_emergencies") || !strings.Contains(sms.Body, "Reply ") {
		t.Errorf("SMS %q (%d segments): want one segment naming rbkc/major_emergencies and how to ack", sms.Body, sms.Segments)
	}
	// Slack is down: the channel post is being retried; bring Slack back.
	slackAPI.SetOutage(false)
	if _, err := twilio.Flush(ctx); err != nil { // queued, sent, delivered
		t.Fatal(err)
	}
	inc := onlyIncident(t, dsn)
	waitFor("SMS delivered and Slack posted after the outage", func() bool {
		r := readIncident(t, dsn, inc)
		delivered, posted := false, false
		for _, p := range r.Pages {
			delivered = delivered || (p.Channel == "sms" && p.Status == "delivered")
			posted = posted || (p.Channel == "slack" && p.SlackChannel == "#rbkc-ooh" && p.Status == "delivered" && p.Attempts > 1)
		}
		return delivered && posted
	})

	// The officer replies with the code: acknowledged; the Slack post is
	// updated with who took charge.
	code := fmt.Sprintf("%dA", inc)
	status, twiml, err := twilio.SendInbound(ctx, base+"/api/v1/twilio/sms", phone, strings.ToLower(code))
	if err != nil || status != 200 || !strings.Contains(twiml, "Acknowledged #") {
		t.Fatalf("ack reply: %d %q %v", status, twiml, err)
	}
	waitFor("Slack message updated", func() bool {
		for _, m := range slackAPI.Messages() {
			if m.Method == "chat.update" && m.Channel == "C0RBKCOOH" && strings.Contains(string(m.Blocks)+m.Text, "rbkc-duty-officer") {
				return true
			}
		}
		return false
	})
	r := readIncident(t, dsn, inc)
	if r.Escalation == nil || r.Escalation.State != "acknowledged" || r.Escalation.AckedBy != "rbkc-duty-officer" || r.Escalation.AckedVia != "sms" {
		t.Errorf("escalation = %+v", r.Escalation)
	}
	// Nobody else was paged: one SMS, to the officer; Slack only in #rbkc-ooh.
	if n := len(twilio.Messages()); n != 1 {
		t.Errorf("%d SMS sent; want 1 (the officer acknowledged by SMS, so no notice to them)", n)
	}
	for _, m := range slackAPI.Messages() {
		if m.Channel != "C0RBKCOOH" {
			t.Errorf("Slack %s in %s: only #rbkc-ooh should hear of RBKC's breach", m.Method, m.Channel)
		}
	}
	code2, out, _ := runCLI(t, "incidents", "--store", dsn, "--id", fmt.Sprint(inc))
	for _, want := range []string{"acknowledged by rbkc-duty-officer via sms", "delivered", "retry", "pages:"} {
		if code2 != 0 || !strings.Contains(out, want) {
			t.Errorf("incidents --id %d lacks %q:\n%s", inc, want, out)
		}
	}
}

// startNotifyArgs runs `slawatch notify` in-process with args until the
// test ends, and waits for it to serve.
func startNotifyArgs(t *testing.T, args ...string) *syncBuffer {
	t.Helper()
	out, errb := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: out, stderr: errb, stdin: strings.NewReader("")}, append([]string{"notify",
			"--catalog", "../../examples/london-ooh.yaml", "--log-level", "debug"}, args...))
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("notify exited %d:\n%s", code, testprom.Tail(errb.String(), 3000))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if reNotifyServing.MatchString(out.String()) {
			return out
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("notify exited %d before serving:\n%s", code, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("notify did not start:\n%s\n%s", out.String(), errb.String())
	return nil
}

func onlyIncident(t *testing.T, dsn string) int64 {
	t.Helper()
	code, out, errOut := runCLI(t, "incidents", "--store", dsn, "--format", "json")
	var incs []struct{ ID int64 }
	if code != 0 || json.Unmarshal([]byte(out), &incs) != nil || len(incs) != 1 {
		t.Fatalf("incidents: %d %s %s; want exactly one", code, out, errOut)
	}
	return incs[0].ID
}

func readIncident(t *testing.T, dsn string, id int64) incidentReportJSON {
	t.Helper()
	code, out, errOut := runCLI(t, "incidents", "--store", dsn, "--id", fmt.Sprint(id), "--format", "json")
	var r incidentReportJSON
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("incidents --id %d: %d %s %s", id, code, out, errOut)
	}
	return r
}

type incidentReportJSON struct {
	Escalation *struct{ State, AckedBy, AckedVia string }
	Pages      []struct {
		Channel, SlackChannel, Status, Person string
		Attempts                              int
	}
}
