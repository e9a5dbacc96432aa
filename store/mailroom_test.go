package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMailroomSQLite(t *testing.T) { runMailroomSuite(t, sqliteBackend()) }

func TestMailroomPostgres(t *testing.T) {
	postgresDSN(t)
	runMailroomSuite(t, postgresBackend())
}

func runMailroomSuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, open func() (*Store, error))
	}{
		{"FileOnceByHash", testMailroomFileOnce},
		{"CorrectionsKeepHighWaterMark", testMailroomCorrections},
		{"InvalidFileWritesNothing", testMailroomInvalid},
		{"ItemsOnceByID", testMailroomItems},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b.fresh(t)) })
	}
}

var mrAt = time.Date(2026, 11, 17, 9, 30, 0, 0, time.UTC)

func mrHash(c byte) string { return strings.Repeat(string(c), 64) }

func mrRow(bu, region, day string, inbound, harmful int64) MailroomCountRow {
	period := MailroomDaily
	if len(day) == 7 {
		period = MailroomMonthly
	}
	return MailroomCountRow{Period: period, BusinessUnit: bu, Region: region, Day: day,
		Counts: MailroomCounts{InboundRoyalMail: inbound, Harmful: harmful, SwitchboardCallsAbandoned: 1}}
}

func mustRecord(t *testing.T, s *Store, f MailroomFile) MailroomFileResult {
	t.Helper()
	res, err := s.RecordMailroomFile(context.Background(), f, mrAt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func testMailroomFileOnce(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	f := MailroomFile{Name: "daily-2026-11-16.csv", SHA256: mrHash('a'), Period: MailroomDaily,
		Rows: []MailroomCountRow{mrRow("benefits", "london", "2026-11-16", 120, 1), mrRow("benefits", "wales", "2026-11-16", 30, 0)}}
	res := mustRecord(t, s, f)
	if res.Duplicate || res.File.ID == 0 || len(res.Added) != 2 || res.Added[0].InboundRoyalMail != 120 || res.Added[0].Harmful != 1 || res.Corrections() != 0 {
		t.Fatalf("first record: %+v", res)
	}
	// The same bytes again (any name): nothing written, the earlier file named.
	again, err := s.RecordMailroomFile(ctx, MailroomFile{Name: "copy.csv", SHA256: f.SHA256, Period: f.Period, Rows: f.Rows}, mrAt.Add(time.Hour))
	if err != nil || !again.Duplicate || again.Earlier.Name != f.Name || !again.Earlier.Processed.Equal(mrAt) || again.Added != nil {
		t.Fatalf("duplicate: %+v %v", again, err)
	}
	s.Close()
	s = mustOpen(t, open) // kept across a reopen
	rec, found, err := s.MailroomFileByHash(ctx, f.SHA256)
	if _, none, _ := s.MailroomFileByHash(ctx, mrHash('f')); none {
		t.Error("found a file never stored")
	}
	if err != nil || !found || rec.Name != f.Name || rec.Rows != 2 || rec.Period != MailroomDaily {
		t.Fatalf("by hash: %+v %v", rec, err)
	}
	totals, err := s.MailroomCountTotals(ctx)
	if err != nil || len(totals) != 2 || totals[0].Region != "london" || totals[0].Counts.InboundRoyalMail != 120 || totals[1].Counts.SwitchboardCallsAbandoned != 1 {
		t.Fatalf("totals: %+v %v", totals, err)
	}
	fileAt, itemAt, err := s.MailroomLatest(ctx)
	if err != nil || !fileAt.Equal(mrAt) || !itemAt.IsZero() {
		t.Errorf("latest: %v %v %v", fileAt, itemAt, err)
	}
}

// A correction replaces the figure; the high-water mark (what counters
// hold) only grows: 100 → 60 → 130 counts 130, the figure is 130; the
// month's other day adds to the total.
func testMailroomCorrections(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	day := func(sha byte, inbound int64, extra ...MailroomCountRow) MailroomFileResult {
		return mustRecord(t, s, MailroomFile{Name: "d" + string(sha) + ".csv", SHA256: mrHash(sha), Period: MailroomDaily,
			Rows: append([]MailroomCountRow{mrRow("benefits", "london", "2026-11-16", inbound, 0)}, extra...)})
	}
	r := day('1', 100)
	if r.Added[0].InboundRoyalMail != 100 || r.Replaced[0] {
		t.Fatalf("first: %+v", r)
	}
	r = day('2', 60, mrRow("benefits", "london", "2026-11-17", 10, 0))
	if r.Added[0].InboundRoyalMail != 0 || !r.Replaced[0] || r.Replaced[1] || r.Added[1].InboundRoyalMail != 10 || r.Corrections() != 1 {
		t.Fatalf("lower correction: %+v", r)
	}
	figs, err := s.MailroomFigures(ctx, MailroomDaily, "2026-11-16", "2026-11-16")
	if err != nil || len(figs) != 1 || figs[0].Counts.InboundRoyalMail != 60 {
		t.Fatalf("figure after the lower correction: %+v %v", figs, err)
	}
	r = day('3', 130)
	if r.Added[0].InboundRoyalMail != 30 || r.Added[0].SwitchboardCallsAbandoned != 0 || !r.Replaced[0] {
		t.Fatalf("higher correction: %+v", r)
	}
	figs, err = s.MailroomFigures(ctx, MailroomDaily, "2026-11-01", "2026-11-30")
	want := []MailroomCountRow{mrRow("benefits", "london", "2026-11-16", 130, 0), mrRow("benefits", "london", "2026-11-17", 10, 0)}
	if err != nil || !reflect.DeepEqual(figs, want) {
		t.Fatalf("figures:\n got %+v\nwant %+v (%v)", figs, want, err)
	}
	// A monthly file is its own period: same business unit and region, no interplay.
	mustRecord(t, s, MailroomFile{Name: "m.csv", SHA256: mrHash('e'), Period: MailroomMonthly,
		Rows: []MailroomCountRow{mrRow("benefits", "london", "2026-10", 2000, 2)}})
	totals, err := s.MailroomCountTotals(ctx)
	if err != nil || len(totals) != 2 {
		t.Fatalf("totals: %+v %v", totals, err)
	}
	if d := totals[0]; d.Period != MailroomDaily || d.Counts.InboundRoyalMail != 140 || d.Counts.SwitchboardCallsAbandoned != 2 {
		t.Errorf("daily totals: %+v (want 130 + 10 inbound, 1 + 1 abandoned)", d)
	}
	if m := totals[1]; m.Period != MailroomMonthly || m.Counts.InboundRoyalMail != 2000 || m.Counts.Harmful != 2 {
		t.Errorf("monthly totals: %+v", m)
	}
	if _, err := s.MailroomFigures(ctx, "weekly", "", "z"); !errors.Is(err, ErrInvalidMailroom) {
		t.Errorf("bad period: %v", err)
	}
}

func testMailroomInvalid(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	good := mrRow("benefits", "london", "2026-11-16", 1, 0)
	neg := good
	neg.Counts.Missing = -1
	for name, tc := range map[string]struct {
		f    MailroomFile
		want string
	}{
		"hash":      {MailroomFile{Name: "a.csv", SHA256: "abc", Period: MailroomDaily, Rows: []MailroomCountRow{good}}, "SHA256 is not 64 lowercase hex"},
		"name":      {MailroomFile{Name: "x/a.csv", SHA256: mrHash('b'), Period: MailroomDaily, Rows: []MailroomCountRow{good}}, "want the file's base name"},
		"period":    {MailroomFile{Name: "a.csv", SHA256: mrHash('b'), Period: "weekly", Rows: []MailroomCountRow{good}}, `Period is "weekly"`},
		"empty":     {MailroomFile{Name: "a.csv", SHA256: mrHash('b'), Period: MailroomDaily}, "no rows"},
		"negative":  {MailroomFile{Name: "a.csv", SHA256: mrHash('b'), Period: MailroomDaily, Rows: []MailroomCountRow{good, neg}}, "row 2: missing is -1; want 0 to 999999999"},
		"duplicate": {MailroomFile{Name: "a.csv", SHA256: mrHash('b'), Period: MailroomDaily, Rows: []MailroomCountRow{good, good}}, "rows 1 and 2 are both benefits/london 2026-11-16"},
		"day":       {MailroomFile{Name: "a.csv", SHA256: mrHash('b'), Period: MailroomMonthly, Rows: []MailroomCountRow{{Period: MailroomMonthly, BusinessUnit: "b", Region: "r", Day: "2026-11-16"}}}, "is not a monthly date"},
	} {
		_, err := s.RecordMailroomFile(ctx, tc.f, mrAt)
		if !errors.Is(err, ErrInvalidMailroom) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if totals, err := s.MailroomCountTotals(ctx); err != nil || len(totals) != 0 {
		t.Errorf("invalid files wrote %+v %v", totals, err)
	}
	// The schema refuses a negative count even past the validation.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO mailroom_files (sha256, name, period, row_count, processed_ns) VALUES ('`+mrHash('c')+`', 'x', 'daily', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	cols := MailroomCountColumns()
	vals := strings.TrimSuffix(strings.Repeat("0, ", len(cols)-1), ", ")
	_, err := s.db.ExecContext(ctx, `INSERT INTO mailroom_counts (file_id, period, business_unit, region, day, `+strings.Join(cols, ", ")+`)
 VALUES ((SELECT id FROM mailroom_files), 'daily', 'b', 'r', '2026-11-16', -1, `+vals+`)`)
	if err == nil {
		t.Error("schema accepted a negative count")
	}
}

func testMailroomItems(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	items := []MailroomItem{
		{ID: "sort-1:1", At: mrAt, BusinessUnit: "benefits", Region: "london", Kind: "inbound", Detail: "royal_mail", Quantity: 3},
		{ID: "sort-1:2", At: mrAt, BusinessUnit: "benefits", Region: "london", Kind: "inbound", Detail: "royal_mail", Quantity: 2},
		{ID: "scan-1:1", At: mrAt, BusinessUnit: "benefits", Region: "london", Kind: "scan_job", Detail: "completed", Quantity: 1, Pages: 40},
		{ID: "sort-1:1", At: mrAt, BusinessUnit: "benefits", Region: "london", Kind: "inbound", Detail: "royal_mail", Quantity: 3},
	}
	ins, err := s.InsertMailroomItems(ctx, items, mrAt.Add(time.Second))
	if err != nil || !reflect.DeepEqual(ins, []bool{true, true, true, false}) {
		t.Fatalf("insert: %v %v", ins, err)
	}
	ins, err = s.InsertMailroomItems(ctx, items[:1], mrAt.Add(2*time.Second))
	if err != nil || !reflect.DeepEqual(ins, []bool{false}) {
		t.Fatalf("replay: %v %v", ins, err)
	}
	bad := items[0]
	bad.ID, bad.Quantity = "sort-1:9", 0
	if _, err := s.InsertMailroomItems(ctx, []MailroomItem{items[2], bad}, mrAt); !errors.Is(err, ErrInvalidMailroom) || !strings.Contains(err.Error(), "item 2: Quantity is 0") {
		t.Errorf("bad quantity: %v", err)
	}
	totals, err := s.MailroomItemTotals(ctx)
	want := []MailroomItemTotal{
		{BusinessUnit: "benefits", Region: "london", Kind: "inbound", Detail: "royal_mail", Quantity: 5},
		{BusinessUnit: "benefits", Region: "london", Kind: "scan_job", Detail: "completed", Quantity: 1, Pages: 40},
	}
	if err != nil || !reflect.DeepEqual(totals, want) {
		t.Fatalf("totals %+v %v", totals, err)
	}
	_, itemAt, err := s.MailroomLatest(ctx)
	if err != nil || !itemAt.Equal(mrAt.Add(time.Second)) {
		t.Errorf("latest item %v %v", itemAt, err)
	}
}
