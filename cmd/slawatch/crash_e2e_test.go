package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds slawatch once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "slawatch")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var reServing = regexp.MustCompile(`serving on (http://[0-9.:]+)`)

// startServe starts `slawatch serve` on a free loopback port and returns
// the process and its base URL.
func startServe(t *testing.T, bin, dsn string) (*exec.Cmd, string) {
	t.Helper()
	return startBinary(t, reServing, bin, "serve", "--catalog", "../../examples/london-ooh.yaml", "--store", dsn, "--listen", "127.0.0.1:0")
}

// startBinary starts bin with args and waits for a line of its stdout
// matching re; it returns the process and the match's first group.
func startBinary(t *testing.T, re *regexp.Regexp, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	for {
		line, err := r.ReadString('\n')
		if m := re.FindStringSubmatch(line); m != nil {
			go io.Copy(io.Discard, r)
			return cmd, m[1]
		}
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%s %s did not start: %v\n%s", bin, args[0], err, stderr.String())
		}
	}
}

type postResult struct {
	Accepted, Duplicate, Rejected int
}

func postCalls(client *http.Client, base string, body []byte) (postResult, int, error) {
	resp, err := client.Post(base+"/api/v1/calls", "application/json", bytes.NewReader(body))
	if err != nil {
		return postResult{}, 0, err
	}
	defer resp.Body.Close()
	var r postResult
	err = json.NewDecoder(resp.Body).Decode(&r)
	return r, resp.StatusCode, err
}

// batch makes n answered rbkc calls with ids prefix-0..n-1.
func batch(prefix string, n int, at time.Time) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		q := at.Add(time.Duration(i) * time.Second)
		out[i] = map[string]any{
			"call_id": fmt.Sprintf("%s-%d", prefix, i), "access_number": "+442079460014", "service_option": "noise_patrol",
			"queued_at": q.Format(time.RFC3339), "answered_at": q.Add(12 * time.Second).Format(time.RFC3339),
			"ended_at": q.Add(3 * time.Minute).Format(time.RFC3339), "outcome": "answered",
		}
	}
	return out
}

// A kill -9 while calls are being posted loses no acknowledged call, and
// the restarted exporter's counters equal the store's.
func TestKill9LosesNoAcknowledgedCall(t *testing.T) {
	bin := buildBinary(t)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "events.db")
	cmd, base := startServe(t, bin, dsn)
	client := &http.Client{Timeout: 10 * time.Second}

	var mu sync.Mutex
	var acked [][]byte // bodies of acknowledged batches
	ackedCalls := 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			at := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body, _ := json.Marshal(batch(fmt.Sprintf("w%d-b%d", w, i), 25, at))
				r, status, err := postCalls(client, base, body)
				if err != nil {
					return // the server died mid-request: not acknowledged
				}
				if status/100 == 2 && r.Accepted == 25 {
					mu.Lock()
					acked = append(acked, body)
					ackedCalls += 25
					mu.Unlock()
				}
			}
		}(w)
	}
	// Let a good number of batches through, then kill without warning.
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := ackedCalls
		mu.Unlock()
		if n >= 2000 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()
	if ackedCalls < 2000 {
		t.Fatalf("only %d calls acknowledged before the deadline", ackedCalls)
	}

	cmd2, base2 := startServe(t, bin, dsn)
	defer func() { cmd2.Process.Signal(os.Interrupt); cmd2.Wait() }()
	// Every acknowledged call is in the store: posting them again is all duplicates.
	dups := 0
	for _, body := range acked {
		r, status, err := postCalls(client, base2, body)
		if err != nil || status/100 != 2 || r.Accepted != 0 {
			t.Fatalf("re-post after restart: status %d, %+v, %v (an acknowledged call was lost)", status, r, err)
		}
		dups += r.Duplicate
	}
	if dups != ackedCalls {
		t.Fatalf("%d duplicates on re-post, want all %d acknowledged calls", dups, ackedCalls)
	}
	// The restored counter equals what the store holds (acknowledged, plus any
	// call committed in the instant before the kill but not yet answered).
	offered := scrapeSum(t, client, base2, "telephony_calls_offered_total")
	code, out, _ := runCLI(t, "summary", "--catalog", "../../examples/london-ooh.yaml", "--store", dsn, "--po", "rbkc",
		"--from", "2026-11-20", "--to", "2026-11-21", "--format", "csv")
	if code != 0 {
		t.Fatalf("summary: %s", out)
	}
	stored := csvTotal(t, out, "offered")
	if offered != float64(stored) || stored < ackedCalls || stored > ackedCalls+4*25 {
		t.Fatalf("after kill -9: counter %v, store %d, acknowledged %d", offered, stored, ackedCalls)
	}
	t.Logf("acknowledged %d calls before kill -9; store and restored counter both hold %d", ackedCalls, stored)
}

// scrapeSum adds up every sample of a metric family on /metrics.
func scrapeSum(t *testing.T, client *http.Client, base, name string) float64 {
	t.Helper()
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+"{") || strings.HasPrefix(line, name+" ") {
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[len(f)-1], 64)
			if err != nil {
				t.Fatalf("bad sample %q", line)
			}
			sum += v
		}
	}
	return sum
}

// csvTotal sums a column of the summary CSV over the non-TOTAL lines.
func csvTotal(t *testing.T, csvText, col string) int {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(csvText), "\n")
	head := strings.Split(lines[0], ",")
	idx := -1
	for i, h := range head {
		if h == col {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("no column %s in %s", col, lines[0])
	}
	total := 0
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if f[3] == "TOTAL" {
			continue
		}
		n, _ := strconv.Atoi(f[idx])
		total += n
	}
	return total
}
