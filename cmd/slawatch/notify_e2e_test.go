package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

var reNotifyServing = regexp.MustCompile(`serving on (http://[0-9.:]+)` + regexp.QuoteMeta(alerting.WebhookPath))

// startNotify runs `slawatch notify` in-process until the test ends.
func startNotify(t *testing.T, dsn, file string) (base string, out *syncBuffer) {
	t.Helper()
	out = &syncBuffer{}
	errb := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: out, stderr: errb, stdin: strings.NewReader("")},
			[]string{"notify", "--listen", "127.0.0.1:0", "--store", dsn, "--console", "--file", file, "--log-level", "debug"})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("notify exited %d:\n%s", code, errb.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := reNotifyServing.FindStringSubmatch(out.String()); m != nil {
			return m[1], out
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("notify exited %d before serving:\n%s", code, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("notify did not start:\n%s\n%s", out.String(), errb.String())
	return "", nil
}

// The whole intake path on Debian's real Alertmanager with the generated
// alertmanager.yml: an SLABreached page for rbkc is routed to po-rbkc,
// posted to the notifier, stored as one incident and printed by the
// console sink; posted again resolved, the incident resolves.
func TestNotifyAlertmanagerEndToEnd(t *testing.T) {
	amBin, err := exec.LookPath("prometheus-alertmanager")
	if err != nil {
		t.Fatal("prometheus-alertmanager not found: install Debian's prometheus-alertmanager or run make test")
	}
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "events.db")
	pages := filepath.Join(dir, "pages.jsonl")
	base, console := startNotify(t, dsn, pages)

	cat, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := alerting.GenerateAlertmanager(cat, alerting.AMConfig{NotifierURL: base})
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfgFile, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	am := exec.Command(amBin, "--config.file="+cfgFile, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	amLog := &syncBuffer{}
	am.Stdout, am.Stderr = amLog, amLog
	if err := am.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { am.Process.Signal(os.Interrupt); am.Wait() }()
	amURL := "http://" + addr
	client := &http.Client{Timeout: 5 * time.Second}

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(150 * time.Second)
		for time.Now().Before(deadline) {
			if ok() {
				return
			}
			time.Sleep(250 * time.Millisecond)
		}
		t.Fatalf("%s: never happened\nconsole:\n%s\nalertmanager log:\n%s", what, console.String(), tail(amLog.String(), 3000))
	}
	waitFor("alertmanager ready", func() bool {
		resp, err := client.Get(amURL + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	startsAt := time.Now().UTC().Add(-2 * time.Minute).Truncate(time.Second)
	postAlert := func(endsAt time.Time) {
		t.Helper()
		a := map[string]any{
			"labels":      map[string]string{"alertname": "SLABreached", "po": "rbkc", "service_option": "major_emergencies", "severity": "page"},
			"annotations": map[string]string{"summary": "RBKC major emergencies under 80% within 20 s"},
			"startsAt":    startsAt.Format(time.RFC3339),
		}
		if !endsAt.IsZero() {
			a["endsAt"] = endsAt.Format(time.RFC3339)
		}
		body, _ := json.Marshal([]any{a})
		resp, err := client.Post(amURL+"/api/v2/alerts", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST /api/v2/alerts: %d %s", resp.StatusCode, b)
		}
	}
	incidents := func() []store.Incident {
		code, out, errOut := runCLI(t, "incidents", "--store", dsn, "--format", "json")
		if code != 0 {
			t.Fatalf("incidents: exit %d\n%s", code, errOut)
		}
		var incs []store.Incident
		if err := json.Unmarshal([]byte(out), &incs); err != nil {
			t.Fatalf("incidents --format json: %v\n%s", err, out)
		}
		return incs
	}

	postAlert(time.Time{})
	opened := "OPENED po-rbkc SLABreached rbkc/major_emergencies"
	waitFor("incident opened and printed", func() bool {
		incs := incidents()
		return len(incs) == 1 && incs[0].Status == store.IncidentFiring && strings.Contains(console.String(), opened)
	})
	inc := incidents()[0]
	if inc.Receiver != "po-rbkc" || inc.PO != "rbkc" || inc.ServiceOption != "major_emergencies" || inc.Severity != "page" ||
		!inc.StartsAt.Equal(startsAt) || !strings.Contains(inc.GroupKey, `po="rbkc"`) {
		t.Errorf("stored incident %+v", inc)
	}
	if line := grepLine(console.String(), opened); !strings.Contains(line, "would page on-call of rbkc") {
		t.Errorf("console line %q does not say whom it would page", line)
	}

	postAlert(time.Now().UTC().Add(-time.Second))
	waitFor("incident resolved and printed", func() bool {
		incs := incidents()
		return len(incs) == 1 && incs[0].Status == store.IncidentResolved && strings.Contains(console.String(), "RESOLVED po-rbkc SLABreached")
	})
	if strings.Count(console.String(), "OPENED ") != 1 {
		t.Errorf("console paged more than once:\n%s", console.String())
	}
	code, out, errOut := runCLI(t, "incidents", "--store", dsn, "--id", fmt.Sprint(inc.ID))
	if code != 0 {
		t.Fatalf("incidents --id: %d %s", code, errOut)
	}
	for _, want := range []string{"opened", "resolved", "notified"} {
		if !strings.Contains(out, want) {
			t.Errorf("incidents --id %d lacks %q:\n%s", inc.ID, want, out)
		}
	}
	data, err := os.ReadFile(pages)
	if err != nil || strings.Count(string(data), "\n") != 2 || !strings.Contains(string(data), `"receiver":"po-rbkc"`) {
		t.Errorf("file sink %s (%v):\n%s", pages, err, data)
	}
}

func grepLine(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestNotifyIncidentsCLIFlags(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "events.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"incidents", "--store", dsn, "--status", "open"}, 2, "use firing, resolved or all"},
		{[]string{"incidents", "--store", dsn, "--format", "xml"}, 2, "use table or json"},
		{[]string{"incidents", "--store", dsn, "--since", "yesterday"}, 2, "RFC 3339"},
		{[]string{"incidents", "--store", dsn, "--id", "42"}, 1, "incident 42: no such incident"},
		{[]string{"notify", "--store", dsn, "extra"}, 2, "flags only"},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d %q, want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	code, out, _ := runCLI(t, "incidents", "--store", dsn, "--format", "json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty store json: %d %q", code, out)
	}
	code, _, errOut := runCLI(t, "notify", "--help")
	if code != 0 || !strings.Contains(errOut, alerting.WebhookPath) || !strings.Contains(errOut, "--console") {
		t.Errorf("notify --help: %d\n%s", code, errOut)
	}
}
