package verify

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/internal/syncbuf"
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

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a child process whose output is kept for error messages.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *syncbuf.Buffer // stdout and stderr
	done chan struct{}
	err  error // after done
}

// start runs bin with args until the test ends: then it is interrupted
// and, if it has not stopped within 20 s, killed.
func start(t *testing.T, name, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), out: &syncbuf.Buffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			t.Logf("%s did not stop within 20 s of an interrupt: killed", name)
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// exited reports whether the process has ended, with its error.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// tail is the end of the process's output.
func (p *process) tail(n int) string {
	s := p.out.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
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
