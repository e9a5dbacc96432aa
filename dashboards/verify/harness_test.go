package verify

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// repoRoot is the module's root, from this package's folder.
const repoRoot = "../.."

// buildSlawatch builds cmd/slawatch into a temporary folder.
func buildSlawatch(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "slawatch")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/slawatch")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/slawatch: %v\n%s", err, out)
	}
	return bin
}

// reInterval is a rule group's own evaluation interval.
var reInterval = regexp.MustCompile(`(?m)^(\s+interval:\s*)(\S+)\s*$`)

// copyRules copies the rule files matching glob into dir, with every
// group interval longer than short set to short, and returns how many
// intervals it shortened.
func copyRules(t *testing.T, glob, dir string, short time.Duration) int {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files match %s (%v)", glob, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shortened := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out := reInterval.ReplaceAllStringFunc(string(data), func(line string) string {
			m := reInterval.FindStringSubmatch(line)
			d, err := model.ParseDuration(m[2])
			if err != nil || time.Duration(d) <= short {
				return line
			}
			shortened++
			return m[1] + model.Duration(short).String()
		})
		header := fmt.Sprintf("# Copy of %s for the live panel check: every group interval over %s is\n"+
			"# %s here, because the long SLA and KPI groups evaluate every 5m (first at an offset\n"+
			"# up to 5m away) and the test cannot wait that long. Rule names and expressions\n"+
			"# are unchanged; the tiles overlap, so their sums are not counts here.\n",
			f, model.Duration(short), model.Duration(short))
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(header+out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return shortened
}

// scrapeJob is one job of the test's Prometheus: the production job name,
// the demo's address and path that serve it, and the metric families it
// keeps (the demo serves several jobs' metrics on one address; each job
// keeps its own, as if each were its own process as in production).
type scrapeJob struct {
	name, addr, path string
	keep             string // a regex of metric names; "" keeps all
}

// promConfig is the test Prometheus's configuration.
func promConfig(scrape, eval time.Duration, ruleGlob string, jobs []scrapeJob) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global: {scrape_interval: %s, evaluation_interval: %s}\n", model.Duration(scrape), model.Duration(eval))
	fmt.Fprintf(&b, "rule_files: [%q]\nscrape_configs:\n", ruleGlob)
	for _, j := range jobs {
		fmt.Fprintf(&b, "  - job_name: %s\n", j.name)
		if j.path != "" {
			fmt.Fprintf(&b, "    metrics_path: %s\n", j.path)
		}
		fmt.Fprintf(&b, "    static_configs: [{targets: [%q]}]\n", j.addr)
		if j.keep != "" {
			fmt.Fprintf(&b, "    metric_relabel_configs: [{source_labels: [__name__], regex: %q, action: keep}]\n", j.keep)
		}
	}
	return b.String()
}
