package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/syncbuf"
	"github.com/slawatch/slawatch/internal/testprom"
	"github.com/slawatch/slawatch/store"
)

// syncBuffer is a bytes.Buffer safe to read while the demo writes it.
type syncBuffer = syncbuf.Buffer

var reFiring = regexp.MustCompile(`(?m)^(\S+)\s+(\S+)\s.*?(SLA\w+) \(firing\)`)

// rePage is a console page line: time, kind, incident, alert, po/option,
// summary, recipient.
var rePage = regexp.MustCompile(`(?m)^\S+ (PAGE|ACKNOWLEDGED|RESOLVED) #(\d+) (\S+) (\S+) ".*" -> (\S+) `)

// The acceptance line: `--scenario surge:rbkc` makes one PO breach
// within two minutes and SLABreached fire for that PO only, and the
// embedded Alertmanager, routing by the generated alertmanager.yml into
// the notifier, has the pager page RBKC's on-call person (the policy for
// major emergencies: the borough duty officer and #rbkc-ooh) on the
// console, and nobody else.
func TestDemoSurgePagesOnlyThatPO(t *testing.T) {
	dir := t.TempDir()
	var out, errb syncBuffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb}, []string{"demo",
		"--catalog", "../../examples/london-ooh.yaml", "--store", "sqlite:" + filepath.Join(dir, "events.db"),
		"--data", dir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0", "--notify-listen", "127.0.0.1:0",
		"--scenario", "surge:rbkc", "--duration", "2m", "--refresh", "5s"})
	if code != 0 {
		t.Fatalf("demo exit %d\n%s", code, testprom.Tail(errb.String(), 2000))
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
	// Issue 6: the same board shows the CRM's requests and referrals, the
	// mail room's volumes and the KPIs' RAG status (the demo's manual
	// returns: invoices amber, care visits missed red; the PromQL KPIs
	// from the simulated calls and CRM events).
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^CRM last hour: [1-9]\d* requests, \d+ referred to on-call staff; referrals \d+ undelivered; complaints \d+ open`),
		regexp.MustCompile(`(?m)^mail room last hour: [1-9]\d* items in, \d+ out$`),
		regexp.MustCompile(`(?m)^KPIs: [1-9]\d* green, \d+ amber \([^)]*invoices_undisputed 96\.8%[^)]*\), \d+ RED \([^)]*care_visits_missed 6\.2%`),
	} {
		if !re.MatchString(last) {
			t.Errorf("last board has no line matching %s:\n%s", re, last)
		}
	}

	// The pages: in <data>/pages.log, and on stdout (not a terminal).
	log, err := os.ReadFile(filepath.Join(dir, "pages.log"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	paged := false
	for _, m := range rePage.FindAllStringSubmatch(string(log), -1) {
		kind, alert, where, to := m[1], m[3], m[4], m[5]
		owner := to // a Slack channel
		if _, po, ok := cat.PersonByID(to); ok {
			owner = po
		}
		// Warnings (SLAAtRisk) page nobody: they are posted to the duty
		// managers' channel, which sees every PO.
		dutyManagers := to == cat.Provider.SlackChannel && alert != "SLABreached"
		if !strings.HasPrefix(where, "rbkc/") || (owner != "rbkc" && owner != "#rbkc-ooh" && !dutyManagers) {
			t.Errorf("%s %s %s to %s (of %s): only rbkc surges, only rbkc's on-call is paged", kind, alert, where, to, owner)
		}
		if kind == "PAGE" && alert == "SLABreached" && where == "rbkc/major_emergencies" && to == "rbkc-duty-officer" {
			paged = true
			if !strings.Contains(out.String(), m[0]) {
				t.Errorf("page %q in pages.log but not on stdout", m[0])
			}
		}
	}
	if !paged {
		t.Errorf("rbkc-duty-officer not paged for SLABreached rbkc/major_emergencies; pages.log:\n%s\ndemo log:\n%s", log, testprom.Tail(errb.String(), 3000))
	}
}

// The page log keeps every page line in its file, the last five for the
// board on a terminal, and copies them to stdout otherwise.
func TestDemoPageLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages.log")
	var out bytes.Buffer
	p, err := openPageLog(path, &out)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for i := range 7 {
		fmt.Fprintf(p, "page %d\n", i)
		fmt.Fprintf(&want, "page %d\n", i)
	}
	p.Write([]byte("page 7 in two"))
	p.Write([]byte(" writes\n"))
	want.WriteString("page 7 in two writes\n")
	p.file.Close()
	if got, _ := os.ReadFile(path); string(got) != want.String() || out.String() != want.String() {
		t.Errorf("file:\n%s\nstdout:\n%s\nwant both:\n%s", got, out.String(), want.String())
	}
	var b bytes.Buffer
	p.renderLast(&b, 5)
	if !strings.HasSuffix(b.String(), "\n  page 3\n  page 4\n  page 5\n  page 6\n  page 7 in two writes\n") {
		t.Errorf("below the board:\n%s", b.String())
	}
}

// The issue-4 acceptance line: `--scenario deadline:enfield` kills
// Enfield's main number; its line test fails and the page (LineTestFailed,
// to the duty managers: Enfield has no escalation policy) appears well
// within one test interval, while the other tests pass and busy numbers
// get no low-demand test (every number gets the handover test the demo
// starts with). The monthly report lists every test.
func TestDemoDeadLinePages(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "events.db")
	var out, errb syncBuffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb}, []string{"demo",
		"--catalog", "../../examples/london-ooh.yaml", "--store", dsn,
		"--data", dir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0", "--notify-listen", "127.0.0.1:0",
		"--scenario", "deadline:enfield", "--duration", "75s", "--refresh", "5s"})
	if code != 0 {
		t.Fatalf("demo exit %d\n%s", code, testprom.Tail(errb.String(), 2000))
	}
	log, _ := os.ReadFile(filepath.Join(dir, "pages.log"))
	if !regexp.MustCompile(`PAGE #\d+ LineTestFailed enfield "[^"]*\+442079460009`).Match(log) {
		t.Errorf("no LineTestFailed page for +442079460009; pages.log:\n%s\ndemo log:\n%s", log, testprom.Tail(errb.String(), 3000))
	}
	code, csv, errOut := runCLI(t, "linetest", "report", "--catalog", "../../examples/london-ooh.yaml", "--po", "enfield", "--month", time.Now().In(londonTZ(t)).Format("2006-01"), "--store", dsn)
	if code != 0 {
		t.Fatalf("linetest report: %d %s", code, errOut)
	}
	if !regexp.MustCompile(`\+442079460009,(low_demand|handover),fail,failed`).MatchString(csv) {
		t.Errorf("the report lacks the failed test of the dead line:\n%s", csv)
	}
	// Every PO: quiet numbers pass, busy ones are not tested.
	st, err := store.Open(context.Background(), dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.LineTestRuns(context.Background(), store.LineTestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	lowDemand, handover := map[string]bool{}, map[string]bool{}
	for _, r := range runs {
		switch r.Trigger {
		case "low_demand":
			lowDemand[r.AccessNumber] = true
		case "handover":
			handover[r.AccessNumber] = true
		}
		if r.AccessNumber != "+442079460009" && r.Result != "pass" {
			t.Errorf("run %+v: only the dead line should fail", r)
		}
	}
	if len(lowDemand) < 2 || len(lowDemand) >= 15 {
		t.Errorf("%d of 15 numbers had a low-demand test: want the quiet ones only (and the dead one)", len(lowDemand))
	}
	if len(handover) != 15 {
		t.Errorf("%d of 15 numbers had the demo's handover test, want all", len(handover))
	}
}

func londonTZ(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
