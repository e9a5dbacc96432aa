package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// lwCLI runs `slawatch loneworker ARGS… --catalog … --store DSN` in
// process; stdin feeds the command.
type lwCLI struct {
	t   *testing.T
	dsn string
}

func newLwCLI(t *testing.T) *lwCLI {
	return &lwCLI{t: t, dsn: "sqlite:" + filepath.Join(t.TempDir(), "events.db")}
}

func (c *lwCLI) runIn(stdin string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	args = append(append([]string{"loneworker"}, args...), "--catalog", filepath.Join("..", "..", "examples", "london-ooh.yaml"))
	if args[1] != "pin" { // pin needs no store
		args = append(args, "--store", c.dsn)
	}
	code = run(context.Background(), &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(stdin)}, args)
	return code, out.String(), errb.String()
}

func (c *lwCLI) run(args ...string) (int, string, string) { c.t.Helper(); return c.runIn("", args...) }

// ok runs a command that must succeed and returns its stdout.
func (c *lwCLI) ok(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("loneworker %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// fails runs a command that must fail with code and say every one of parts.
func (c *lwCLI) fails(code int, args []string, parts ...string) string {
	c.t.Helper()
	got, out, errs := c.run(args...)
	if got != code {
		c.t.Fatalf("loneworker %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), got, code, out, errs)
	}
	for _, p := range parts {
		if !strings.Contains(errs, p) {
			c.t.Errorf("loneworker %s: stderr does not say %q:\n%s", strings.Join(args, " "), p, errs)
		}
	}
	return errs
}

// store opens the test's store (after the commands closed it); the
// caller closes it.
func (c *lwCLI) store() *store.Store {
	c.t.Helper()
	st, err := store.Open(context.Background(), c.dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		c.t.Fatal(err)
	}
	return st
}

func (c *lwCLI) session(id int64) (store.LoneWorkerSession, []store.LoneWorkerEvent) {
	c.t.Helper()
	st := c.store()
	defer st.Close()
	s, err := st.Session(context.Background(), id)
	if err != nil {
		c.t.Fatal(err)
	}
	ev, err := st.SessionEvents(context.Background(), id)
	if err != nil {
		c.t.Fatal(err)
	}
	return s, ev
}

func (c *lwCLI) checkIn(officer string, extra ...string) {
	c.t.Helper()
	c.ok(append([]string{"checkin", "--po", "haringey", "--group", "enforcement", "--officer", officer, "--minutes", "45",
		"--location", "12 High St", "--by", "ooh-dm-1"}, extra...)...)
}

func TestLoneworkerCheckin(t *testing.T) {
	c := newLwCLI(t)
	out := c.ok("checkin", "--po", "haringey", "--group", "enforcement", "--officer", "haringey-eo-1", "--minutes", "45",
		"--location", "12 High St", "--uprn", "100021234567", "--by", "ooh-dm-1")
	for _, want := range []string{"session 1 checked in: haringey enforcement, officer haringey-eo-1", "(45 min)", "reminder",
		"slawatch loneworker checkout 1 --by ooh-dm-1"} {
		if !strings.Contains(out, want) {
			t.Errorf("checkin output does not say %q:\n%s", want, out)
		}
	}
	s, ev := c.session(1)
	if s.Officer.Reveal() != "haringey-eo-1" || s.Location.Reveal() != "12 High St" || s.UPRN != "100021234567" ||
		s.OfficerPhone.Reveal() != "+447700900401" || s.Deadline.Sub(s.Started) != 45*time.Minute || s.State != store.SessionActive {
		t.Errorf("stored %+v", s)
	}
	if len(ev) != 1 || ev[0].Via != store.ViaConsole || ev[0].By != "ooh-dm-1" {
		t.Errorf("trail %+v; want a checkin via console by ooh-dm-1", ev)
	}

	// Errors: each says what is valid, and nothing more is stored.
	base := []string{"checkin", "--po", "haringey", "--group", "enforcement", "--minutes", "30"}
	base = base[:len(base):len(base)] // appends copy
	c.fails(2, append(base, "--officer", "haringey-eo-2"), "--by is required", "ooh-dm-1, ooh-dm-2")
	c.fails(2, append(base, "--officer", "haringey-eo-2", "--by", "nobody"), `--by "nobody" is not a person`)
	c.fails(2, append(base, "--officer", "nobody-9", "--by", "ooh-dm-1"), `officer "nobody-9"`, "haringey-eo-1, haringey-eo-2, haringey-eo-3")
	c.fails(2, []string{"checkin", "--po", "haringey", "--group", "dogs", "--officer", "haringey-eo-2", "--by", "ooh-dm-1"},
		`staff group "dogs"`, "enforcement, anti_social_behaviour")
	c.fails(2, []string{"checkin", "--po", "haringey", "--group", "enforcement", "--minutes", "500", "--officer", "haringey-eo-2",
		"--by", "ooh-dm-1"}, "minutes: 500", "1 to 120")
	c.fails(1, append(base, "--officer", "haringey-eo-1", "--by", "ooh-dm-1"), "already has open session 1",
		"slawatch loneworker checkout 1 --by ooh-dm-1")
	c.fails(2, []string{"checkin", "--po", "haringey", "--group", "enforcement", "--officer", "haringey-eo-2", "--by", "ooh-dm-1",
		"--until", "half ten"}, `--until "half ten"`, "22:30")
	c.fails(2, []string{"checkin", "--po", "haringey"}, "--po, --group and --officer are required")
	st := c.store()
	if open, err := st.OpenSessions(context.Background(), ""); err != nil || len(open) != 1 {
		t.Errorf("after the refused check-ins: %d open sessions (%v), want 1", len(open), err)
	}
	st.Close()
}

func TestLoneworkerCheckinUntil(t *testing.T) {
	c := newLwCLI(t)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().In(london).Add(40 * time.Minute).Format("15:04")
	c.checkIn("haringey-eo-2", "--minutes", "0", "--until", at)
	s, _ := c.session(1)
	if got := s.Deadline.In(london).Format("15:04"); got != at {
		t.Errorf("deadline %s, want %s London time", got, at)
	}
	if d := s.Deadline.Sub(s.Started); d < 38*time.Minute || d > 41*time.Minute {
		t.Errorf("session length %s for --until %s", d, at)
	}
}

func TestLoneworkerParseUntil(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC) // 22:00 GMT
	for _, tc := range []struct{ in, want string }{
		{"22:30", "2026-11-20T22:30:00Z"},
		{"21:59", "2026-11-21T21:59:00Z"}, // past: tomorrow
		{"22:00", "2026-11-21T22:00:00Z"},
		{"00:15", "2026-11-21T00:15:00Z"},
		{"2026-11-20T23:00:00+01:00", "2026-11-20T22:00:00Z"},
	} {
		got, err := parseUntil(tc.in, now, london)
		if err != nil || got.UTC().Format(time.RFC3339) != tc.want {
			t.Errorf("parseUntil(%q) = %v, %v; want %s", tc.in, got.UTC(), err, tc.want)
		}
	}
	// Summer time: 22:30 BST is 21:30 UTC.
	summer := time.Date(2026, 7, 1, 20, 0, 0, 0, time.UTC)
	if got, _ := parseUntil("22:30", summer, london); !got.Equal(time.Date(2026, 7, 1, 21, 30, 0, 0, time.UTC)) {
		t.Errorf("22:30 in July = %v", got.UTC())
	}
	for _, bad := range []string{"", "24:00", "10.30pm", "22:30:00", "tomorrow"} {
		if _, err := parseUntil(bad, now, london); err == nil {
			t.Errorf("parseUntil(%q) accepted", bad)
		}
	}
}

func FuzzLoneworkerUntil(f *testing.F) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"22:30", "00:00", "23:59", "2026-03-29T01:30:00Z", "1:5", "99:99", ""} {
		f.Add(s, int64(1774744200)) // 2026-03-29 00:30 UTC, the night the clocks go forward
	}
	f.Fuzz(func(t *testing.T, v string, unix int64) {
		now := time.Unix(unix%(1<<34), 0)
		got, err := parseUntil(v, now, london)
		if err != nil || strings.Contains(v, "T") {
			return
		}
		// A local time is after now and at most a day (and an hour of DST) ahead.
		if !got.After(now) || got.Sub(now) > 25*time.Hour {
			t.Fatalf("parseUntil(%q) at %v = %v", v, now, got)
		}
	})
}

func TestLoneworkerCheckout(t *testing.T) {
	c := newLwCLI(t)
	c.checkIn("haringey-eo-1")
	c.checkIn("haringey-eo-2")
	if out := c.ok("checkout", "1", "--by", "ooh-dm-2"); !strings.Contains(out, "session 1 checked out") {
		t.Errorf("checkout output: %s", out)
	}
	if out := c.ok("checkout", "1", "--by", "ooh-dm-2"); !strings.Contains(out, "already checked out") {
		t.Errorf("second checkout output: %s", out)
	}
	if out := c.ok("checkout", "--officer", "haringey-eo-2", "--po", "haringey", "--by", "ooh-dm-1"); !strings.Contains(out, "session 2 checked out") {
		t.Errorf("checkout by officer: %s", out)
	}
	for id, by := range map[int64]string{1: "ooh-dm-2", 2: "ooh-dm-1"} {
		s, ev := c.session(id)
		if s.State != store.SessionCheckedOut || len(ev) != 2 || ev[1].Kind != store.LWCheckOut || ev[1].By != by || ev[1].Via != store.ViaConsole {
			t.Errorf("session %d: %s, trail %+v", id, s.State, ev)
		}
	}
	c.fails(1, []string{"checkout", "99", "--by", "ooh-dm-1"}, "no lone-worker session 99", "slawatch loneworker list")
	c.fails(1, []string{"checkout", "--officer", "haringey-eo-3", "--po", "haringey", "--by", "ooh-dm-1"}, "haringey-eo-3 has no open session")
	c.fails(2, []string{"checkout", "--officer", "haringey-eo-3", "--po", "atlantis", "--by", "ooh-dm-1"}, `--po "atlantis"`, "haringey")
	c.fails(2, []string{"checkout", "abc", "--by", "ooh-dm-1"}, "want a session id")
	c.fails(2, []string{"checkout", "--by", "ooh-dm-1"}, "name the session")
}

func TestLoneworkerExtend(t *testing.T) {
	c := newLwCLI(t)
	c.checkIn("haringey-eo-1")
	if out := c.ok("extend", "1", "--minutes", "15", "--by", "ooh-dm-1"); !strings.Contains(out, "extended by 15 min") ||
		!strings.Contains(out, "extension 1 of 2") {
		t.Errorf("extend output: %s", out)
	}
	s, _ := c.session(1)
	if s.Extensions != 1 || s.Deadline.Sub(s.Started) != 60*time.Minute {
		t.Errorf("after extend: %d extensions, length %s", s.Extensions, s.Deadline.Sub(s.Started))
	}
	c.fails(1, []string{"extend", "1", "--minutes", "90", "--by", "ooh-dm-1"}, "at most 2h0m0s allowed", "60 minutes left")
	c.fails(2, []string{"extend", "1", "--by", "ooh-dm-1"}, "--minutes is required")
	c.ok("checkin", "--po", "haringey", "--group", "anti_social_behaviour", "--officer", "haringey-asb-1", "--by", "ooh-dm-1")
	c.fails(1, []string{"extend", "2", "--minutes", "5", "--by", "ooh-dm-1"}, "extension refused")
	if s2, _ := c.session(1); s2.Deadline != s.Deadline || s2.Extensions != 1 {
		t.Errorf("a refused extension changed session 1: %+v", s2)
	}
}

func TestLoneworkerAck(t *testing.T) {
	c := newLwCLI(t)
	c.checkIn("haringey-eo-1")
	c.fails(1, []string{"ack", "1", "--by", "ooh-dm-1"}, "no alarm raised")
	// The deadline passes and the timer raises the alarm.
	st := c.store()
	s, _ := st.Session(context.Background(), 1)
	if ok, err := st.ClaimAlarm(context.Background(), 1, s.Deadline.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("claim alarm: %v %v", ok, err)
	}
	st.Close()
	c.fails(1, []string{"extend", "1", "--minutes", "5", "--by", "ooh-dm-1"}, "past its deadline", "slawatch loneworker checkout 1")
	if out := c.ok("ack", "1", "--by", "ooh-dm-2"); !strings.Contains(out, "acknowledged by ooh-dm-2") {
		t.Errorf("ack output: %s", out)
	}
	if out := c.ok("ack", "1", "--by", "ooh-dm-1"); !strings.Contains(out, "already acknowledged by ooh-dm-2") {
		t.Errorf("second ack output: %s", out)
	}
	if s, _ := c.session(1); s.AckedBy != "ooh-dm-2" || s.State != store.SessionOverdue {
		t.Errorf("after ack: %+v", s)
	}
	if out := c.ok("checkout", "1", "--by", "ooh-dm-2"); !strings.Contains(out, "the alarm had been raised") {
		t.Errorf("checkout after the alarm: %s", out)
	}
	c.fails(1, []string{"ack", "1", "--by", "ooh-dm-1"}, "checked out")
}

func TestLoneworkerNote(t *testing.T) {
	c := newLwCLI(t)
	c.checkIn("haringey-eo-1")
	c.ok("note", "1", "--by", "ooh-dm-1", "rang the officer,", "no answer")
	_, ev := c.session(1)
	if last := ev[len(ev)-1]; last.Kind != store.LWNote || last.Detail != "rang the officer, no answer" || last.By != "ooh-dm-1" {
		t.Errorf("note event %+v", last)
	}
	c.fails(2, []string{"note", "1", "--by", "ooh-dm-1"}, "say what to note")
	c.fails(1, []string{"note", "7", "--by", "ooh-dm-1", "hello"}, "no lone-worker session 7")
}

func TestLoneworkerList(t *testing.T) {
	c := newLwCLI(t)
	if out := c.ok("list"); !strings.Contains(out, "no open lone-worker sessions") {
		t.Errorf("empty list: %s", out)
	}
	c.checkIn("haringey-eo-1")
	out := c.ok("list", "--po", "haringey")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "ACKED BY") {
		t.Fatalf("list:\n%s", out)
	}
	for _, want := range []string{"1", "haringey", "enforcement", "haringey-eo-1", "active", "-"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("list row %q lacks %q", lines[1], want)
		}
	}
	s, _ := c.session(1)
	london, _ := time.LoadLocation("Europe/London")
	if want := s.Deadline.In(london).Format("Mon 2 Jan 15:04 MST"); !strings.Contains(lines[1], want) {
		t.Errorf("list row %q lacks the London deadline %q", lines[1], want)
	}
	if strings.Contains(out, "High St") || strings.Contains(out, "+447700") {
		t.Errorf("list shows personal details beyond the officer id:\n%s", out)
	}
	c.fails(2, []string{"list", "--po", "atlantis"}, `--po "atlantis"`, "haringey")
}

func TestLoneworkerShow(t *testing.T) {
	c := newLwCLI(t)
	c.checkIn("haringey-eo-1", "--uprn", "100021234567")
	c.ok("note", "1", "--by", "ooh-dm-2", "officer rang in")
	out := c.ok("show", "1")
	for _, want := range []string{"12 High St", "100021234567", "+447700900401", "haringey-eo-1", "not raised", "trail:",
		"checkin", "console", "ooh-dm-1", "note", "officer rang in"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	c.fails(1, []string{"show", "42"}, "no lone-worker session 42")
}

func TestLoneworkerPin(t *testing.T) {
	c := newLwCLI(t)
	// The example catalogue's haringey-eo-1 has PIN 246810.
	code, out, errs := c.runIn("246810\n", "pin", "--person", "haringey-eo-1")
	cat, err := catalog.Load(filepath.Join("..", "..", "examples", "london-ooh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, _, _ := cat.PersonByID("haringey-eo-1")
	if code != 0 || out != "pin_sha256: "+p.PINSHA256+"\n" {
		t.Errorf("pin: exit %d stdout %q (stderr %s); want the catalogue's pin_sha256 %s", code, out, errs, p.PINSHA256)
	}
	if strings.Contains(out+errs, "246810") {
		t.Errorf("the PIN is echoed: %q %q", out, errs)
	}
	code, out, _ = c.runIn("432100\n", "pin", "--person", "haringey-eo-2")
	if code != 0 || out != fmt.Sprintf("pin_sha256: %s\n", catalog.PINHash("haringey-eo-2", "432100")) {
		t.Errorf("pin for eo-2: %d %q", code, out)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"12a456\n", []string{"pin", "--person", "haringey-eo-2"}, "must be 6 digits"},
		{"1234\n", []string{"pin", "--person", "haringey-eo-2"}, "must be 6 digits"},
		{"", []string{"pin", "--person", "haringey-eo-2"}, "must be 6 digits"},
		{"1234\n", []string{"pin"}, "--person is required"},
		{"1234\n", []string{"pin", "--person", "nobody"}, `"nobody" is not a person`},
		{"246810\n", []string{"pin", "--person", "haringey-eo-2"}, "another officer already has this PIN"},
	} {
		code, out, errs := c.runIn(tc.stdin, tc.args...)
		if code == 0 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%v with %q: exit %d stdout %q stderr %q; want a failure saying %q", tc.args, tc.stdin, code, out, errs, tc.want)
		}
	}
}

func TestLoneworkerHelp(t *testing.T) {
	c := newLwCLI(t)
	for _, sub := range []string{"checkin", "checkout", "extend", "ack", "note", "list", "show", "pin"} {
		code, _, errs := c.run(sub, "--help")
		if code != 0 || !strings.Contains(errs, "Usage: slawatch loneworker "+sub) || !strings.Contains(errs, "slawatch loneworker "+sub+" ") ||
			!strings.Contains(errs, "Example") {
			t.Errorf("%s --help: exit %d\n%s", sub, code, errs)
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), &env{stdout: &out, stderr: &errb}, []string{"loneworker"}); code != 2 ||
		!strings.Contains(errb.String(), "checkin") {
		t.Errorf("bare loneworker: exit %d\n%s", code, errb.String())
	}
	if code := run(context.Background(), &env{stdout: &out, stderr: &errb}, []string{"loneworker", "frobnicate"}); code != 2 ||
		!strings.Contains(errb.String(), "use checkin, checkout") {
		t.Errorf("unknown subcommand: exit %d\n%s", code, errb.String())
	}
}
