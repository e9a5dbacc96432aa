package crmsql

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slawatch/slawatch/exporters/crm"
)

// clock is a settable test clock for the source and the exporter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (r *rig) held(table string) int {
	return int(testutil.ToFloat64(r.src.m.held.WithLabelValues(table)))
}

// complaintsOnly maps the complaints table alone (received events).
const complaintsOnly = `time_zone: Europe/London
tables:
  - name: complaints
    key: [id]
    cursor: updated_at
    events:
      - type: complaint_received
        time: received_at
        po: {column: org_code, map: {HGY: haringey}}
        ref: {column: complaint_ref}
`

// TestFutureCursorHeldBack: rows whose cursor is far in the future (2099,
// year 10000) are not read yet, the cursor is never saved beyond now plus
// the skew, and rows written after them are still read.
func TestFutureCursorHeldBack(t *testing.T) {
	c := freshCRM(t)
	ins := func(ref string, updated any) {
		c.exec(`INSERT INTO complaints (complaint_ref, org_code, priority, received_at, updated_at) VALUES ($1, 'HGY', 'N', $2, $3)`,
			ref, t0, updated)
	}
	ins("K-1", time.Now().Add(-time.Hour))
	ins("K-2099", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	c.exec(`INSERT INTO complaints (complaint_ref, org_code, priority, received_at, updated_at) VALUES ('K-10000', 'HGY', 'N', $1, '10000-01-01 00:00:00+00')`, t0)
	r := newRig(t, c, rigOptions{mapping: complaintsOnly})
	r.poll()
	ins("K-3", time.Now())
	r.poll()
	if got, want := r.ing.stored(), []string{"complaints:1:complaint_received", "complaints:4:complaint_received"}; !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v (rows after a future cursor are read)\nlogs:\n%s", got, want, r.logs.String())
	}
	cur, _, _ := r.st.SourceCursor(context.Background(), "crm-sql/complaints")
	if at, err := time.Parse(time.RFC3339Nano, cur.Cursor); err != nil || at.After(time.Now().Add(DefaultClockSkew)) {
		t.Errorf("saved cursor %q: want a time no later than now plus the skew", cur.Cursor)
	}
	if n := r.held("complaints"); n != 2 {
		t.Errorf("crm_exporter_source_held_rows = %d, want 2", n)
	}
	if !strings.Contains(r.logs.String(), "CRM rows held back") {
		t.Errorf("held rows not logged:\n%s", r.logs.String())
	}
}

// TestFutureEventTimeWaits: an event whose time is ahead of the clock
// (up to 24h) ends the page without a rejection and is handed over once its
// time has come; one 70 years ahead is rejected and does not stall the
// table.
func TestFutureEventTimeWaits(t *testing.T) {
	c := freshCRM(t)
	clk := newClock()
	base := clk.now().Add(-time.Hour)
	ins := func(ref string, received, updated time.Time) {
		c.exec(`INSERT INTO complaints (complaint_ref, org_code, priority, received_at, updated_at) VALUES ($1, 'HGY', 'N', $2, $3)`,
			ref, received, updated)
	}
	ins("K-1", base, base)
	ins("K-soon", clk.now().Add(time.Hour), base.Add(time.Minute)) // e.g. local time read as UTC in summer
	ins("K-3", base, base.Add(2*time.Minute))
	ins("K-2099", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), base.Add(3*time.Minute))
	r := newRig(t, c, rigOptions{mapping: complaintsOnly, now: clk.now})
	r.poll()
	if got, want := r.ing.stored(), []string{"complaints:1:complaint_received"}; !slices.Equal(got, want) {
		t.Errorf("first poll stored %v, want %v: the page ends before the row whose time has not come", got, want)
	}
	if n := r.ing.rejectedTotal(); n != 0 {
		t.Errorf("rejected %d, want 0: a time that will come is waited for\nlogs:\n%s", n, r.logs.String())
	}
	if n := r.held("complaints"); n != 3 {
		t.Errorf("held rows = %d, want 3", n)
	}
	clk.add(2 * time.Hour)
	r.poll()
	want := []string{"complaints:1:complaint_received", "complaints:2:complaint_received", "complaints:3:complaint_received"}
	if got := r.ing.stored(); !slices.Equal(got, want) {
		t.Errorf("after the time came stored %v, want %v", got, want)
	}
	if n := r.exporterCount("crm_exporter_rejected_total", crm.ReasonFutureTime); n != 1 {
		t.Errorf("future_time rejections = %d, want 1 (2099 is a data error)", n)
	}
	if n := r.held("complaints"); n != 0 {
		t.Errorf("held rows = %d, want 0", n)
	}
}

// TestCursorColumnTypeChecked: a text column of digits is refused as an
// integer cursor (it sorts "10" < "9"), naming table and column; a
// timestamp column with cursor_type integer is told to set timestamp.
func TestCursorColumnTypeChecked(t *testing.T) {
	c := freshCRM(t)
	c.exec(`CREATE TABLE legacy (id TEXT PRIMARY KEY, seq TEXT NOT NULL, org TEXT, ref TEXT, at TIMESTAMPTZ)`)
	for i := 1; i <= 10; i++ {
		c.exec(`INSERT INTO legacy VALUES ($1, $1, 'haringey', $1, $2)`, itoa(i), t0)
	}
	m := func(cursor string) string {
		return "tables:\n  - name: legacy\n    key: [id]\n    cursor: " + cursor + "\n    cursor_type: integer\n    events:\n" +
			"      - {type: complaint_received, time: at, po: {column: org}, ref: {column: ref}}\n"
	}
	r := newRig(t, c, rigOptions{mapping: m("seq")})
	err := r.src.Poll(context.Background())
	if err == nil || !strings.Contains(err.Error(), "table legacy: the cursor column seq is of type text, but cursor_type integer needs int2, int4, int8, numeric") {
		t.Errorf("text cursor: err = %v", err)
	}
	if n := r.rows("legacy"); n != 0 || len(r.ing.stored()) != 0 {
		t.Errorf("read %d rows of a refused table", n)
	}
	r = newRig(t, c, rigOptions{mapping: m("at")})
	if err := r.src.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "set cursor_type: timestamp") {
		t.Errorf("timestamp cursor typed integer: err = %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestSavedCursorOfOtherColumns: a mapping whose cursor column changed
// refuses the saved position, saying how to reset it.
func TestSavedCursorOfOtherColumns(t *testing.T) {
	c := freshCRM(t)
	c.complaint("K-1", "HGY", "N", false, t0)
	r := newRig(t, c, rigOptions{mapping: complaintsOnly})
	r.poll()
	other := strings.Replace(complaintsOnly, "cursor: updated_at", "cursor: received_at", 1)
	m, err := Parse("other.yaml", []byte(other))
	if err != nil {
		t.Fatal(err)
	}
	src, err := New(Options{Mapping: m, DB: r.db, Cursors: r.st, Ingester: r.ing, Logger: r.src.o.Logger})
	if err != nil {
		t.Fatal(err)
	}
	err = src.Poll(context.Background())
	for _, want := range []string{`the saved position is in the columns {"cursor":"updated_at","cursor_type":"timestamp","key":["id"]}`,
		`the mapping now reads {"cursor":"received_at"`, "slawatch crm reset-cursor --store STORE --source crm-sql --table complaints"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %s", err, want)
		}
	}
}

// TestRestartLagNotLate: after a restart the first lag re-read hands the
// window over again (duplicates) without counting its rows as late.
func TestRestartLagNotLate(t *testing.T) {
	c := freshCRM(t)
	c.complaint("K-1", "HGY", "N", false, t0)
	c.complaint("K-2", "HGY", "N", false, t0)
	lag := strings.Replace(complaintsOnly, "tables:", "lag: 1h\ntables:", 1)
	r := newRig(t, c, rigOptions{mapping: lag})
	r.poll()
	src2, err := New(Options{Mapping: r.src.o.Mapping, DB: r.db, Cursors: r.st, Ingester: r.ing, Logger: r.src.o.Logger})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := src2.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := testutil.ToFloat64(src2.m.lateRows.WithLabelValues("complaints")); n != 0 {
		t.Errorf("late rows after a restart = %v, want 0", n)
	}
	if acc, dup := r.ing.counts(); acc != 2 || dup != 2 {
		t.Errorf("accepted %d duplicate %d; want 2 and 2 (the window handed over once more after the restart)", acc, dup)
	}
}

// TestIntegerLagReread: an integer cursor's lag finds, at a later poll, a
// row with a lower id committed after a higher one was read, once.
func TestIntegerLagReread(t *testing.T) {
	c := freshCRM(t)
	c.exec(`CREATE TABLE receipts (id BIGINT PRIMARY KEY, org TEXT, ref TEXT, status TEXT, at TIMESTAMPTZ)`)
	ins := func(id int) {
		c.exec(`INSERT INTO receipts VALUES ($1, 'haringey', 'R1', 'delivered', $2)`, id, t0)
	}
	ins(1)
	ins(5)
	r := newRig(t, c, rigOptions{mapping: `tables:
  - name: receipts
    key: [id]
    cursor: id
    cursor_type: integer
    lag: "10"
    events:
      - {type: referral_delivery, time: at, po: {column: org}, ref: {column: ref}, channel: {value: sms}, outcome: {column: status}}
`})
	r.poll()
	ins(3) // committed late, below the saved cursor 5
	r.poll()
	r.poll()
	want := []string{"receipts:1:referral_delivery", "receipts:3:referral_delivery", "receipts:5:referral_delivery"}
	if got := r.ing.stored(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
	if n := r.late("receipts"); n != 1 {
		t.Errorf("late rows = %d, want 1", n)
	}
	if acc, dup := r.ing.counts(); acc != 3 || dup != 0 {
		t.Errorf("accepted %d duplicate %d; want 3 and 0", acc, dup)
	}
}

// TestNaiveTimestampCursor: a timestamp-without-time-zone cursor holding
// wall-clock time in the mapping's zone round-trips through the saved
// cursor, and the horizon is that zone's wall clock (Tokyo is 9h ahead of
// UTC: a UTC horizon would hold today's rows back).
func TestNaiveTimestampCursor(t *testing.T) {
	c := freshCRM(t)
	c.exec(`CREATE TABLE jp (id INT PRIMARY KEY, org TEXT, ref TEXT, received TIMESTAMP, changed TIMESTAMP(6) NOT NULL)`)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	wall := func(at time.Time) string { return at.In(tokyo).Format("2006-01-02 15:04:05.999999") }
	ins := func(id int, changed time.Time) {
		c.exec(`INSERT INTO jp VALUES ($1, 'haringey', 'K', $2, $3)`, id, wall(t0), wall(changed))
	}
	now := time.Now().Truncate(time.Microsecond)
	ins(1, now.Add(-time.Minute))
	ins(2, now.Add(-time.Minute)) // a tie
	mapping := `time_zone: Asia/Tokyo
tables:
  - name: jp
    key: [id]
    cursor: changed
    events:
      - {type: complaint_received, time: received, po: {column: org}, ref: {column: ref}}
`
	r := newRig(t, c, rigOptions{mapping: mapping, batch: 1})
	r.poll()
	ins(3, now)
	r.poll()
	r.poll()
	want := []string{"jp:1:complaint_received", "jp:2:complaint_received", "jp:3:complaint_received"}
	if got := r.ing.stored(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v\nlogs:\n%s", got, want, r.logs.String())
	}
	if n := r.rows("jp"); n != 3 {
		t.Errorf("read %d rows, want 3: each once", n)
	}
	if e, _ := r.ing.find("jp:1:complaint_received"); !e.At.Equal(t0) {
		t.Errorf("received %s, want %s", e.At, t0)
	}
	cur, _, _ := r.st.SourceCursor(context.Background(), "crm-sql/jp")
	if w := now.In(tokyo).Format("2006-01-02T15:04:05.999999999") + "Z"; cur.Cursor != w || cur.Key != `["3"]` {
		t.Errorf("saved cursor %+v, want the wall clock %s, key 3", cur, w)
	}
	// With time_zone defaulted, the source warns of the zoneless columns.
	r2 := newRig(t, c, rigOptions{mapping: strings.Replace(mapping, "time_zone: Asia/Tokyo\n", "", 1)})
	r2.poll()
	if !strings.Contains(r2.logs.String(), "columns without a time zone are read as UTC because the mapping sets no time_zone") ||
		!strings.Contains(r2.logs.String(), "columns=changed,received") {
		t.Errorf("no warning of zoneless columns with time_zone defaulted:\n%s", r2.logs.String())
	}
}

// TestCompositeKeyIDs: key values holding the separator do not collide.
func TestCompositeKeyIDs(t *testing.T) {
	c := freshCRM(t)
	c.exec(`CREATE TABLE pairs (a TEXT, b TEXT, org TEXT, at TIMESTAMPTZ, updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (a, b))`)
	c.exec(`INSERT INTO pairs (a, b, org, at) VALUES ('a,b', 'c', 'haringey', $1), ('a', 'b,c', 'haringey', $1), ('x\', 'y', 'haringey', $1)`, t0)
	r := newRig(t, c, rigOptions{mapping: `tables:
  - name: pairs
    key: [a, b]
    cursor: updated_at
    events:
      - {type: complaint_received, time: at, po: {column: org}, ref: {column: a}}
`})
	r.poll()
	want := []string{`pairs:a,b\,c:complaint_received`, `pairs:a\,b,c:complaint_received`, `pairs:x\\,y:complaint_received`}
	if got := r.ing.stored(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
}

// TestBadRowsDoNotStall: cursors of ±infinity and NULL keys are not read;
// an infinite event time is a rejected event; a row whose position cannot
// be read ends the page after the rows before it, with a counted error.
func TestBadRowsDoNotStall(t *testing.T) {
	c := freshCRM(t)
	c.exec(`INSERT INTO complaints (complaint_ref, org_code, received_at, updated_at) VALUES
		('K-1', 'HGY', $1, now() - interval '1 hour'), ('K-inf', 'HGY', $1, 'infinity'), ('K-minf', 'HGY', $1, '-infinity'),
		('K-4', 'HGY', 'infinity', now() - interval '30 minutes'), ('K-5', 'HGY', $1, now() - interval '20 minutes')`, t0)
	c.exec(`CREATE VIEW nullkeys AS SELECT CASE WHEN complaint_ref = 'K-5' THEN NULL ELSE id END AS id, 0 AS k2, updated_at, org_code, complaint_ref, received_at FROM complaints`)
	r := newRig(t, c, rigOptions{mapping: strings.Replace(complaintsOnly, "  - name: complaints\n", "  - name: complaints\n", 1) +
		"  - name: nullkeys\n    key: [id, k2]\n    cursor: updated_at\n    events:\n      - type: complaint_resolved\n        time: received_at\n" +
		"        id: \"{table}:{key}:{type}\"\n        po: {column: org_code, map: {HGY: haringey}}\n        ref: {column: complaint_ref}\n"})
	r.poll()
	r.poll()
	want := []string{"complaints:1:complaint_received", "complaints:5:complaint_received", "nullkeys:1,0:complaint_resolved"}
	if got := r.ing.stored(); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v\nlogs:\n%s", got, want, r.logs.String())
	}
	if n := r.exporterCount("crm_exporter_rejected_total", ReasonBadTime); n < 1 {
		t.Errorf("the infinite event time was not rejected as bad_time")
	}
	// A numeric cursor of 2.5 is no integer position: the page ends before it.
	c.exec(`CREATE TABLE seqs (id INT PRIMARY KEY, seq NUMERIC NOT NULL, org TEXT, ref TEXT, at TIMESTAMPTZ)`)
	c.exec(`INSERT INTO seqs VALUES (1, 1, 'haringey', 'a', $1), (2, 2, 'haringey', 'b', $1), (3, 2.5, 'haringey', 'c', $1), (4, 3, 'haringey', 'd', $1)`, t0)
	r = newRig(t, c, rigOptions{mapping: "tables:\n  - name: seqs\n    key: [id]\n    cursor: seq\n    cursor_type: integer\n    events:\n" +
		"      - {type: complaint_received, time: at, po: {column: org}, ref: {column: ref}}\n"})
	err := r.src.Poll(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the row after seqs id=2: cursor column seq holds") {
		t.Errorf("poll err = %v, want the bad row after seqs id=2", err)
	}
	if got := r.ing.stored(); !slices.Equal(got, []string{"seqs:1:complaint_received", "seqs:2:complaint_received"}) {
		t.Errorf("stored %v, want the rows before the bad one", got)
	}
	if n := r.sourceErrors("seqs"); n != 1 {
		t.Errorf("source errors = %d, want 1", n)
	}
}

// TestUnmappedPersonalText: free text in an unmapped po column is never
// passed to the exporter nor logged.
func TestUnmappedPersonalText(t *testing.T) {
	c := freshCRM(t)
	c.exec(`CREATE TABLE legacy (id INT PRIMARY KEY, borough TEXT, ref TEXT, at TIMESTAMPTZ, updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())`)
	c.exec(`INSERT INTO legacy (id, borough, ref, at) VALUES (1, 'Jane Doe', 'K-1', $1), (2, 'barnet', 'K-2', $1)`, t0)
	r := newRig(t, c, rigOptions{mapping: "tables:\n  - name: legacy\n    key: [id]\n    cursor: updated_at\n    events:\n" +
		"      - {type: complaint_received, time: at, po: {column: borough}, ref: {column: ref}}\n"})
	r.poll()
	if got := r.ing.stored(); !slices.Equal(got, []string{"legacy:2:complaint_received"}) {
		t.Errorf("stored %v", got)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "column borough holds a text of 8 characters; want a catalogue id") {
		t.Errorf("the rejection is not logged:\n%s", logs)
	}
	noPersonalData(t, "the logs", logs)
	for _, e := range r.ing.rejections() {
		noPersonalData(t, "a rejection", e.Error())
	}
}

// TestRejectionLoggedOnce: a rejected row updated again is rejected (and
// counted) again, but logged as a warning once per process.
func TestRejectionLoggedOnce(t *testing.T) {
	c := freshCRM(t)
	c.complaint("K-1", "XXX", "N", false, t0)
	r := newRig(t, c, rigOptions{mapping: complaintsOnly})
	r.poll()
	c.exec(`UPDATE complaints SET details = 'later'`)
	r.poll()
	if n := strings.Count(r.logs.String(), `level=WARN msg="CRM event rejected"`); n != 1 {
		t.Errorf("the rejection was logged %d times as a warning, want 1:\n%s", n, r.logs.String())
	}
	if n := r.exporterCount("crm_exporter_rejected_total", ReasonUnknownCode); n != 2 {
		t.Errorf("rejections counted %d, want 2 (once per read, documented)", n)
	}
}

func TestRedactDSN(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://u:secret@db:5432/crm?sslmode=require":                     "postgres://u:xxxxx@db:5432/crm?sslmode=require",
		"postgres://u@db/crm?password=secret&sslpassword=secret2&sslmode=req": "postgres://u@db/crm?password=xxxxx&sslmode=req&sslpassword=xxxxx",
		"postgres://u@db/crm?PassWord=secret":                                 "postgres://u@db/crm?PassWord=xxxxx",
		"host=db password=secret":                                             "(DSN hidden: not a postgres:// URL)",
	} {
		got := RedactDSN(dsn)
		if got != want || strings.Contains(got, "secret") {
			t.Errorf("RedactDSN(%q) = %q, want %q", dsn, got, want)
		}
	}
}
