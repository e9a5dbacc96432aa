package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/internal/testprom"
	"github.com/slawatch/slawatch/store"
)

// The acceptance line: in the demo, `--scenario overdue:haringey`
// escalates a session step by step until acknowledged. At 180x the
// example's 15-minute steps are 5 s apart: the duty managers at the
// deadline, Haringey's out-of-hours manager, then its emergency contact,
// who acknowledges (`slawatch ack`); nothing is paged after that, everyone
// paged is told, and the session records who took charge.
func TestDemoLoneWorkerOverdue(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "events.db")
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), &env{stdout: &out, stderr: &errb}, []string{"demo",
			"--catalog", "../../examples/london-ooh.yaml", "--store", dsn,
			"--data", dir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0", "--notify-listen", "127.0.0.1:0",
			"--scenario", "overdue:haringey", "--escalation-speedup", "180", "--duration", "100s", "--refresh", "5s"})
	}()
	pagesLog := filepath.Join(dir, "pages.log")
	reLW := regexp.MustCompile(`(?m)^\S+ (PAGE|ACKNOWLEDGED|RESOLVED) #(\d+) LoneWorkerOverdue haringey ".*" -> (\S+) `)
	var incident string
	var before []string // recipients paged before the acknowledgement, in order
	for deadline := time.Now().Add(95 * time.Second); incident == "" && time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		data, _ := os.ReadFile(pagesLog)
		before = before[:0]
		for _, m := range reLW.FindAllStringSubmatch(string(data), -1) {
			if m[1] == "PAGE" {
				before = append(before, m[3])
				if m[3] == "haringey-emergency-contact" {
					incident = m[2]
				}
			}
		}
	}
	if incident == "" {
		t.Fatalf("the emergency contact was never paged; lone-worker pages %v\nstdout:\n%s\nlog:\n%s", before, testprom.Tail(out.String(), 2000), testprom.Tail(errb.String(), 3000))
	}
	// The duty managers' step also posts to their Slack channel.
	want := []string{"ooh-dm-1", "ooh-dm-2", "#ooh-duty-managers", "haringey-ooh-manager", "haringey-emergency-contact"}
	if !slices.Equal(before, want) {
		t.Errorf("paged %v before the acknowledgement; want the policy's steps in order %v", before, want)
	}
	code, ackOut, ackErr := runCLI(t, "ack", "--catalog", "../../examples/london-ooh.yaml", "--store", dsn,
		"--incident", incident, "--by", "haringey-emergency-contact")
	if code != 0 {
		t.Fatalf("ack: %d %s %s", code, ackOut, ackErr)
	}
	acked := time.Now()
	if code := <-done; code != 0 {
		t.Fatalf("demo exit %d\n%s", code, testprom.Tail(errb.String(), 2000))
	}
	if !strings.Contains(out.String(), "lone worker haringey-eo-1 of haringey enforcement checked in") {
		t.Errorf("the demo did not say who checked in:\n%s", testprom.Tail(out.String(), 2000))
	}
	data, _ := os.ReadFile(pagesLog)
	var after, notices []string
	for _, m := range reLW.FindAllStringSubmatch(string(data), -1) {
		switch m[1] {
		case "PAGE":
			after = append(after, m[3])
		case "ACKNOWLEDGED":
			notices = append(notices, m[3])
		}
	}
	if len(after) != len(want) {
		t.Errorf("paged %v in all; want nothing after the acknowledgement (%s ago)", after, time.Since(acked).Round(time.Second))
	}
	slices.Sort(notices)
	// Everyone paged hears who took charge (a verbal acknowledgement is
	// confirmed to its author too).
	if w := []string{"#ooh-duty-managers", "haringey-emergency-contact", "haringey-ooh-manager", "ooh-dm-1", "ooh-dm-2"}; !slices.Equal(notices, w) {
		t.Errorf("acknowledgement notices to %v; want %v", notices, w)
	}
	st, err := store.Open(context.Background(), dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	open, err := st.OpenSessions(context.Background(), "haringey")
	if err != nil || len(open) != 1 || open[0].AckedBy != "haringey-emergency-contact" || open[0].State != store.SessionOverdue {
		t.Errorf("haringey's open sessions %+v (%v); want one overdue, acknowledged by haringey-emergency-contact", open, err)
	}
}
