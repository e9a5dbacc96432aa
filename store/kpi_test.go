package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestKPISQLite(t *testing.T) { runKPISuite(t, sqliteBackend()) }

func TestKPIPostgres(t *testing.T) {
	postgresDSN(t)
	runKPISuite(t, postgresBackend())
}

func runKPISuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, open func() (*Store, error))
	}{
		{"ReturnsSupersedeAndKeepHistory", testKPIReturns},
		{"Mitigations", testKPIMitigations},
		{"InvalidWritesNothing", testKPIInvalid},
		{"SchemaRefusesBadRows", testKPISchema},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b.fresh(t)) })
	}
}

var kpiBase = time.Date(2026, 10, 5, 9, 30, 0, 123, time.UTC)

func kpiRet(kpi, period string, num, den int64, by string, at time.Time) KPIReturn {
	return KPIReturn{KPI: kpi, Period: period, Numerator: num, Denominator: den, EnteredBy: by, Via: "cli", Entered: at}
}

func mustKPIReturns(t *testing.T, s *Store, f KPIFilter) []KPIReturn {
	t.Helper()
	got, err := s.KPIReturns(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func testKPIReturns(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	first, err := s.AddKPIReturn(ctx, kpiRet("care_visits_missed", "2026-09", 12, 400, "ooh-dm-1", kpiBase))
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || !first.Entered.Equal(kpiBase) {
		t.Fatalf("stored %+v", first)
	}
	// The provider corrects its return: the later one supersedes.
	fix := kpiRet("care_visits_missed", "2026-09", 9, 400, "ooh-dm-2", kpiBase.Add(time.Hour))
	fix.Note = "three visits were cancelled by the client"
	second, err := s.AddKPIReturn(ctx, fix)
	if err != nil {
		t.Fatal(err)
	}
	// A return entered later for an earlier month, and another KPI.
	aug, _ := s.AddKPIReturn(ctx, kpiRet("care_visits_missed", "2026-08", 30, 410, "ooh-dm-1", kpiBase.Add(2*time.Hour)))
	sat, _ := s.AddKPIReturn(ctx, kpiRet("caller_satisfaction", "2026-H1", 170, 200, "ooh-dm-1", kpiBase))

	// Reopened: nothing lost.
	s.Close()
	s = mustOpen(t, open)
	all := mustKPIReturns(t, s, KPIFilter{})
	if want := []KPIReturn{sat, aug, first, second}; !reflect.DeepEqual(all, want) {
		t.Errorf("history:\n%+v\nwant\n%+v", all, want)
	}
	latest := mustKPIReturns(t, s, KPIFilter{KPI: "care_visits_missed", Latest: true})
	if want := []KPIReturn{aug, second}; !reflect.DeepEqual(latest, want) {
		t.Errorf("latest:\n%+v\nwant\n%+v", latest, want)
	}
	sep := mustKPIReturns(t, s, KPIFilter{Periods: []string{"2026-09", "2026-H1"}, Latest: true})
	if want := []KPIReturn{sat, second}; !reflect.DeepEqual(sep, want) {
		t.Errorf("latest of 2026-09 and 2026-H1:\n%+v\nwant\n%+v", sep, want)
	}
	if got := mustKPIReturns(t, s, KPIFilter{KPI: "nope"}); len(got) != 0 {
		t.Errorf("unknown KPI: %+v", got)
	}
}

func testKPIMitigations(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	m := KPIMitigation{KPI: "calls_answered_20s", Period: "2026-09", Reason: "storm surge 14 Sept, agreed at the contract meeting",
		AgreedBy: "contract monitoring board", EnteredBy: "ooh-dm-1", Via: "api", Entered: kpiBase}
	m1, err := s.AddKPIMitigation(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	m.Reason, m.Entered = "storm surge 14-15 Sept (minutes corrected)", kpiBase.Add(time.Minute)
	m2, err := s.AddKPIMitigation(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.KPIMitigations(ctx, KPIFilter{KPI: "calls_answered_20s"})
	if err != nil || !reflect.DeepEqual(all, []KPIMitigation{m1, m2}) {
		t.Errorf("history: %+v, %v", all, err)
	}
	latest, err := s.KPIMitigations(ctx, KPIFilter{Periods: []string{"2026-09"}, Latest: true})
	if err != nil || !reflect.DeepEqual(latest, []KPIMitigation{m2}) {
		t.Errorf("latest: %+v, %v", latest, err)
	}
	// A mitigation leaves the returns alone.
	if got := mustKPIReturns(t, s, KPIFilter{}); len(got) != 0 {
		t.Errorf("returns: %+v", got)
	}
}

func testKPIInvalid(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	ok := kpiRet("k", "2026-09", 1, 2, "dm", kpiBase)
	for _, tc := range []struct {
		change func(r *KPIReturn)
		want   string
	}{
		{func(r *KPIReturn) { r.ID = 7 }, "ID is 7; leave it 0"},
		{func(r *KPIReturn) { r.KPI = "Bad Id" }, `KPI is "Bad Id"; want a catalogue KPI id`},
		{func(r *KPIReturn) { r.Period = "Sept" }, `Period is "Sept"; want 2026-09`},
		{func(r *KPIReturn) { r.Denominator = 0 }, "Denominator is 0; want a count above 0"},
		{func(r *KPIReturn) { r.Numerator = -1 }, "Numerator is -1; want a count from 0 to the denominator 2"},
		{func(r *KPIReturn) { r.Numerator = 3 }, "Numerator is 3; want a count from 0 to the denominator 2"},
		{func(r *KPIReturn) { r.EnteredBy = " " }, "EnteredBy is empty"},
		{func(r *KPIReturn) { r.Note = "two\nlines" }, "Note has control characters"},
		{func(r *KPIReturn) { r.Note = strings.Repeat("x", MaxKPINoteBytes+1) }, "Note is 501 bytes; at most 500"},
		{func(r *KPIReturn) { r.Via = "" }, `Via is ""; want cli or api`},
		{func(r *KPIReturn) { r.Entered = time.Time{} }, "Entered is zero or out of range"},
	} {
		r := ok
		tc.change(&r)
		_, err := s.AddKPIReturn(ctx, r)
		if !errors.Is(err, ErrInvalidKPI) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want ErrInvalidKPI with %q", r, err, tc.want)
		}
	}
	okm := KPIMitigation{KPI: "k", Period: "2026", Reason: "r", AgreedBy: "board", EnteredBy: "dm", Via: "cli", Entered: kpiBase}
	for _, tc := range []struct {
		change func(m *KPIMitigation)
		want   string
	}{
		{func(m *KPIMitigation) { m.Reason = "" }, "Reason is empty"},
		{func(m *KPIMitigation) { m.AgreedBy = "" }, "AgreedBy is empty"},
		{func(m *KPIMitigation) { m.EnteredBy = "" }, "EnteredBy is empty"},
		{func(m *KPIMitigation) { m.Period = "2026-Q3; DROP" }, "Period is"},
	} {
		m := okm
		tc.change(&m)
		_, err := s.AddKPIMitigation(ctx, m)
		if !errors.Is(err, ErrInvalidKPI) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want ErrInvalidKPI with %q", m, err, tc.want)
		}
	}
	if got := mustKPIReturns(t, s, KPIFilter{}); len(got) != 0 {
		t.Errorf("invalid returns stored: %+v", got)
	}
	if got, _ := s.KPIMitigations(ctx, KPIFilter{}); len(got) != 0 {
		t.Errorf("invalid mitigations stored: %+v", got)
	}
}

// testKPISchema: the table refuses what validation refuses, for a writer
// that bypasses the Go checks.
func testKPISchema(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	for _, q := range []string{
		`INSERT INTO kpi_returns (kpi, period, numerator, denominator, note, entered_by, via, entered_ns) VALUES ('k', '2026', 1, 0, '', 'dm', 'cli', 1)`,
		`INSERT INTO kpi_returns (kpi, period, numerator, denominator, note, entered_by, via, entered_ns) VALUES ('k', '2026', -1, 5, '', 'dm', 'cli', 1)`,
		`INSERT INTO kpi_returns (kpi, period, numerator, denominator, note, entered_by, via, entered_ns) VALUES ('k', '2026', 6, 5, '', 'dm', 'cli', 1)`,
		`INSERT INTO kpi_returns (kpi, period, numerator, denominator, note, entered_by, via, entered_ns) VALUES ('k', '2026', 1, 5, '', '', 'cli', 1)`,
		`INSERT INTO kpi_mitigations (kpi, period, reason, agreed_by, entered_by, via, entered_ns) VALUES ('k', '2026', '', 'b', 'dm', 'cli', 1)`,
	} {
		if _, err := s.db.Exec(q); err == nil {
			t.Errorf("schema accepted: %s", q)
		}
	}
}
