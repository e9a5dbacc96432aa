package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slawatch/slawatch/internal/testprom"
)

// eventually polls f until it returns nil or the deadline passes.
func eventually(t *testing.T, what string, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, d, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func getJSON(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return fmt.Errorf("%s: %s %s", req.URL.Path, resp.Status, b.String())
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type promVector struct {
	Status string `json:"status"`
	Data   struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	} `json:"data"`
}

func query(base, q, user, token string) (promVector, error) {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(q), nil)
	if user != "" {
		req.SetBasicAuth(user, token)
	}
	var v promVector
	err := getJSON(req, &v)
	return v, err
}

// deploy/local/stack.sh brings up the compose stack from Debian's
// Prometheus and Alertmanager and a fresh bin/slawatch on free loopback
// ports: calls posted to the telephony exporter reach Prometheus, every
// target is up, the Watchdog alert goes through the real Alertmanager to
// the notifier, a PO's proxy token sees its PO only, and `down` leaves no
// process behind.
func TestLocalStack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole stack")
	}
	for _, bin := range []string{"prometheus", "prometheus-alertmanager", "curl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s not found: run `make deps`", bin)
		}
	}
	repo, _ := filepath.Abs("..")
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "slawatch")
	build := exec.Command("go", "build", "-o", bin, "./cmd/slawatch")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "stack")
	os.MkdirAll(dir, 0o755)
	catalogPath := filepath.Join(repo, "examples/london-ooh.yaml")
	cat := exampleCatalog(t)
	poA, poB := cat.Organisations[0], cat.Organisations[1]

	// The proxy joins when `slawatch proxy token` works (helper B's command).
	tokens := map[string]string{}
	for _, po := range []string{poA.ID, poB.ID} {
		cmd := exec.Command(bin, "proxy", "token", "--po", po, "--credentials", filepath.Join(dir, "proxy-credentials.yaml"), "--catalog", catalogPath)
		out, err := cmd.Output()
		if err != nil {
			t.Logf("proxy token unavailable (%v): the proxy is left out", err)
			os.Remove(filepath.Join(dir, "proxy-credentials.yaml"))
			tokens = nil
			break
		}
		tokens[po] = strings.TrimSpace(string(out))
	}

	p := testprom.FreePorts(t, 9)
	names := []string{"PROM_PORT", "AM_PORT", "TELEPHONY_PORT", "LINETEST_PORT", "CRM_PORT", "MAILROOM_PORT", "NOTIFY_PORT", "PROXY_PORT", "PROXY_METRICS_PORT"}
	env := append(os.Environ(), "SLAWATCH_BIN="+bin, "CATALOG="+catalogPath, "INTERVAL=1s")
	port := map[string]int{}
	for i, n := range names {
		env = append(env, fmt.Sprintf("%s=%d", n, p[i]))
		port[n] = p[i]
	}
	stack := func(verb string) ([]byte, error) {
		cmd := exec.Command("bash", filepath.Join(repo, "deploy/local/stack.sh"), verb, dir)
		cmd.Env = env
		return cmd.CombinedOutput()
	}
	var pids []int
	t.Cleanup(func() {
		if out, err := stack("down"); err != nil {
			t.Errorf("stack down: %v\n%s", err, out)
		}
		for _, pid := range pids {
			if syscall.Kill(pid, 0) == nil {
				t.Errorf("process %d still running after down", pid)
			}
		}
	})
	out, err := stack("up")
	files, _ := filepath.Glob(filepath.Join(dir, "pids/*.pid"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			pids = append(pids, pid)
		}
	}
	if err != nil {
		t.Fatalf("stack up: %v\n%s", err, out)
	}
	wantProcs := 7
	if tokens != nil {
		wantProcs = 8
	}
	if len(pids) != wantProcs {
		t.Errorf("%d processes started, want %d", len(pids), wantProcs)
	}

	// A few calls for two POs.
	now := time.Now().UTC()
	var calls []map[string]any
	for i, po := range []string{poA.ID, poB.ID} {
		o := cat.Organisations[i]
		for j := range 3 {
			q := now.Add(-time.Duration(5-j) * time.Minute)
			calls = append(calls, map[string]any{
				"call_id": fmt.Sprintf("local-%s-%d", po, j), "po": po, "access_number": o.AccessNumbers[0].Number,
				"service_option": o.AccessNumbers[0].Options()[0], "queued_at": q.Format(time.RFC3339),
				"answered_at": q.Add(8 * time.Second).Format(time.RFC3339), "ended_at": q.Add(2 * time.Minute).Format(time.RFC3339),
				"outcome": "answered", "kind": "public",
			})
		}
	}
	body, _ := json.Marshal(calls)
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/api/v1/calls", port["TELEPHONY_PORT"]), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var answer bytes.Buffer
	answer.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("posting calls: %s %s", resp.Status, answer.String())
	}

	prom := fmt.Sprintf("http://127.0.0.1:%d", port["PROM_PORT"])
	eventually(t, "every target up", 60*time.Second, func() error {
		var tg struct {
			Data struct {
				ActiveTargets []struct {
					Labels    map[string]string `json:"labels"`
					Health    string            `json:"health"`
					LastError string            `json:"lastError"`
				} `json:"activeTargets"`
			} `json:"data"`
		}
		req, _ := http.NewRequest(http.MethodGet, prom+"/api/v1/targets", nil)
		if err := getJSON(req, &tg); err != nil {
			return err
		}
		if n := len(tg.Data.ActiveTargets); n != wantProcs { // Prometheus scrapes itself too
			return fmt.Errorf("%d targets, want %d", n, wantProcs)
		}
		for _, a := range tg.Data.ActiveTargets {
			if a.Health != "up" {
				return fmt.Errorf("job %s is %s: %s", a.Labels["job"], a.Health, a.LastError)
			}
		}
		return nil
	})
	eventually(t, "the calls in Prometheus", 30*time.Second, func() error {
		v, err := query(prom, fmt.Sprintf(`telephony_calls_offered_total{po=%q}`, poA.ID), "", "")
		if err == nil && len(v.Data.Result) == 0 {
			err = fmt.Errorf("no series")
		}
		return err
	})
	eventually(t, "the Watchdog at the notifier", 60*time.Second, func() error {
		cmd := exec.Command(bin, "incidents", "--status", "all", "--catalog", catalogPath, "--store", "sqlite:"+filepath.Join(dir, "events.db"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		if !strings.Contains(string(out), "Watchdog") {
			return fmt.Errorf("no Watchdog incident yet:\n%s", out)
		}
		return nil
	})

	if tokens == nil {
		return
	}
	proxy := fmt.Sprintf("http://127.0.0.1:%d", port["PROXY_PORT"])
	v, err := query(proxy, "telephony_calls_offered_total", poA.ID, tokens[poA.ID])
	if err != nil {
		t.Fatalf("through the proxy as %s: %v", poA.ID, err)
	}
	if len(v.Data.Result) == 0 {
		t.Errorf("%s sees none of its own series through the proxy", poA.ID)
	}
	for _, r := range v.Data.Result {
		if r.Metric["po"] != poA.ID {
			t.Errorf("%s sees %v through the proxy", poA.ID, r.Metric)
		}
	}
	if v, err := query(proxy, fmt.Sprintf(`telephony_calls_offered_total{po=%q}`, poB.ID), poA.ID, tokens[poA.ID]); err == nil && len(v.Data.Result) > 0 {
		t.Errorf("%s reads %s's series through the proxy: %v", poA.ID, poB.ID, v.Data.Result)
	}
	if _, err := query(proxy, "up", poA.ID, "not-the-token"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a wrong token: %v", err)
	}
}
