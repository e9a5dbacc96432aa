package testprom

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Debian's prometheus starts on a trivial configuration with a rule file
// beside it (a relative path), the extra flags given, and answers once
// Start returns.
func TestStartRunsPrometheus(t *testing.T) {
	addr := FreeAddr(t)
	p := Start(t, Options{
		Config: "global: {evaluation_interval: 1s}\nrule_files: [rules/one.yml]\n",
		Files:  map[string]string{"rules/one.yml": "groups: [{name: one, rules: [{record: testprom_one, expr: vector(1)}]}]\n"},
		Addr:   addr,
		Args:   []string{"--web.enable-admin-api"},
	})
	if p.Addr != addr || p.URL != "http://"+addr {
		t.Errorf("Addr %q, URL %q; want %s", p.Addr, p.URL, addr)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(p.URL + "/api/v1/status/flags")
	if err != nil {
		t.Fatal(err)
	}
	var flags struct{ Data map[string]string }
	json.NewDecoder(resp.Body).Decode(&flags)
	resp.Body.Close()
	if flags.Data["web.enable-admin-api"] != "true" {
		t.Errorf("flags %v: want web.enable-admin-api true", flags.Data)
	}
	// The rule file was loaded: its recorded series appears.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		resp, err := client.Get(p.URL + "/api/v1/query?query=" + url.QueryEscape("testprom_one"))
		if err != nil {
			t.Fatal(err)
		}
		var a struct {
			Data struct{ Result []json.RawMessage }
		}
		json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if len(a.Data.Result) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("testprom_one never recorded; rules/one.yml not loaded?\n%s", p.Tail(2000))
		}
	}
	if !strings.Contains(p.Log(), "Server is ready to receive web requests") {
		t.Errorf("log lacks Prometheus's ready line:\n%s", p.Tail(2000))
	}
}

func TestStartPicksAFreeAddress(t *testing.T) {
	p := Start(t, Options{Config: "global: {scrape_interval: 1m}\n"})
	if !strings.HasPrefix(p.URL, "http://127.0.0.1:") || p.URL != "http://"+p.Addr {
		t.Errorf("URL %q, Addr %q", p.URL, p.Addr)
	}
}

// A configuration Prometheus refuses fails Start, which says why.
func TestStartFailsOnABadConfig(t *testing.T) {
	msg := fatalOf(t, func(t testing.TB) { Start(t, Options{Config: "global: {scrape_interval: never}\n"}) })
	if !strings.Contains(msg, "prometheus exited before") {
		t.Errorf("failure %q; want prometheus exited before ready", msg)
	}
}

// Without prometheus on PATH the test fails, and says what to install.
func TestStartWithoutPrometheus(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	msg := fatalOf(t, func(t testing.TB) { Start(t, Options{Config: "{}\n"}) })
	if !strings.Contains(msg, "install Debian's prometheus package") {
		t.Errorf("failure %q; want what to install", msg)
	}
}
