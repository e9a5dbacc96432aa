package amembed_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting/amembed"
)

// Bad options and configurations, with the words their errors must hold.
func TestNewRefuses(t *testing.T) {
	good := generated(t, "http://127.0.0.1:9095")
	withEmail := strings.Replace(string(good), "  - name: po-rbkc\n", "  - name: po-rbkc\n    email_configs: [{to: a@example.org, from: b@example.org, smarthost: 'localhost:25'}]\n", 1)
	if withEmail == string(good) {
		t.Fatal("the generated configuration has no receiver po-rbkc to add an e-mail to")
	}
	for _, tc := range []struct {
		name string
		opts amembed.Options
		want string
	}{
		{"nothing", amembed.Options{}, "set Options.ConfigYAML"},
		{"both", amembed.Options{ConfigYAML: good, ConfigFile: "alertmanager.yml"}, "set one"},
		{"missing file", amembed.Options{ConfigFile: filepath.Join(t.TempDir(), "none.yml")}, "none.yml"},
		{"no route", amembed.Options{ConfigYAML: []byte("receivers: [{name: x}]\n")}, "no routes provided"},
		{"unknown field", amembed.Options{ConfigYAML: append([]byte("bogus: 1\n"), good...)}, "field bogus not found"},
		{"e-mail receiver", amembed.Options{ConfigYAML: []byte(withEmail)}, `receiver "po-rbkc": has email_configs`},
		{"bad URL", amembed.Options{ConfigYAML: good, ExternalURL: "localhost:9093"}, "Options.ExternalURL"},
		{"negative timer", amembed.Options{ConfigYAML: good, MaxTimers: amembed.Timers{GroupWait: -time.Second}}, "Options.MaxTimers.GroupWait"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			am, err := amembed.New(tc.opts)
			if err == nil {
				am.Close()
				t.Fatalf("New accepted it; want an error with %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// The generated configuration loads from a file too, and with DataDir
// the notification log and silences are written there when Run ends.
func TestConfigFileAndDataDir(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, generated(t, "http://127.0.0.1:9095"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "am")
	if err := os.Mkdir(data, 0o750); err != nil {
		t.Fatal(err)
	}
	am, err := amembed.New(amembed.Options{ConfigFile: cfg, DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(am.Config().Receivers); got != 13 {
		t.Errorf("%d receivers loaded, want 13 (11 POs, provider, watchdog)", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- am.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"nflog", "silences"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("snapshot %s: %v", f, err)
		}
	}
	// A second Alertmanager starts from those snapshots.
	am2, err := amembed.New(amembed.Options{ConfigFile: cfg, DataDir: data})
	if err != nil {
		t.Fatalf("restart from the snapshots: %v", err)
	}
	am2.Close()
}
