package rules

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// promtool is required: the generated rules are only proven by the real
// rule engine. Debian's prometheus package (2.42) is older than the Go
// library, so passing here also proves the files work on it.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: install Debian's prometheus package (apt-get install prometheus) or run make test")
	}
	return p
}

func generatedFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("generated/*.rules.yml")
	if len(files) == 0 {
		t.Fatal("no generated/*.rules.yml (run: go test ./rules -update)")
	}
	return files
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Errorf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

func TestPromtoolCheckRules(t *testing.T) {
	run(t, promtool(t), append([]string{"check", "rules"}, generatedFiles(t)...)...)
}

func TestPromtoolTestRules(t *testing.T) {
	tests, _ := filepath.Glob("tests/*.test.yml")
	if len(tests) == 0 {
		t.Fatal("no tests/*.test.yml")
	}
	run(t, promtool(t), append([]string{"test", "rules"}, tests...)...)
}

// VictoriaMetrics' vmalert must accept the same files. It is optional on a
// developer machine (Debian's victoria-metrics package provides it); when
// it is there, a file it rejects fails the test.
func TestVmalertDryRun(t *testing.T) {
	vm, err := exec.LookPath("vmalert")
	if err != nil {
		t.Skip("vmalert not installed (Debian package victoria-metrics); the Prometheus checks above still ran")
	}
	for _, f := range generatedFiles(t) {
		run(t, vm, "-dryRun", "-rule="+f)
	}
}
