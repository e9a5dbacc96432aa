package alerting

import (
	"os/exec"
	"strings"
	"testing"
)

// amtool is required: Debian's Alertmanager (0.25) must accept the file
// the v0.31 Go packages accept, time zones included.
func amtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("amtool")
	if err != nil {
		t.Fatal("amtool not found: install Debian's prometheus-alertmanager or run make test")
	}
	return p
}

func TestAmtoolCheckConfig(t *testing.T) {
	out, err := exec.Command(amtool(t), "check-config", generatedFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("amtool check-config %s: %v\n%s", generatedFile, err, out)
	}
}

// A second opinion on routing from Debian's amtool.
func TestAmtoolRoutesTest(t *testing.T) {
	bin := amtool(t)
	for _, tc := range []struct {
		receiver string
		labels   []string
	}{
		{"po-rbkc", []string{"alertname=SLABreached", "po=rbkc", "severity=page"}},
		{"po-ealing", []string{"alertname=SLAAtRisk", "po=ealing", "severity=warning"}},
		{"provider-duty-manager", []string{"alertname=ExporterDown", "job=telephony"}},
		{"provider-duty-manager", []string{"alertname=SLABreached", "po=atlantis", "severity=page"}},
		{"watchdog", []string{"alertname=Watchdog"}},
	} {
		args := append([]string{"config", "routes", "test", "--config.file=" + generatedFile, "--verify.receivers=" + tc.receiver}, tc.labels...)
		cmd := exec.Command(bin, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != tc.receiver {
			t.Errorf("amtool %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
		}
	}
	// --verify.receivers must be able to fail, or the cases above prove nothing.
	args := []string{"config", "routes", "test", "--config.file=" + generatedFile, "--verify.receivers=po-ealing", "alertname=SLABreached", "po=rbkc", "severity=page"}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err == nil {
		t.Errorf("amtool accepted a wrong receiver:\n%s", out)
	}
}
