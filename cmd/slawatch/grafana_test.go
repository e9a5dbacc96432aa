package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/dashboards/provision/grafanatest"
)

// generate grafana, install (before Grafana starts), then setup twice
// against the fake Grafana: the command line as compose runs it.
func TestGrafanaGenerateInstallSetup(t *testing.T) {
	gen, live := t.TempDir(), t.TempDir()
	runOK := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), &env{stdout: &out, stderr: &errb}, args); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out.String(), errb.String())
		}
		return out.String()
	}
	runOK("generate", "grafana", "--catalog", "../../examples/london-ooh.yaml", "--out", gen, "--proxy-url", "http://127.0.0.1:9099")
	data, err := os.ReadFile(filepath.Join(gen, "orgs/datasources/slawatch-orgs.yaml"))
	if err != nil || !strings.Contains(string(data), "url: http://127.0.0.1:9099") {
		t.Fatalf("generated orgs datasources: %v\n%s", err, data)
	}
	runOK("grafana", "install", "--from", gen, "--to", live)

	fake := grafanatest.New("admin", "pw-from-file")
	fake.ProvisioningDir = live
	if err := fake.Start(); err != nil {
		t.Fatalf("Grafana would not start with what install put in place: %v", err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("pw-from-file\n"), 0o600)
	setup := []string{"grafana", "setup", "--url", srv.URL, "--password-file", pw, "--catalog", "../../examples/london-ooh.yaml",
		"--install-from", gen, "--install-to", live, "--log-level", "warn"}
	out := runOK(setup...)
	if !strings.Contains(out, `created organisation 2 "`) || !strings.Contains(out, "(11 created)") {
		t.Errorf("first setup:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(live, "datasources/slawatch-orgs.yaml")); err != nil {
		t.Errorf("organisations' datasources not installed: %v", err)
	}
	out = runOK(setup...)
	if strings.Contains(out, "created organisation") || strings.Contains(out, "installed") || !strings.Contains(out, "(0 created)") {
		t.Errorf("second setup changed something:\n%s", out)
	}
}

func TestGrafanaSetupErrors(t *testing.T) {
	fake := grafanatest.New("admin", "right")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	for _, tc := range []struct {
		args []string
		env  string
		code int
		want string
	}{
		{[]string{"grafana"}, "", 2, "name a grafana command"},
		{[]string{"grafana", "nope"}, "", 2, `unknown grafana command "nope"`},
		{[]string{"grafana", "setup", "--url", srv.URL}, "", 2, "no admin password"},
		{[]string{"grafana", "setup", "--url", srv.URL, "--install-to", "/x"}, "right", 2, "go together"},
		{[]string{"grafana", "setup", "--url", "grafana:3000"}, "right", 2, "http(s) URL"},
		{[]string{"grafana", "setup", "--url", srv.URL, "--wait", "0s", "--catalog", "../../examples/london-ooh.yaml"}, "wrong-pw", 1, "wrong admin user or password"},
		{[]string{"grafana", "install"}, "", 2, "--to is required"},
	} {
		t.Setenv(envGrafanaPassword, tc.env)
		var out, errb bytes.Buffer
		code := run(context.Background(), &env{stdout: &out, stderr: &errb}, tc.args)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
		if tc.env != "" && strings.Contains(errb.String()+out.String(), tc.env) {
			t.Errorf("%v: password printed", tc.args)
		}
	}
}
