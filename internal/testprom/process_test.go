package testprom

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// eventually polls ok every 20 ms for up to 10 s.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

// A process runs until its test ends, its output kept; then it is stopped.
func TestProcessStopsWhenTheTestEnds(t *testing.T) {
	var p *Process
	t.Run("running", func(t *testing.T) {
		p = StartProcess(t, "sleeper", "sh", "-c", "echo started; echo on stderr >&2; exec sleep 60")
		eventually(t, "output", func() bool { return strings.Contains(p.Log(), "on stderr") })
		if done, err := p.Exited(); done {
			t.Fatalf("exited early: %v", err)
		}
		if p.Name() != "sleeper" || !strings.Contains(p.Log(), "started\n") {
			t.Errorf("name %q, log %q", p.Name(), p.Log())
		}
	})
	if done, err := p.Exited(); !done || err == nil {
		t.Errorf("after its test: exited %v (%v); want stopped by an interrupt", done, err)
	}
}

func TestProcessExitIsReported(t *testing.T) {
	p := StartProcess(t, "quitter", "sh", "-c", "echo bye; exit 3")
	eventually(t, "exit", func() bool { done, _ := p.Exited(); return done })
	if _, err := p.Exited(); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("exit error %v; want exit status 3", err)
	}
	err := p.WaitReady("http://127.0.0.1:1/", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "quitter exited before") {
		t.Errorf("WaitReady on an exited process: %v", err)
	}
}

func TestStartProcessFailsOnAMissingBinary(t *testing.T) {
	// StartProcess calls t.Fatalf; a subtest's failure would fail this
	// test too, so look at the error StartProcess reports instead.
	msg := fatalOf(t, func(t testing.TB) { StartProcess(t, "ghost", "/nonexistent/ghost") })
	if !strings.Contains(msg, "start ghost") {
		t.Errorf("failure %q; want it to name the process", msg)
	}
}

// fatalT records a Fatal or Fatalf and ends its goroutine, as testing.T
// does; run what calls it in a goroutine of its own.
type fatalT struct {
	testing.TB
	msg string
}

func (f *fatalT) Helper() {}
func (f *fatalT) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalOf runs f with a fatalT and returns what it failed with.
func fatalOf(t *testing.T, f func(testing.TB)) string {
	ft := &fatalT{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); f(ft) }()
	<-done
	return ft.msg
}

func TestWaitReady(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	p := StartProcess(t, "sleeper", "sleep", "60")
	if err := p.WaitReady(srv.URL, 10*time.Second); err != nil || calls.Load() != 3 {
		t.Errorf("WaitReady: %v after %d calls; want ready at the third", err, calls.Load())
	}
	never := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	defer never.Close()
	err := p.WaitReady(never.URL, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not ready within 300ms (last: 503 Service Unavailable)") {
		t.Errorf("WaitReady on a server never ready: %v", err)
	}
}

// When the test has failed, the end of the process's output is logged
// after the process is stopped.
func TestFailedTestShowsTheOutput(t *testing.T) {
	ft := &failedT{TB: t}
	p := StartProcess(ft, "talker", "sh", "-c", "echo hello from talker; exec sleep 60")
	eventually(t, "output", func() bool { return strings.Contains(p.Log(), "hello") })
	for i := len(ft.cleanups) - 1; i >= 0; i-- {
		ft.cleanups[i]()
	}
	if done, _ := p.Exited(); !done {
		t.Error("the process still runs after cleanup")
	}
	if !strings.Contains(ft.logs, "talker output:\nhello from talker\n") {
		t.Errorf("logged %q; want the talker's output", ft.logs)
	}
}

// failedT is a test that has failed, whose cleanups are run by hand.
type failedT struct {
	testing.TB
	cleanups []func()
	logs     string
}

func (f *failedT) Helper()                 {}
func (f *failedT) Failed() bool            { return true }
func (f *failedT) Cleanup(fn func())       { f.cleanups = append(f.cleanups, fn) }
func (f *failedT) Logf(s string, a ...any) { f.logs += fmt.Sprintf(s, a...) + "\n" }
