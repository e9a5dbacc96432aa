package catalog

import (
	"strings"
	"testing"
	"time"
)

func london(t testing.TB, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/London")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBankHolidays(t *testing.T) {
	c, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for day, want := range map[string]bool{
		"2026-04-03": true,  // Good Friday
		"2026-04-06": true,  // Easter Monday
		"2026-05-04": true,  // Early May
		"2026-05-25": true,  // Spring
		"2026-08-31": true,  // Summer (England and Wales, not Scotland's 3 August)
		"2026-08-03": false, // Scotland only
		"2026-12-25": true,  // Friday
		"2026-12-28": true,  // Boxing Day falls on Saturday: substitute Monday
		"2026-12-26": false, // the Saturday itself is no day off
		"2027-12-27": true,  // Christmas on Saturday: substitute Monday
		"2027-12-28": true,  // Boxing Day on Sunday: substitute Tuesday
		"2023-05-08": true,  // coronation of King Charles III
		"2026-11-23": false,
	} {
		if got := c.BankHoliday(london(t, day+" 12:00")); got != want {
			t.Errorf("BankHoliday(%s) = %v, want %v", day, got, want)
		}
	}
}

func TestExtraBankHoliday(t *testing.T) {
	c := loadExample(t)
	if !c.BankHoliday(london(t, "2022-09-19 12:00")) {
		t.Error("the catalogue's one-off (state funeral) is not a bank holiday")
	}
}

func TestChristmasWorkingDays(t *testing.T) {
	c, _ := Load("testdata/minimal.yaml")
	var got []string
	for d := london(t, "2026-12-20 12:00"); d.Before(london(t, "2027-01-03 12:00")); d = d.AddDate(0, 0, 1) {
		if c.ChristmasWorkingDay(d) {
			got = append(got, d.Format("2006-01-02"))
		}
	}
	// 2026: Christmas Friday, Boxing Day Saturday (substitute Monday 28th).
	want := []string{"2026-12-29", "2026-12-30", "2026-12-31"}
	if len(got) != len(want) {
		t.Fatalf("christmas working days = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("christmas working days = %v, want %v", got, want)
		}
	}
}

func TestInService(t *testing.T) {
	c, _ := Load("testdata/minimal.yaml")
	cases := []struct {
		at, so string
		want   bool
	}{
		{"2026-11-23 16:59", "", false}, // Monday day time: the council answers
		{"2026-11-23 17:00", "", true},  // handover
		{"2026-11-24 07:59", "", true},
		{"2026-11-24 08:00", "", false},
		{"2026-11-27 17:00", "", true}, // Friday evening
		{"2026-11-28 13:00", "", true}, // Saturday
		{"2026-11-30 07:59", "", true}, // Monday early
		{"2026-11-30 08:00", "", false},
		{"2026-12-29 12:00", "", true},              // Christmas working day: 24 h
		{"2026-08-31 12:00", "", true},              // summer bank holiday Monday: 24 h
		{"2026-11-28 03:30", "noise_patrol", false}, // no noise service 03:00-08:00
		{"2026-11-28 02:59", "noise_patrol", true},
		{"2026-11-28 03:30", "housing_repairs", true},
		{"2026-11-28 03:30", "no_such_option", false},
		// BST ends on Sunday 25 Oct 2026: 01:00-02:00 happens twice; the
		// weekend window holds throughout.
		{"2026-10-25 01:30", "", true},
		// BST starts on Sunday 29 Mar 2026; Monday 08:00 is local time.
		{"2026-03-30 07:59", "", true},
		{"2026-03-30 08:00", "", false},
	}
	for _, tc := range cases {
		if got := c.InService("acme", tc.so, london(t, tc.at)); got != tc.want {
			t.Errorf("InService(%s, %q) = %v, want %v", tc.at, tc.so, got, tc.want)
		}
	}
	// 17:00 local is 17:00 UTC in winter and 16:00 UTC in summer.
	if !c.InService("acme", "", time.Date(2026, 7, 1, 16, 0, 0, 0, time.UTC)) {
		t.Error("17:00 BST (16:00 UTC) should be in service")
	}
	if c.InService("acme", "", time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)) {
		t.Error("16:00 GMT should not be in service")
	}
}

func TestNextHandover(t *testing.T) {
	c, _ := Load("testdata/minimal.yaml")
	cases := []struct{ from, want string }{
		{"2026-11-23 09:00", "2026-11-23 17:00"},
		{"2026-11-23 17:00", "2026-11-24 17:00"}, // strictly after
		{"2026-11-27 18:00", "2026-11-30 17:00"}, // weekend: next is Monday evening
		{"2026-08-28 18:00", "2026-09-01 17:00"}, // Monday 31 Aug is a bank holiday: covered all day
		{"2026-03-27 12:00", "2026-03-27 17:00"}, // across the BST change
		{"2026-12-24 09:00", "2026-12-24 17:00"},
		{"2026-12-25 09:00", "2027-01-04 17:00"}, // 24 h from Christmas Eve to New Year: next is Monday 4 Jan
	}
	for _, tc := range cases {
		got, ok := c.NextHandover("acme", london(t, tc.from))
		if !ok || !got.Equal(london(t, tc.want)) {
			t.Errorf("NextHandover(%s) = %v %v, want %s", tc.from, got.In(c.Location()), ok, tc.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c, _ := Load("testdata/minimal.yaml")
	// Complaint on Thursday 24 Dec 2026: 5 working days skip Christmas,
	// the substitute Boxing Day, the weekends and New Year's Day.
	got := c.AddWorkingDays(london(t, "2026-12-24 10:00"), 5)
	if want := london(t, "2027-01-06 00:00"); !got.Equal(want) {
		t.Errorf("5 working days after 24 Dec = %v, want end of Tue 5 Jan", got)
	}
}

func TestPOTimeZone(t *testing.T) {
	doc := func(tz string) []byte {
		return []byte(`organisations:
  - id: a
    name: A
    time_zone: ` + tz + `
    service_options: [{id: s, standards: [{standard: gold, from: "2026-01-01"}]}]
    access_numbers: [{number: "+12125550100", service_options: ["*"]}]
`)
	}
	c, err := Parse("tz.yaml", doc("America/New_York"))
	if err != nil {
		t.Fatal(err)
	}
	// Monday 23 Nov 2026: 17:00 in New York is 22:00 UTC.
	if !c.InService("a", "", time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)) {
		t.Error("17:00 New York should be in service")
	}
	if c.InService("a", "", time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)) {
		t.Error("17:00 London (12:00 New York) should not be in service")
	}
	if got, _ := c.NextHandover("a", time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("next handover = %v, want 22:00 UTC", got)
	}
	if _, err := Parse("tz.yaml", doc("Mars/Base")); err == nil || !strings.Contains(err.Error(), `tz.yaml:4: organisations[0].time_zone: unknown time zone "Mars/Base"`) {
		t.Errorf("bad zone: %v", err)
	}
}
