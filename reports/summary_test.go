package reports

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

func example(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Exactly the target percentage meets the target; one call fewer does not.
// The decision is on integers, so 80% of 5 is met and 79.99...% is not.
func TestTargetMetOnIntegers(t *testing.T) {
	c := example(t)
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rows := []store.SummaryRow{
		{ServiceOption: "noise_patrol", Standard: "gold", Offered: 5, Answered: 5, AnsweredWithinTarget: 4},
		{ServiceOption: "parking", Standard: "gold", Offered: 10001, Answered: 10001, AnsweredWithinTarget: 8000},
	}
	s, err := BuildSummary(rows, c, "rbkc", from, to)
	if err != nil {
		t.Fatal(err)
	}
	if s.Lines[0].TargetMet != "yes" || s.Lines[1].TargetMet != "no" {
		t.Errorf("met: %q (4/5), %q (8000/10001)", s.Lines[0].TargetMet, s.Lines[1].TargetMet)
	}
	if s.Lines[2].TargetMet != "" || s.Lines[2].AbandonMet != "" {
		t.Errorf("a TOTAL line has a verdict: %+v", s.Lines[2])
	}
	if tot := s.Lines[2]; tot.ServiceOption != "TOTAL" || tot.Offered != 10006 || tot.AnsweredWithinTarget != 8004 {
		t.Errorf("total line %+v", tot)
	}
}

// The denominator follows the PO's formula.
func TestDenominatorPerFormula(t *testing.T) {
	c := example(t)
	row := store.SummaryRow{ServiceOption: "anti_social_behaviour", Standard: "gold",
		Offered: 10, Answered: 7, AnsweredWithinTarget: 6, Abandoned: 3, ShortAbandons: 2}
	for po, want := range map[string]uint64{"enfield": 8, "rbkc": 10} {
		s, err := BuildSummary([]store.SummaryRow{row}, c, po, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Lines[0].Denominator; got != want {
			t.Errorf("%s denominator = %d, want %d", po, got, want)
		}
	}
	if _, err := BuildSummary(nil, c, "nowhere", time.Time{}, time.Time{}); err == nil {
		t.Error("unknown PO accepted")
	}
}

// Gold caps abandons strictly under 5%: 1 in 20 is not under it, 1 in 21 is.
// Every answered call must be within the rest bound.
func TestAbandonAndRestVerdicts(t *testing.T) {
	c := example(t)
	rows := []store.SummaryRow{
		{ServiceOption: "noise_patrol", Standard: "gold", Offered: 20, Answered: 19, AnsweredWithinTarget: 19, AnsweredWithinRest: 19, Abandoned: 1},
		{ServiceOption: "parking", Standard: "gold", Offered: 21, Answered: 20, AnsweredWithinTarget: 20, AnsweredWithinRest: 19, Abandoned: 1},
	}
	s, _ := BuildSummary(rows, c, "rbkc", time.Time{}, time.Time{})
	if l := s.Lines[0]; l.AbandonMet != "no" || l.RestMet != "yes" {
		t.Errorf("noise_patrol: abandon %q rest %q, want no, yes", l.AbandonMet, l.RestMet)
	}
	if l := s.Lines[1]; l.AbandonMet != "yes" || l.RestMet != "no" {
		t.Errorf("parking: abandon %q rest %q, want yes, no", l.AbandonMet, l.RestMet)
	}
	bronze, _ := BuildSummary([]store.SummaryRow{{ServiceOption: "x", Standard: "bronze", Offered: 2, Abandoned: 2}}, c, "rbkc", time.Time{}, time.Time{})
	if l := bronze.Lines[0]; l.AbandonMet != "" {
		t.Errorf("bronze states no abandon cap, verdict %q", l.AbandonMet)
	}
}

func TestWriteSummaryCSV(t *testing.T) {
	c := example(t)
	s, _ := BuildSummary([]store.SummaryRow{{ServiceOption: "noise_patrol", Standard: "gold", Offered: 3, Answered: 2, AnsweredWithinTarget: 2, AnsweredWithinRest: 2, Abandoned: 1, AbandonedOver60: 1}}, c, "rbkc", time.Time{}, time.Time{})
	var b bytes.Buffer
	if err := WriteSummary(&b, s, "csv"); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 3 || len(recs[0]) != len(recs[1]) {
		t.Fatalf("csv: %v %v", recs, err)
	}
	if recs[1][3] != "noise_patrol" || recs[1][6] != "3" || recs[1][16] != "66.7" || recs[1][18] != "no" || recs[1][20] != "yes" || recs[1][22] != "no" {
		t.Errorf("row %v", recs[1])
	}
	if err := WriteSummary(&b, s, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}
