package mailroom

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// afterSample is Monday 23 November 2026, 13:00 London: every count of
// the sample week (Mon 16 to Fri 20) is due (Friday's at 12:00 today).
func afterSample(t testing.TB) time.Time { return time.Date(2026, 11, 23, 13, 0, 0, 0, london(t)) }

func outcomes(os []FileOutcome) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Name+":"+o.Outcome)
	}
	return out
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func mustProcess(t *testing.T, e *Exporter, dir string) []FileOutcome {
	t.Helper()
	out, err := e.ProcessOnce(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const harmfulLondon = `mailroom_harmful_items_total{business_unit="benefits",region="london",source="daily"}`
const inboundLondon = `mailroom_items_total{business_unit="benefits",direction="inbound",region="london",route="royal_mail",source="daily"}`

// A file is counted once: the same bytes under another name are rejected
// as a duplicate naming the first; under the same name (left behind by a
// stop between the commit and the move) they go to done/ uncounted.
func TestDropDuplicateAndCrashBeforeMove(t *testing.T) {
	dir, c := t.TempDir(), &clock{afterSample(t)}
	e, reg := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), c.now)
	body := csvFile("daily,benefits,london,2026-11-16,120,1", "daily,benefits,wales,2026-11-16,30,0")
	drop(t, dir, "day16.csv", body, c.t)
	if got := outcomes(mustProcess(t, e, dir)); !reflect.DeepEqual(got, []string{"day16.csv:counted"}) {
		t.Fatalf("first: %v", got)
	}
	if !exists(filepath.Join(dir, "done", "day16.csv")) || exists(filepath.Join(dir, "day16.csv")) {
		t.Fatal("not moved to done/")
	}
	text := exposition(t, reg, "mailroom_")
	if sample(t, text, inboundLondon) != "120" || sample(t, text, harmfulLondon) != "1" {
		t.Fatalf("counts after the first file:\n%s", text)
	}

	drop(t, dir, "resent.csv", body, c.t)
	drop(t, dir, "day16.csv", body, c.t) // the crash case: committed, never moved
	got := mustProcess(t, e, dir)
	if !reflect.DeepEqual(outcomes(got), []string{"day16.csv:already_processed", "resent.csv:duplicate"}) {
		t.Fatalf("second pass: %v", outcomes(got))
	}
	if !exists(filepath.Join(dir, "done", "day16-2.csv")) {
		t.Error("the crash leftover is not in done/ under a free name")
	}
	reason, err := os.ReadFile(filepath.Join(dir, "rejected", "resent.csv.reason.txt"))
	if err != nil || !strings.Contains(string(reason), "duplicate of day16.csv processed at 2026-11-23T13:00:00Z") {
		t.Errorf("reason file: %s %v", reason, err)
	}
	text = exposition(t, reg, "mailroom_")
	if sample(t, text, inboundLondon) != "120" || sample(t, text, harmfulLondon) != "1" {
		t.Errorf("counted twice:\n%s", text)
	}
	for series, want := range map[string]string{
		`mailroom_exporter_files_total{outcome="counted"}`:                 "1",
		`mailroom_exporter_files_total{outcome="already_processed"}`:       "1",
		`mailroom_exporter_files_total{outcome="duplicate"}`:               "1",
		`mailroom_exporter_file_rejections_total{reason="duplicate_file"}`: "1",
	} {
		if got := sample(t, text, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
}

// One malformed row or one unknown business unit rejects the whole file:
// none of its rows counts, and the reason file names line and column.
func TestDropMalformedRowAndUnknownBusinessUnit(t *testing.T) {
	dir, c := t.TempDir(), &clock{afterSample(t)}
	e, reg := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), c.now)
	drop(t, dir, "a-malformed.csv", csvFile("daily,benefits,london,2026-11-17,50,2", "daily,benefits,wales,2026-11-17,x,0"), c.t)
	drop(t, dir, "b-unknown.csv", csvFile("daily,benefits,london,2026-11-18,50,2", "daily,tax,london,2026-11-18,1,0"), c.t)
	got := mustProcess(t, e, dir)
	if !reflect.DeepEqual(outcomes(got), []string{"a-malformed.csv:rejected", "b-unknown.csv:rejected"}) {
		t.Fatalf("%v", outcomes(got))
	}
	for name, want := range map[string]string{
		"a-malformed.csv": `reason (count): line 3, column inbound_royal_mail: "x" is not a count`,
		"b-unknown.csv":   `reason (unknown_business_unit): line 3, column business_unit: "tax" is not a business unit of the catalogue; valid: benefits, passports`,
	} {
		b, err := os.ReadFile(filepath.Join(dir, "rejected", name+".reason.txt"))
		if err != nil || !strings.Contains(string(b), want) || !exists(filepath.Join(dir, "rejected", name)) {
			t.Errorf("%s: reason %q (%v), want %q", name, b, err, want)
		}
	}
	text := exposition(t, reg, "mailroom_")
	if sample(t, text, inboundLondon) != "0" || sample(t, text, harmfulLondon) != "0" {
		t.Errorf("a rejected file counted:\n%s", text)
	}
	if sample(t, text, `mailroom_exporter_file_rejections_total{reason="unknown_business_unit"}`) != "1" ||
		sample(t, text, `mailroom_exporter_file_rejections_total{reason="count"}`) != "1" {
		t.Errorf("rejections not counted:\n%s", text)
	}
}

// Files still being written (modified within Settle), dotfiles, other
// extensions and the sub-folders are left alone.
func TestDropIgnoresUnsettledAndDotfiles(t *testing.T) {
	dir, c := t.TempDir(), &clock{afterSample(t)}
	e, _ := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), c.now)
	body := csvFile("daily,benefits,london,2026-11-16,1,0")
	drop(t, dir, ".partial.csv", body, c.t)
	drop(t, dir, "notes.txt", body, c.t)
	if err := os.WriteFile(filepath.Join(dir, "fresh.csv"), []byte(body), 0o640); err != nil {
		t.Fatal(err)
	}
	fresh := c.t.Add(-2 * time.Second)
	os.Chtimes(filepath.Join(dir, "fresh.csv"), fresh, fresh)
	if got := mustProcess(t, e, dir); len(got) != 0 {
		t.Fatalf("processed %v", outcomes(got))
	}
	c.t = c.t.Add(5 * time.Second)
	if got := outcomes(mustProcess(t, e, dir)); !reflect.DeepEqual(got, []string{"fresh.csv:counted"}) {
		t.Fatalf("after settling: %v", got)
	}
	if !exists(filepath.Join(dir, ".partial.csv")) || !exists(filepath.Join(dir, "notes.txt")) {
		t.Error("a dotfile or a .txt was moved")
	}
}

// A correction replaces the figure in the store; the counter adds only
// what exceeds the earlier count (counters never decrease).
func TestDropCorrection(t *testing.T) {
	dir, c := t.TempDir(), &clock{afterSample(t)}
	st := openStore(t, t.TempDir())
	e, reg := newExporter(t, testCatalog(t), st, c.now)
	drop(t, dir, "1.csv", csvFile("daily,benefits,london,2026-11-16,100,0"), c.t)
	mustProcess(t, e, dir)
	c.t = c.t.Add(time.Minute)
	drop(t, dir, "2.csv", csvFile("daily,benefits,london,2026-11-16,80,1"), c.t)
	if got := outcomes(mustProcess(t, e, dir)); !reflect.DeepEqual(got, []string{"2.csv:corrected"}) {
		t.Fatalf("%v", got)
	}
	text := exposition(t, reg, "mailroom_")
	if sample(t, text, inboundLondon) != "100" || sample(t, text, harmfulLondon) != "1" {
		t.Errorf("after a lower correction:\n%s", text)
	}
	figs, err := st.MailroomFigures(context.Background(), "daily", "2026-11-16", "2026-11-16")
	if err != nil || len(figs) != 1 || figs[0].Counts.InboundRoyalMail != 80 || figs[0].Counts.Harmful != 1 {
		t.Errorf("figures use the latest file: %+v %v", figs, err)
	}
}

// A restart restores every count from the store: a second exporter on the
// same store shows the same mailroom_* series (its own self metrics
// apart), and files left in the drop folder are not counted again.
func TestRestartNoLossNoDoubleCount(t *testing.T) {
	dir, dbDir, c := t.TempDir(), t.TempDir(), &clock{afterSample(t)}
	cat := testCatalog(t)
	st := openStore(t, dbDir)
	e1, reg1 := newExporter(t, cat, st, c.now)
	drop(t, dir, "d.csv", csvFile("daily,benefits,london,2026-11-16,100,0", "daily,passports,london,2026-11-16,5,0"), c.t)
	drop(t, dir, "m.csv", csvFile("monthly,benefits,wales,2026-10,9000,3"), c.t)
	mustProcess(t, e1, dir)
	drop(t, dir, "fix.csv", csvFile("daily,benefits,london,2026-11-16,90,1"), c.t)
	mustProcess(t, e1, dir)
	items, errs, err := DecodeItems([]byte(`[
	 {"id":"s1:1","at":"2026-11-23T09:00:00Z","business_unit":"benefits","region":"london","kind":"inbound","route":"courier","count":4},
	 {"id":"s1:2","at":"2026-11-23T09:01:00Z","business_unit":"benefits","region":"london","kind":"scan_job","pages":12},
	 {"id":"s1:3","at":"2026-11-23T09:02:00Z","business_unit":"passports","region":"london","kind":"valuable","valuable":"customer_value"},
	 {"id":"s1:4","at":"2026-11-23T09:03:00Z","business_unit":"passports","region":"london","kind":"switchboard_call","call":"abusive"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e1.Ingest(context.Background(), items, errs); err != nil || res.Accepted != 4 {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	// The crash case again: d.csv back in the folder after its commit.
	drop(t, dir, "d.csv", csvFile("daily,benefits,london,2026-11-16,100,0", "daily,passports,london,2026-11-16,5,0"), c.t)

	e2, reg2 := newExporter(t, cat, st, c.now)
	mustProcess(t, e2, dir)
	if res, err := e2.Ingest(context.Background(), items, errs); err != nil || res.Duplicate != 4 {
		t.Fatalf("replayed items: %+v %v", res, err)
	}
	business := func(text string) string {
		var keep []string
		for _, l := range strings.Split(text, "\n") {
			if !strings.Contains(l, "mailroom_exporter_") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	a, b := business(exposition(t, reg1, "mailroom_")), business(exposition(t, reg2, "mailroom_"))
	if a != b {
		t.Errorf("metrics differ after the restart:\n--- first\n%s\n--- second\n%s", a, b)
	}
	for series, want := range map[string]string{
		inboundLondon: "100",
		harmfulLondon: "1",
		`mailroom_harmful_items_total{business_unit="benefits",region="wales",source="monthly"}`:                          "3",
		`mailroom_items_total{business_unit="benefits",direction="inbound",region="london",route="courier",source="api"}`: "4",
		`mailroom_scanned_pages_total{business_unit="benefits",region="london",source="api"}`:                             "12",
		`mailroom_jobs_total{business_unit="benefits",kind="scanning",region="london",source="api",state="completed"}`:    "1",
		`mailroom_valuables_total{business_unit="passports",kind="all",region="london",source="api"}`:                     "1",
		`mailroom_valuables_total{business_unit="passports",kind="customer_value",region="london",source="api"}`:          "1",
		`mailroom_switchboard_calls_total{business_unit="passports",kind="abusive",region="london",source="api"}`:         "1",
		`mailroom_source_last_event_timestamp_seconds{transport="file"}`:                                                  "1.7954388e+09",
	} {
		if got := sample(t, b, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
}

// A file that cannot be moved (here its reason file cannot be written)
// stays for the next poll and does not hold back the files after it.
func TestDropOneStuckFileDoesNotBlockTheRest(t *testing.T) {
	dir, c := t.TempDir(), &clock{afterSample(t)}
	e, _ := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), c.now)
	drop(t, dir, "bad.csv", "not,a,count,file\n", c.t.Add(-time.Hour))
	drop(t, dir, "good.csv", csvFile("daily,benefits,london,2026-11-16,120,0"), c.t)
	if err := os.MkdirAll(filepath.Join(dir, RejectedDir, "bad.csv"+ReasonSuffix, "x"), 0o750); err != nil {
		t.Fatal(err)
	}
	got, err := e.ProcessOnce(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "bad.csv") {
		t.Errorf("error %v; want one naming bad.csv", err)
	}
	if !reflect.DeepEqual(outcomes(got), []string{"good.csv:counted"}) || !exists(filepath.Join(dir, DoneDir, "good.csv")) {
		t.Errorf("outcomes %v; want good.csv counted and moved despite bad.csv", outcomes(got))
	}
	if !exists(filepath.Join(dir, "bad.csv")) {
		t.Error("bad.csv left the drop folder without its reason file")
	}
}
