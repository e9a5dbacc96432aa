package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/alerting"
)

var reNotifyServing = regexp.MustCompile(`serving on (http://[0-9.:]+)` + regexp.QuoteMeta(alerting.WebhookPath))

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
