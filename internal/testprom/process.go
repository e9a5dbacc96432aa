package testprom

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/slawatch/slawatch/internal/syncbuf"
)

const (
	// stopWithin is how long a process has to stop after an interrupt
	// before it is killed.
	stopWithin = 20 * time.Second
	// failureTail is how much of a process's output a failed test shows.
	failureTail = 3000
)

// Process is a child process whose output (stdout and stderr) is kept.
type Process struct {
	name string
	cmd  *exec.Cmd
	out  syncbuf.Buffer
	done chan struct{}
	err  error // how it ended; set before done is closed
}

// StartProcess runs bin with args until the test ends: then it is
// interrupted and, if it has not stopped within 20 s, killed. When the test
// has failed, the end of the process's output is logged then.
func StartProcess(t testing.TB, name, bin string, args ...string) *Process {
	t.Helper()
	p := &Process{name: name, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if !p.stop() {
			t.Logf("%s did not stop within %s of an interrupt: killed", name, stopWithin)
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.Tail(failureTail))
		}
	})
	return p
}

// stop interrupts the process, kills it after stopWithin, and waits for
// it; it reports whether the interrupt was enough.
func (p *Process) stop() bool {
	if done, _ := p.Exited(); done {
		return true
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
		return true
	case <-time.After(stopWithin):
		p.cmd.Process.Kill()
		<-p.done
		return false
	}
}

// Name is the name the process was started with.
func (p *Process) Name() string { return p.name }

// Exited reports whether the process has ended, with how it ended.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Log is everything the process has written so far.
func (p *Process) Log() string { return p.out.String() }

// Tail is the last n bytes of the process's output (see Tail).
func (p *Process) Tail(n int) string { return Tail(p.Log(), n) }

// WaitReady polls url until it answers 200 OK; it fails when the process
// exits first or within has passed.
func (p *Process) WaitReady(url string, within time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(within)
	for {
		if done, err := p.Exited(); done {
			return fmt.Errorf("%s exited before %s was ready (%v)", p.name, url, err)
		}
		var last string
		resp, err := client.Get(url)
		if err != nil {
			last = err.Error()
		} else {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s not ready within %s (last: %s)", p.name, url, within, last)
		}
		select {
		case <-p.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}
