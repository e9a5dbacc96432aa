package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// lwCrashCatalogue is a PO with n lone-working officers (one open session
// each) whose overdue chain pages the provider's two duty managers first.
func lwCrashCatalogue(n int) string {
	var people, officers strings.Builder
	for i := range n {
		fmt.Fprintf(&people, "      - {id: o-%d, name: Officer %d, sms: \"+4477009%05d\"}\n", i, i, i)
		if i > 0 {
			officers.WriteString(", ")
		}
		fmt.Fprintf(&officers, "o-%d", i)
	}
	return `version: 1
organisations:
  - id: acme
    name: Acme Borough
    service_options:
      - {id: noise, standards: [{standard: gold, from: "2026-01-01"}]}
    access_numbers:
      - {number: "+442079460901", service_options: ["*"]}
    people:
` + people.String() + `      - {id: acme-mgr, name: Manager, sms: "+447700800001"}
    escalation_policies:
      - {id: default, steps: [{targets: [{duty_managers: true}]}]}
      - id: lone
        lone_worker: true
        steps:
          - {targets: [{duty_managers: true}], delay: 15m}
          - {targets: [{person: acme-mgr}]}
    lone_worker:
      staff_groups:
        - {id: visits, default_minutes: 60, max_minutes: 120, reminder_before: 10m, escalation_policy: lone, officers: [` + officers.String() + `]}
provider:
  people:
    - {id: dm-1, name: Duty Manager 1, sms: "+447700900901"}
    - {id: dm-2, name: Duty Manager 2, sms: "+447700900902"}
  duty_managers: [dm-1, dm-2]
`
}

// startNotifyBinary starts `slawatch notify` with a file sink and waits
// until it serves.
func startNotifyBinary(t *testing.T, bin, cat, dsn, pages string) *exec.Cmd {
	t.Helper()
	cmd, _ := startBinary(t, reNotifyServing, bin, "notify", "--catalog", cat, "--store", dsn, "--listen", "127.0.0.1:0", "--file", pages)
	return cmd
}

// TestLoneWorkerCrashExactlyOnce opens 100 sessions with staggered
// deadlines, kills the notifier (which runs the lone-worker timers) with
// SIGKILL while some deadlines have passed and others are ahead, leaves it
// down while more pass, restarts it, and checks that every session's alarm
// was raised exactly once and paged exactly once to each duty manager, and
// that the deadlines that passed while it was down were all raised by the
// restarted process's first tick.
func TestLoneWorkerCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs for about 40 s")
	}
	const n = 100
	dir := t.TempDir()
	catPath := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(catPath, []byte(lwCrashCatalogue(n)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Load(catPath); err != nil {
		t.Fatal(err)
	}
	dsn := "sqlite:" + filepath.Join(dir, "events.db")
	pages := filepath.Join(dir, "pages.jsonl")
	bin := buildBinary(t)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	notify := startNotifyBinary(t, bin, catPath, dsn, pages)
	// Deadlines every 250 ms from 6 s to 30.75 s ahead: about a third pass
	// before the kill at 14 s, a third while the notifier is down, and the
	// rest after the restart at 22 s.
	start := time.Now().UTC().Truncate(time.Millisecond)
	deadlines := map[int64]time.Time{}
	for i := range n {
		s, err := st.CheckIn(ctx, store.LoneWorkerSession{PO: "acme", StaffGroup: "visits", Officer: catalog.NewPrivate(fmt.Sprintf("o-%d", i)),
			Started: start, Deadline: start.Add(6*time.Second + time.Duration(i)*250*time.Millisecond)}, store.ViaConsole, "dm-1")
		if err != nil {
			t.Fatal(err)
		}
		deadlines[s.ID] = s.Deadline
	}
	time.Sleep(time.Until(start.Add(14 * time.Second)))
	if err := notify.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	notify.Wait()
	killed := time.Now()
	time.Sleep(time.Until(start.Add(22 * time.Second)))
	restarted := time.Now()
	notify = startNotifyBinary(t, bin, catPath, dsn, pages)
	defer func() { notify.Process.Signal(syscall.SIGTERM); notify.Wait() }()

	// Wait until every alarm is paged to both duty managers (or give up).
	last := start.Add(6*time.Second + (n-1)*250*time.Millisecond)
	var incs []store.Incident
	for wait := time.Now().Add(time.Until(last) + 60*time.Second); time.Now().Before(wait); time.Sleep(500 * time.Millisecond) {
		incs, err = st.ListIncidents(ctx, store.IncidentFilter{GroupKey: "app/loneworker"})
		if err != nil {
			t.Fatal(err)
		}
		if len(incs) >= n && pagesSent(t, st, incs) >= 2*n {
			t.Logf("all %d alarms paged %s after the last deadline", n, time.Since(last).Round(100*time.Millisecond))
			break
		}
	}
	time.Sleep(3 * time.Second) // let any duplicate show itself

	incs, err = st.ListIncidents(ctx, store.IncidentFilter{GroupKey: "app/loneworker"})
	if err != nil {
		t.Fatal(err)
	}
	perKey := map[string]int{}
	for _, inc := range incs {
		perKey[inc.Fingerprint]++
	}
	var missed, dup []string
	firstTick := map[time.Time]int{} // alarm time of the sessions overdue at the restart
	var earliestAfter time.Time
	for id, dl := range deadlines {
		key := fmt.Sprintf("session:%d", id)
		switch perKey[key] {
		case 0:
			missed = append(missed, key)
		case 1:
		default:
			dup = append(dup, key)
		}
		ev, err := st.SessionEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var alarms []time.Time
		for _, e := range ev {
			if e.Kind == store.LWAlarm {
				alarms = append(alarms, e.At)
			}
		}
		if len(alarms) != 1 {
			t.Errorf("session %d (deadline %s): %d alarm events; want exactly 1", id, dl.Sub(start), len(alarms))
			continue
		}
		if alarms[0].Before(dl) {
			t.Errorf("session %d: alarm at %s before its deadline %s", id, alarms[0].Sub(start), dl.Sub(start))
		}
		switch {
		case dl.After(killed) && dl.Before(restarted):
			firstTick[alarms[0]]++
		case !dl.Before(restarted) && (earliestAfter.IsZero() || alarms[0].Before(earliestAfter)):
			earliestAfter = alarms[0]
		}
	}
	if len(missed) > 0 || len(dup) > 0 {
		t.Fatalf("%d incidents for %d sessions: missed %v, duplicated %v", len(incs), n, missed, dup)
	}
	// The deadlines that passed while the notifier was down were all
	// raised together, by the restarted process's first tick, before any
	// deadline that was still ahead at the restart.
	if len(firstTick) != 1 {
		t.Errorf("the late sessions' alarms were raised at %d different times; want all at the restart's first tick", len(firstTick))
	}
	for at, c := range firstTick {
		if !earliestAfter.IsZero() && at.After(earliestAfter) {
			t.Errorf("late alarms raised at %s, after a session due later (%s)", at.Sub(start), earliestAfter.Sub(start))
		}
		t.Logf("%d sessions overdue while the notifier was down: alarms raised %s after the restart began", c, at.Sub(restarted).Round(time.Millisecond))
	}
	// Each incident paged each duty manager exactly once.
	for _, inc := range incs {
		pp, err := st.Pages(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, p := range pp {
			if p.Kind == store.PageKindPage && p.Status != store.PageCancelled {
				got[p.Person]++
			}
		}
		if got["dm-1"] != 1 || got["dm-2"] != 1 || len(got) != 2 {
			t.Errorf("incident %d (%s): pages per person %v; want dm-1 and dm-2 once each", inc.ID, inc.Fingerprint, got)
		}
	}
	// And the file sink got each page once.
	data, err := os.ReadFile(pages)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(data), "LoneWorkerOverdue")
	if lines != 2*n {
		t.Errorf("%d LoneWorkerOverdue pages in the sink; want %d (two duty managers x %d sessions)", lines, 2*n, n)
	}
}

// pagesSent counts the pages of the incidents that went out.
func pagesSent(t *testing.T, st *store.Store, incs []store.Incident) int {
	t.Helper()
	sent := 0
	for _, inc := range incs {
		pp, err := st.Pages(context.Background(), inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pp {
			if p.Kind == store.PageKindPage && (p.Status == store.PageSent || p.Status == store.PageDelivered) {
				sent++
			}
		}
	}
	return sent
}
