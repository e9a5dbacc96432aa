package mailroom

import (
	"testing"
	"time"
)

const (
	missBenLondon  = `mailroom_daily_count_missing{business_unit="benefits",region="london"}`
	missBenWales   = `mailroom_daily_count_missing{business_unit="benefits",region="wales"}`
	missPassLondon = `mailroom_daily_count_missing{business_unit="passports",region="london"}`
)

// No daily count for a business unit in the third week: the gauge counts
// each sample day whose count is due (12:00 on the next working day) and
// has not come; a count clears its day; a restart keeps the state; days
// leave the gauge when they fall out of the lookback.
func TestDailyCountMissing(t *testing.T) {
	loc := london(t)
	dir, dbDir := t.TempDir(), t.TempDir()
	c := &clock{time.Date(2026, 11, 17, 11, 59, 0, 0, loc)} // Tue 17, before Monday's count is due
	cat := testCatalog(t)
	st := openStore(t, dbDir)
	e, reg := newExporter(t, cat, st, c.now)
	check := func(when string, want map[string]string) {
		t.Helper()
		text := exposition(t, reg, MetricDailyCountMissing)
		for series, v := range want {
			if got := sample(t, text, series); got != v {
				t.Errorf("%s: %s = %s, want %s", when, series, got, v)
			}
		}
	}
	// A new store: October's sample (Thu 15 to Wed 21) has no counts, and
	// the counts of the 16th, 19th, 20th and 21st fell due in the last 31 days.
	check("before the first count is due", map[string]string{missBenLondon: "4", missBenWales: "4", missPassLondon: "4"})

	// Monday's count came for benefits/london only.
	drop(t, dir, "mon.csv", csvFile("daily,benefits,london,2026-11-16,10,0"), c.t)
	mustProcess(t, e, dir)
	c.t = time.Date(2026, 11, 17, 12, 0, 0, 0, loc)
	check("Monday's count due", map[string]string{missBenLondon: "4", missBenWales: "5", missPassLondon: "5"})

	// Monday 23 13:00: all five sample days are due; benefits/london sent
	// Monday and (late) Friday's; the count of the 21st (a Saturday) is
	// never asked for.
	c.t = afterSample(t)
	drop(t, dir, "fri.csv", csvFile("daily,benefits,london,2026-11-20,10,0", "daily,passports,london,2026-11-20,1,0"), c.t)
	mustProcess(t, e, dir)
	check("after the sample week", map[string]string{missBenLondon: "3", missBenWales: "5", missPassLondon: "4"})

	// A restart restores which counts came.
	_, reg2 := newExporter(t, cat, st, c.now)
	if a, b := exposition(t, reg, MetricDailyCountMissing), exposition(t, reg2, MetricDailyCountMissing); a != b {
		t.Errorf("after a restart:\n%s\nwant\n%s", b, a)
	}

	// 31 days after Monday's count fell due (Tue 17 Nov 12:00) it leaves
	// the gauge, while December's sample (Tue 15 to Mon 21) comes due: on
	// Fri 18 Dec 12:00 the counts of the 15th, 16th and 17th are due.
	c.t = time.Date(2026, 12, 18, 12, 0, 0, 0, loc)
	check("a month on", map[string]string{missBenLondon: "6", missBenWales: "7", missPassLondon: "6"})
	// By Thu 24 Dec the whole November sample is out of the lookback and
	// all five December days are due.
	c.t = time.Date(2026, 12, 24, 12, 0, 0, 0, loc)
	check("past the lookback", map[string]string{missBenLondon: "5", missBenWales: "5", missPassLondon: "5"})
}
