package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slawatch/slawatch/internal/secret"
	"github.com/slawatch/slawatch/internal/syncbuf"
	"github.com/slawatch/slawatch/tenancy"
)

const proxyCatalog = "../../examples/london-ooh.yaml"

func TestProxyToken(t *testing.T) {
	code, out, errOut := runCLI(t, "proxy", "token", "--po", "rbkc", "--catalog", proxyCatalog)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 5 || !strings.Contains(lines[0], "SLAWATCH_PROXY_TOKEN_RBKC") {
		t.Fatalf("output:\n%s", out)
	}
	tok := secret.New(lines[1])
	if len(lines[1]) != 43 {
		t.Fatalf("token line %q: want 43 characters", lines[1])
	}
	i := strings.Index(out, "  - {po: rbkc")
	if i < 0 {
		t.Fatalf("no entry:\n%s", out)
	}
	cs, err := tenancy.ParseCredentials("pasted", []byte("credentials:\n"+out[i:]))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := cs.Authenticate("rbkc", tok); !ok || c.PO != "rbkc" {
		t.Errorf("the printed entry does not take the printed token")
	}
	// Two runs, two tokens.
	_, out2, _ := runCLI(t, "proxy", "token", "--po", "rbkc", "--catalog", proxyCatalog)
	if strings.Contains(out2, lines[1]) {
		t.Error("the same token twice")
	}

	// --credentials appends and prints only the token.
	file := filepath.Join(t.TempDir(), "creds.yml")
	code, out, errOut = runCLI(t, "proxy", "token", "--po", "tower_hamlets", "--user", "th-officers", "--credentials", file, "--catalog", proxyCatalog)
	if code != 0 || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}\n$`).MatchString(out) || !strings.Contains(errOut, "added user th-officers") {
		t.Fatalf("exit %d\nstdout %q\nstderr %s", code, out, errOut)
	}
	cs, err = tenancy.LoadCredentials(file)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := cs.Authenticate("th-officers", secret.New(strings.TrimSpace(out))); !ok || c.PO != "tower_hamlets" {
		t.Error("the appended entry does not take the printed token")
	}
	if code, _, errOut := runCLI(t, "proxy", "token", "--po", "rbkc", "--user", "th-officers", "--credentials", file, "--catalog", proxyCatalog); code != 1 ||
		!strings.Contains(errOut, `"th-officers" is already on line`) {
		t.Errorf("a user twice: exit %d %s", code, errOut)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"proxy", "token"}, "--po is required"},
		{[]string{"proxy", "token", "--po", "nowhere", "--catalog", proxyCatalog}, `--po "nowhere" is not a PO of ../../examples/london-ooh.yaml; POs: `},
		{[]string{"proxy"}, "name a proxy command: serve or token"},
		{[]string{"proxy", "federate"}, `unknown proxy command "federate"`},
		{[]string{"proxy", "serve", "--catalog", proxyCatalog}, "--credentials is required"},
		{[]string{"proxy", "serve", "--credentials", file, "--upstream", "127.0.0.1:9090"}, `--upstream "127.0.0.1:9090": want Prometheus's URL`},
		// rules and alerts would go unfiltered behind a path (injectproxy
		// filters by the outgoing path).
		{[]string{"proxy", "serve", "--credentials", file, "--upstream", "http://127.0.0.1:9090/prom", "--catalog", proxyCatalog}, `path "/prom"`},
		{[]string{"proxy", "serve", "--credentials", file, "--upstream", "http://127.0.0.1:9090/?x=1", "--catalog", proxyCatalog}, "root URL"},
		{[]string{"proxy", "serve", "--credentials", file, "--max-in-flight", "0"}, "--max-in-flight 0: want"},
		// Without --credentials, --user is checked as the file would check it.
		{[]string{"proxy", "token", "--po", "rbkc", "--user", "a b", "--catalog", proxyCatalog}, `--user "a b": want 1 to 64 letters`},
		{[]string{"proxy", "token", "--po", "rbkc", "--user", "null", "--catalog", proxyCatalog}, `--user "null"`},
		{[]string{"proxy", "token", "--po", "rbkc", "--user", "NULL", "--catalog", proxyCatalog}, `--user "NULL"`},
	} {
		if code, _, errOut := runCLI(t, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestProxyServeHelp(t *testing.T) {
	code, _, errOut := runCLI(t, "proxy", "serve", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Usage: slawatch proxy serve", "GET|POST /api/v1/query", "/api/v1/label/<name>/values",
		"/-/healthy", "--credentials", "--web.config.file", "--metrics-listen", "--upstream", "SIGHUP", "token_sha256", "refused",
		"wrong method on a served path gets 405", "--max-in-flight", "429", "root URL", "16 KiB",
		"slawatch_proxy_credentials_reloads_total"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("--help lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, errOut := runCLI(t, "proxy", "token", "--help"); code != 0 || !strings.Contains(errOut, "shown once") && !strings.Contains(errOut, "printed once") {
		t.Errorf("token --help: %d %s", code, errOut)
	}
}

// serveProxy runs `slawatch proxy serve` in-process until the test ends
// and returns the addresses it printed (query API, then /metrics).
func serveProxy(t *testing.T, args ...string) (addrs []string, errOut *syncbuf.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: out, stderr: errb, stdin: strings.NewReader("")}, append([]string{"proxy", "serve"}, args...))
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("proxy serve exit %d: %s", code, errb.String())
		}
	})
	re := regexp.MustCompile(`on https?://(\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			done <- code
			return nil, errb
		default:
		}
		m := re.FindAllStringSubmatch(out.String(), -1)
		if len(m) == 2 {
			return []string{m[0][1], m[1][1]}, errb
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("proxy serve never printed its addresses: %s %s", out.String(), errb.String())
	return nil, nil
}

// fakeProm records the query each request carries.
type fakeProm struct {
	mu      sync.Mutex
	queries []string
}

func (f *fakeProm) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.queries = append(f.queries, r.Form.Get("query"))
		f.mu.Unlock()
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	})
}

func TestProxyServe(t *testing.T) {
	prom := &fakeProm{}
	up := httptest.NewServer(prom.handler())
	defer up.Close()
	dir := t.TempDir()
	creds := filepath.Join(dir, "creds.yml")
	tok, _ := tenancy.NewToken()
	other, _ := tenancy.NewToken()
	if err := os.WriteFile(creds, []byte("credentials:\n"+tenancy.Entry("rbkc", "rbkc", tok)), 0o600); err != nil {
		t.Fatal(err)
	}
	addrs, errOut := serveProxy(t, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--credentials", creds,
		"--catalog", proxyCatalog, "--upstream", up.URL)
	if addrs == nil {
		t.Fatalf("proxy serve did not start: %s", errOut.String())
	}
	api, metrics := "http://"+addrs[0], "http://"+addrs[1]
	get := func(u, user string, tok secret.Secret) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		if user != "" {
			req.SetBasicAuth(user, tok.Reveal())
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(api+"/-/healthy", "", secret.Secret{}); code != 200 {
		t.Errorf("healthy: %d %s", code, body)
	}
	if code, _ := get(api+"/api/v1/query?query=up", "", secret.Secret{}); code != 401 {
		t.Errorf("no credential: %d", code)
	}
	if code, body := get(api+"/api/v1/query?query=up", "rbkc", tok); code != 200 {
		t.Errorf("rbkc: %d %s", code, body)
	}
	if code, _ := get(api+"/metrics", "rbkc", tok); code != 404 {
		t.Errorf("/metrics on the API address: %d; want 404", code)
	}
	// Headers over 64 KiB are refused by the server (431).
	{
		req, _ := http.NewRequest("GET", api+"/api/v1/query?query=up", nil)
		req.SetBasicAuth("rbkc", tok.Reveal())
		req.Header.Set("X-Padding", strings.Repeat("a", 80<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("80 KiB of headers: %d; want 431", resp.StatusCode)
		}
	}
	prom.mu.Lock()
	if len(prom.queries) != 1 || prom.queries[0] != `up{po="rbkc"}` {
		t.Errorf("Prometheus saw %q", prom.queries)
	}
	prom.mu.Unlock()
	code, body := get(metrics+"/metrics", "", secret.Secret{})
	if code != 200 || !strings.Contains(body, `slawatch_proxy_requests_total{code="200",endpoint="query",po="rbkc"} 1`) ||
		!strings.Contains(body, `slawatch_proxy_auth_failures_total{reason="missing"} 1`) || strings.Contains(body, tok.Reveal()) {
		t.Errorf("/metrics: %d\n%s", code, body)
	}

	if !strings.Contains(body, `slawatch_proxy_credentials_reloads_total{result="failure"} 0`) ||
		!strings.Contains(body, "slawatch_proxy_credentials_last_reload_success_timestamp_seconds ") {
		t.Errorf("/metrics lacks the reload metrics:\n%s", body)
	}
	// metricsUntil polls /metrics until it holds want.
	metricsUntil := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, body := get(metrics+"/metrics", "", secret.Secret{})
			if strings.Contains(body, want) {
				return body
			}
			if time.Now().After(deadline) {
				t.Fatalf("/metrics never held %q:\n%s\nlog: %s", want, body, errOut.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// A file that does not load: reported, counted, the old credentials stay.
	if err := os.WriteFile(creds, []byte("credentials:\n  - {po: rbkc, user: 'a b'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// proxy serve runs in this process, with signal.Notify on SIGHUP.
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	metricsUntil(`slawatch_proxy_credentials_reloads_total{result="failure"} 1`)
	if code, body := get(api+"/api/v1/query?query=up", "rbkc", tok); code != 200 {
		t.Errorf("rbkc after a failed reload: %d %s", code, body)
	}

	// SIGHUP reloads the file: rbkc revoked, ealing added.
	if err := os.WriteFile(creds, []byte("credentials:\n"+tenancy.Entry("ealing", "ealing", other)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	metricsUntil(`slawatch_proxy_credentials_reloads_total{result="success"} 1`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c1, _ := get(api+"/api/v1/query?query=up", "rbkc", tok)
		c2, _ := get(api+"/api/v1/query?query=up", "ealing", other)
		if c1 == 401 && c2 == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP: rbkc %d, ealing %d; log: %s", c1, c2, errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(errOut.String(), tok.Reveal()) || strings.Contains(errOut.String(), other.Reveal()) {
		t.Error("a token in the log")
	}
}

func TestProxyServeTLS(t *testing.T) {
	prom := &fakeProm{}
	up := httptest.NewServer(prom.handler())
	defer up.Close()
	dir := t.TempDir()
	certPEM := writeSelfSigned(t, dir)
	creds := filepath.Join(dir, "creds.yml")
	tok, _ := tenancy.NewToken()
	os.WriteFile(creds, []byte("credentials:\n"+tenancy.Entry("rbkc", "rbkc", tok)), 0o600)
	webCfg := filepath.Join(dir, "web.yml")
	os.WriteFile(webCfg, []byte("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n"), 0o600)

	addrs, errOut := serveProxy(t, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--credentials", creds,
		"--catalog", proxyCatalog, "--upstream", up.URL, "--web.config.file", webCfg)
	if addrs == nil {
		t.Fatalf("proxy serve did not start: %s", errOut.String())
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	req, _ := http.NewRequest("GET", "https://"+addrs[0]+"/api/v1/query?query=up", nil)
	req.SetBasicAuth("rbkc", tok.Reveal())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Errorf("https: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	// Plain HTTP is not served on a TLS address.
	if resp, err := http.Get("http://" + addrs[0] + "/-/healthy"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered 200 with TLS configured")
		}
	}

	// basic_auth_users is refused; a broken web config too.
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("basic_auth_users:\n  admin: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n"), 0o600)
	if code, _, errOut := runCLI(t, "proxy", "serve", "--credentials", creds, "--catalog", proxyCatalog, "--web.config.file", bad); code != 1 ||
		!strings.Contains(errOut, "basic_auth_users: remove it") {
		t.Errorf("basic_auth_users: exit %d %s", code, errOut)
	}
	os.WriteFile(bad, []byte("tls_server_config:\n  cert_file: missing.pem\n  key_file: key.pem\n"), 0o600)
	if code, _, errOut := runCLI(t, "proxy", "serve", "--credentials", creds, "--catalog", proxyCatalog, "--web.config.file", bad); code != 1 ||
		!strings.Contains(errOut, "--web.config.file") {
		t.Errorf("missing cert: exit %d %s", code, errOut)
	}
	// A credential for a PO the catalogue does not have.
	os.WriteFile(creds, []byte("credentials:\n"+tenancy.Entry("gotham", "gotham", tok)), 0o600)
	if code, _, errOut := runCLI(t, "proxy", "serve", "--credentials", creds, "--catalog", proxyCatalog); code != 1 ||
		!strings.Contains(errOut, `creds.yml:2: po: "gotham" (user gotham) is not a PO of the catalogue`) {
		t.Errorf("unknown PO: exit %d %s", code, errOut)
	}
}

// writeSelfSigned writes cert.pem and key.pem for 127.0.0.1 into dir.
func writeSelfSigned(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "slawatch proxy test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	var kb bytes.Buffer
	pem.Encode(&kb, &pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), kb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPEM
}
