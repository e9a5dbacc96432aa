package main

import (
	"bytes"
	stdlog "log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/internal/secret"
	"github.com/slawatch/slawatch/tenancy"
)

// TestProxyServeLogs: injectproxy's own log lines (here: Prometheus is
// down) come out through the command's slog handler, tagged
// component=injectproxy, not as bare lines of the log package; and
// --max-nesting sets the nesting limit.
func TestProxyServeLogs(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // nothing listens there any more
	creds, tok := rbkcCredentials(t)
	addrs, errOut := serveProxy(t, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--credentials", creds,
		"--catalog", proxyCatalog, "--upstream", down.URL, "--max-nesting", "2")
	if addrs == nil {
		t.Fatalf("proxy serve did not start: %s", errOut.String())
	}
	query := func(q string) int {
		req, _ := http.NewRequest("GET", "http://"+addrs[0]+"/api/v1/query?query="+url.QueryEscape(q), nil)
		req.SetBasicAuth("rbkc", tok.Reveal())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := query("sum(rate(x[5m]))"); code != 400 {
		t.Errorf("a query nesting 3 deep with --max-nesting 2: %d; want 400", code)
	}
	if code := query("rate(x[5m])"); code != http.StatusBadGateway {
		t.Errorf("Prometheus down: %d; want 502", code)
	}
	var line string
	for deadline := time.Now().Add(10 * time.Second); line == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, l := range strings.Split(errOut.String(), "\n") {
			if strings.Contains(l, "proxy error") {
				line = l
			}
		}
	}
	if !strings.HasPrefix(line, "time=") || !strings.Contains(line, "level=WARN") || !strings.Contains(line, "component=injectproxy") {
		t.Errorf("injectproxy's proxy error: %q; want a slog line with level=WARN component=injectproxy\n%s", line, errOut.String())
	}
}

// TestProxyRouteStdLog: the log package writes through the handler until
// restored, then as before.
func TestProxyRouteStdLog(t *testing.T) {
	var got bytes.Buffer
	before := stdlog.Writer()
	restore := routeStdLog(slog.New(slog.NewTextHandler(&got, nil)).With("component", "x"), slog.LevelWarn)
	stdlog.Printf("from %s", "log")
	restore()
	if s := got.String(); !strings.Contains(s, `level=WARN msg="from log" component=x`) {
		t.Errorf("routed: %q", s)
	}
	if stdlog.Writer() != before {
		t.Error("the log package's output was not put back")
	}
}

// TestProxyMaxNestingFlag: --max-nesting below 1 is a usage error.
func TestProxyMaxNestingFlag(t *testing.T) {
	creds, _ := rbkcCredentials(t)
	code, _, errOut := runCLI(t, "proxy", "serve", "--credentials", creds, "--catalog", proxyCatalog, "--max-nesting", "0")
	if code != 2 || !strings.Contains(errOut, "--max-nesting 0: want 1 or more") {
		t.Errorf("--max-nesting 0: exit %d, %s; want a usage error", code, errOut)
	}
}

// rbkcCredentials writes a credentials file with one user, rbkc.
func rbkcCredentials(t *testing.T) (file string, tok secret.Secret) {
	file = filepath.Join(t.TempDir(), "creds.yml")
	tok, err := tenancy.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("credentials:\n"+tenancy.Entry("rbkc", "rbkc", tok)), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, tok
}
