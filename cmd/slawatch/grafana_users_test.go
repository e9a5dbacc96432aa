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

// setup, then a client officer, then audits: clean, and after a user is
// put in organisation 1 by hand, a finding and exit status 1.
func TestGrafanaViewerAndAudit(t *testing.T) {
	fake := grafanatest.New("admin", "admin-pw")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	adminPW, viewerPW := filepath.Join(dir, "admin"), filepath.Join(dir, "viewer")
	os.WriteFile(adminPW, []byte("admin-pw\n"), 0o600)
	os.WriteFile(viewerPW, []byte("officer-pw-1\n"), 0o600)
	grafana := []string{"--url", srv.URL, "--password-file", adminPW, "--catalog", "../../examples/london-ooh.yaml"}
	runCode := func(args ...string) (int, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(context.Background(), &env{stdout: &out, stderr: &errb}, append(args, grafana...))
		return code, out.String() + errb.String()
	}
	if code, out := runCode("grafana", "setup", "--log-level", "warn"); code != 0 {
		t.Fatalf("setup: %d\n%s", code, out)
	}
	code, out := runCode("grafana", "viewer", "--po", "haringey", "--login", "hgy-monitor", "--email", "monitor@example.org",
		"--viewer-password-file", viewerPW, "--log-level", "warn")
	if code != 0 || !strings.Contains(out, `created user`) || !strings.Contains(out, `"hgy-monitor" is a Viewer of organisation 5 "London Borough of Haringey" (PO haringey) and of no other`) {
		t.Fatalf("viewer: %d\n%s", code, out)
	}
	for _, secret := range []string{"officer-pw-1", "admin-pw", "monitor@example.org"} {
		if strings.Contains(out, secret) {
			t.Errorf("output shows %q:\n%s", secret, out)
		}
	}
	if code, out := runCode("grafana", "audit"); code != 0 || !strings.Contains(out, "haringey             1 viewer(s)") {
		t.Fatalf("clean audit: %d\n%s", code, out)
	}

	// The officer is put in organisation 1 by hand: the audit finds it,
	// viewer refuses without --move, and mends it with --move.
	code, out = runCode("grafana", "viewer", "--po", "haringey", "--login", "hgy-monitor", "--log-level", "warn")
	if code != 0 || !strings.Contains(out, "of no other") {
		t.Fatalf("viewer again (nothing to do): %d\n%s", code, out)
	}
	fake.SetRole(1, 2, "Viewer")
	if code, out := runCode("grafana", "audit"); code != 1 || !strings.Contains(out, `FINDING: user "hgy-monitor" is in organisation 1`) {
		t.Fatalf("audit with a leak: %d\n%s", code, out)
	}
	if code, out := runCode("grafana", "viewer", "--po", "haringey", "--login", "hgy-monitor", "--log-level", "warn"); code != 1 || !strings.Contains(out, "--move") {
		t.Fatalf("viewer without --move: %d\n%s", code, out)
	}
	if code, out := runCode("grafana", "viewer", "--po", "haringey", "--login", "hgy-monitor", "--move", "--log-level", "warn"); code != 0 || !strings.Contains(out, `removed user 2 "hgy-monitor" from organisation 1`) {
		t.Fatalf("viewer --move: %d\n%s", code, out)
	}
	if code, out := runCode("grafana", "audit"); code != 0 {
		t.Fatalf("audit after --move: %d\n%s", code, out)
	}
	if code, out := runCode("grafana", "viewer", "--po", "nowhere", "--login", "x"); code != 2 || !strings.Contains(out, "valid: [") {
		t.Errorf("unknown PO: %d\n%s", code, out)
	}
}
