package alerting

import (
	"testing"
	"time"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/timeinterval"

	"github.com/slawatch/slawatch/catalog"
)

// activeIn evaluates the named time interval with Alertmanager's own code.
func activeIn(t *testing.T, cfg *config.Config, name string) func(time.Time) bool {
	t.Helper()
	var tis []timeinterval.TimeInterval
	found := false
	for _, ti := range cfg.TimeIntervals {
		if ti.Name == name {
			tis, found = ti.TimeIntervals, true
		}
	}
	if !found {
		t.Fatalf("no time interval %q", name)
	}
	return func(at time.Time) bool {
		for _, ti := range tis {
			if ti.ContainsTime(at) {
				return true
			}
		}
		return false
	}
}

// The instants where hours of service are easiest to get wrong, judged by
// Alertmanager on the generated intervals and by the catalogue; both must
// agree with each other and with the contract (want).
func TestInServiceIntervalsAgreeWithCatalogue(t *testing.T) {
	c := loadExample(t)
	cfg := loadAM(t, generate(t, c, AMConfig{Now: fixedNow}))
	london, _ := time.LoadLocation("Europe/London")
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, london) }
	for _, tc := range []struct {
		name string
		po   string
		at   time.Time
		want bool
	}{
		{"weekday noon", "ealing", local(2026, 6, 10, 12, 0), false},
		{"weekday 07:59", "ealing", local(2026, 6, 10, 7, 59), true},
		{"weekday 08:00", "ealing", local(2026, 6, 10, 8, 0), false},
		{"weekday 16:59", "ealing", local(2026, 6, 10, 16, 59), false},
		{"weekday 17:00", "ealing", local(2026, 6, 10, 17, 0), true},
		{"weekday midnight", "ealing", local(2026, 6, 11, 0, 0), true},
		{"Saturday 03:00", "ealing", local(2026, 6, 13, 3, 0), true},
		{"Saturday noon", "ealing", local(2026, 6, 13, 12, 0), true},
		{"Friday 16:30", "ealing", local(2026, 6, 12, 16, 30), false},
		{"Monday 07:30 after a weekend", "ealing", local(2026, 6, 15, 7, 30), true},
		{"Monday 08:00 after a weekend", "ealing", local(2026, 6, 15, 8, 0), false},
		// 07:30 UTC on a Monday: 07:30 in GMT (in service), 08:30 in BST (not).
		{"Monday 07:30 UTC in GMT", "ealing", utc(2026, 3, 23, 7, 30), true},
		{"Monday 07:30 UTC in BST", "ealing", utc(2026, 3, 30, 7, 30), false},
		{"Monday 07:30 UTC in BST, October", "ealing", utc(2026, 10, 19, 7, 30), false},
		{"Monday 07:30 UTC back in GMT", "ealing", utc(2026, 10, 26, 7, 30), true},
		// 16:30 UTC on a Friday: 17:30 BST (in service), 16:30 GMT (not).
		{"Friday 16:30 UTC in BST", "ealing", utc(2026, 10, 23, 16, 30), true},
		{"Friday 16:30 UTC in GMT", "ealing", utc(2026, 10, 30, 16, 30), false},
		{"clocks go forward, Sunday 00:59 UTC", "ealing", utc(2026, 3, 29, 0, 59), true},
		{"clocks go forward, Sunday 01:00 UTC", "ealing", utc(2026, 3, 29, 1, 0), true},
		{"Good Friday noon", "ealing", local(2026, 4, 3, 12, 0), true},
		{"Easter Monday noon", "ealing", local(2026, 4, 6, 12, 0), true},
		{"Tuesday after Easter, 08:00", "ealing", local(2026, 4, 7, 8, 0), false},
		{"Tuesday after Easter, 07:59", "ealing", local(2026, 4, 7, 7, 59), true},
		{"late May bank holiday 12:00", "havering", local(2026, 5, 25, 12, 0), true},
		{"August bank holiday 23:59", "rbkc", local(2026, 8, 31, 23, 59), true},
		{"Christmas Eve noon (a working day)", "ealing", local(2026, 12, 24, 12, 0), false},
		{"Christmas Day noon", "ealing", local(2026, 12, 25, 12, 0), true},
		{"28 Dec, substitute Boxing Day", "ealing", local(2026, 12, 28, 12, 0), true},
		{"29 Dec, Christmas working day", "ealing", local(2026, 12, 29, 12, 0), true},
		{"30 Dec, Christmas working day", "enfield", local(2026, 12, 30, 9, 0), true},
		{"31 Dec, Christmas working day", "ealing", local(2026, 12, 31, 15, 0), true},
		{"New Year's Day 2027", "ealing", local(2027, 1, 1, 12, 0), true},
		{"first Monday of 2027, noon", "ealing", local(2027, 1, 4, 12, 0), false},
		{"Easter Monday 2027 (day after clocks change)", "ealing", local(2027, 3, 29, 12, 0), true},
		{"27 Dec 2027, substitute Christmas", "barnet", local(2027, 12, 27, 12, 0), true},
		{"31 Dec 2027", "barnet", local(2027, 12, 31, 12, 0), true},
		{"State Funeral 2022 is not written (outside the years)", "ealing", local(2026, 9, 21, 12, 0), false},
	} {
		in := activeIn(t, cfg, InServiceInterval(tc.po))
		am, cat := in(tc.at), c.InService(tc.po, "", tc.at)
		if am != cat || am != tc.want {
			t.Errorf("%s (%s, %s): alertmanager %v, catalogue %v, want %v", tc.name, tc.po, tc.at.In(london).Format(time.RFC3339), am, cat, tc.want)
		}
	}
}

// Every quarter hour (and the minute before it) of the two written years,
// for every PO: Alertmanager's verdict equals the catalogue's.
func TestInServiceIntervalsSweepTwoYears(t *testing.T) {
	c := loadExample(t)
	cfg := loadAM(t, generate(t, c, AMConfig{Now: fixedNow}))
	sweepAgrees(t, c, cfg, 2026)
}

func sweepAgrees(t *testing.T, c *catalog.Catalog, cfg *config.Config, year int) {
	t.Helper()
	for _, po := range c.POIDs() {
		in := activeIn(t, cfg, InServiceInterval(po))
		p, _ := c.PO(po)
		start := time.Date(year, 1, 1, 0, 0, 0, 0, p.Location())
		end := time.Date(year+2, 1, 1, 0, 0, 0, 0, p.Location())
		bad := 0
		for at := start; at.Before(end); at = at.Add(15 * time.Minute) {
			for _, u := range []time.Time{at, at.Add(-time.Minute)} {
				if u.Before(start) {
					continue
				}
				if am, cat := in(u), c.InService(po, "", u); am != cat {
					if bad++; bad <= 5 {
						t.Errorf("%s at %s: alertmanager %v, catalogue %v", po, u.Format(time.RFC3339), am, cat)
					}
				}
			}
		}
	}
}

// The written years end: a bank holiday two years on is not covered, so
// the file must be regenerated yearly (the header says so).
func TestHolidayYearsAreCurrentAndNext(t *testing.T) {
	c := loadExample(t)
	cfg := loadAM(t, generate(t, c, AMConfig{Now: fixedNow}))
	in := activeIn(t, cfg, InServiceInterval("ealing"))
	london := c.Location()
	easter2028 := time.Date(2028, 4, 17, 12, 0, 0, 0, london)
	if !c.InService("ealing", "", easter2028) {
		t.Fatal("catalogue: Easter Monday 2028 should be a 24-hour day")
	}
	if in(easter2028) {
		t.Error("Easter Monday 2028 is written although only 2026 and 2027 should be")
	}
	cfg2028 := loadAM(t, generate(t, c, AMConfig{Now: func() time.Time { return time.Date(2027, 12, 31, 23, 30, 0, 0, time.UTC) }}))
	if !activeIn(t, cfg2028, InServiceInterval("ealing"))(easter2028) {
		t.Error("generated late in 2027, Easter Monday 2028 is missing")
	}
}

// A catalogue with other zones and hours: a PO in Dublin (Irish time is
// written with a negative DST offset in tzdata) without 24-hour bank
// holidays, a window crossing the clock change, and a round-the-clock PO.
const zonesCatalogue = `
version: 1
time_zone: Europe/London
organisations:
  - id: dublin
    name: Dublin office
    kind: borough
    time_zone: Europe/Dublin
    hours:
      weekly:
        - {from: "sat 22:00", to: "sun 02:30"}
        - {from: "wed 12:15", to: "wed 13:45"}
      bank_holidays_24h: false
      christmas_working_days_24h: true
    service_options:
      - {id: a, standards: [{standard: gold, from: "2020-01-01"}]}
    access_numbers:
      - {number: "+442079460099", service_options: ["*"]}
  - id: always
    name: Always open
    kind: borough
    hours:
      weekly:
        - {from: "sun 00:00", to: "sat 24:00"}
    service_options:
      - {id: a, standards: [{standard: gold, from: "2020-01-01"}]}
    access_numbers:
      - {number: "+442079460098", service_options: ["*"]}
`

func TestInServiceIntervalsOtherZonesAndHours(t *testing.T) {
	c, err := catalog.Parse("zones.yaml", []byte(zonesCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	data := generate(t, c, AMConfig{Now: fixedNow})
	cfg := loadAM(t, data)
	sweepAgrees(t, c, cfg, 2026)
	dublin, _ := time.LoadLocation("Europe/Dublin")
	in := activeIn(t, cfg, InServiceInterval("dublin"))
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC), true},  // 00:59 GMT Sunday
		{time.Date(2026, 3, 29, 1, 29, 0, 0, time.UTC), true},  // 02:29 IST
		{time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), false}, // 02:30 IST
		{time.Date(2026, 6, 10, 12, 15, 0, 0, dublin), true},
		{time.Date(2026, 6, 10, 13, 45, 0, 0, dublin), false},
		{time.Date(2026, 5, 4, 12, 0, 0, 0, dublin), false},  // bank holiday, not 24 h here
		{time.Date(2026, 12, 29, 12, 0, 0, 0, dublin), true}, // Christmas working day
	} {
		if am, cat := in(tc.at), c.InService("dublin", "", tc.at); am != tc.want || cat != tc.want {
			t.Errorf("dublin at %s: alertmanager %v, catalogue %v, want %v", tc.at.Format(time.RFC3339), am, cat, tc.want)
		}
	}
	if always := activeIn(t, cfg, InServiceInterval("always")); !always(time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)) {
		t.Error("the round-the-clock PO is muted at noon")
	}
}
