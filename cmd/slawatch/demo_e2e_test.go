package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe to read while the demo writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var reFiring = regexp.MustCompile(`(?m)^(\S+)\s+(\S+)\s.*?(SLA\w+) \(firing\)`)

// The acceptance line: `--scenario surge:rbkc` makes one PO breach
// within two minutes and SLABreached fire for that PO only.
func TestDemoSurgePagesOnlyThatPO(t *testing.T) {
	dir := t.TempDir()
	var out, errb syncBuffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb}, []string{"demo",
		"--catalog", "../../examples/london-ooh.yaml", "--store", "sqlite:" + filepath.Join(dir, "events.db"),
		"--data", dir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0",
		"--scenario", "surge:rbkc", "--duration", "2m", "--refresh", "5s"})
	if code != 0 {
		t.Fatalf("demo exit %d\n%s", code, tail(errb.String(), 2000))
	}
	boards := strings.Split(out.String(), "slawatch live board")
	last := boards[len(boards)-1]
	breached := false
	for _, m := range reFiring.FindAllStringSubmatch(last, -1) {
		po, alert := m[1], m[3]
		if po != "rbkc" {
			t.Errorf("%s firing for %s %s: only rbkc surges", alert, po, m[2])
		}
		if alert == "SLABreached" && m[2] == "major_emergencies" {
			breached = true
		}
	}
	if !breached {
		t.Fatalf("SLABreached not firing for rbkc after two minutes; last board:\n%s", last)
	}
	if len(boards) < 10 {
		t.Errorf("only %d boards drawn in two minutes at a 5 s refresh", len(boards)-1)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
