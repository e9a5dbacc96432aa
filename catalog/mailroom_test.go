package catalog

import (
	"strings"
	"testing"
	"time"
)

const mailRoomBase = `version: 1
organisations:
  - id: acme
    name: Acme Borough
    service_options:
      - id: noise_patrol
        standards: [{standard: gold, from: "2026-01-01"}]
    access_numbers:
      - {number: "+442079460999", service_options: ["*"]}
`

func TestMailRoomDefaultsAndLookups(t *testing.T) {
	c, err := Parse("mr.yaml", []byte(mailRoomBase+`mail_room:
  business_units:
    - id: benefits
      name: Benefits
      regions: [{id: london, name: London}, {id: north_west, name: North West}]
    - id: passports
      name: Passports
      regions: [{id: london, name: London}]
`))
	if err != nil {
		t.Fatal(err)
	}
	m := c.MailRoom
	if *m.DailySample.FirstDay != 15 || *m.DailySample.LastDay != 21 || m.DailySample.DueBy.Minutes != 12*60 {
		t.Errorf("daily sample defaults: %s", m.DailySample)
	}
	bu, ok := m.BusinessUnit("benefits")
	if !ok || !bu.Region("north_west") || bu.Region("wales") {
		t.Errorf("lookups: %v %+v", ok, bu)
	}
	if _, ok := m.BusinessUnit("tax"); ok {
		t.Error("unknown business unit found")
	}
	if got := strings.Join(m.BusinessUnitIDs(), ","); got != "benefits,passports" {
		t.Errorf("ids %s", got)
	}
}

func TestMailRoomSampleDays(t *testing.T) {
	c, err := Parse("mr.yaml", []byte(mailRoomBase+`mail_room:
  business_units: [{id: benefits, name: Benefits, regions: [{id: london, name: London}]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	loc := c.Location()
	days := func(y int, m time.Month) string {
		var out []string
		for _, d := range c.MailRoomSampleDays(time.Date(y, m, 3, 12, 0, 0, 0, loc)) {
			out = append(out, d.Format("Mon 02"))
		}
		return strings.Join(out, ",")
	}
	// November 2026: 15th is a Sunday, so Mon 16 to Fri 20 (Sat 21 is out).
	if got := days(2026, time.November); got != "Mon 16,Tue 17,Wed 18,Thu 19,Fri 20" {
		t.Errorf("Nov 2026 sample: %s", got)
	}
	// April 2025: Good Friday is the 18th, Easter Monday the 21st.
	if got := days(2025, time.April); got != "Tue 15,Wed 16,Thu 17" {
		t.Errorf("Apr 2025 sample: %s", got)
	}
	// The count of Friday 20 November is due on Monday 23 at 12:00.
	due := c.MailRoomCountDue(time.Date(2026, 11, 20, 9, 0, 0, 0, loc))
	if want := time.Date(2026, 11, 23, 12, 0, 0, 0, loc); !due.Equal(want) {
		t.Errorf("due %v, want %v", due, want)
	}
	// Thursday 17 April 2025: next working day is Tuesday 22 (Good Friday, Easter Monday).
	due = c.MailRoomCountDue(time.Date(2025, 4, 17, 0, 0, 0, 0, loc))
	if want := time.Date(2025, 4, 22, 12, 0, 0, 0, loc); !due.Equal(want) {
		t.Errorf("due %v, want %v", due, want)
	}
	if c.MailRoomSampleDay(time.Date(2026, 11, 22, 10, 0, 0, 0, loc)) {
		t.Error("a Sunday is a sample day")
	}
}

// Every mistake is named with file, line and field.
func TestMailRoomInvalid(t *testing.T) {
	_, err := Parse("mr.yaml", []byte(mailRoomBase+`mail_room:
  business_units:
    - id: Benefits
      name: Benefits
      regions: [{id: london, name: London}, {id: london, name: ""}]
    - id: tax
      name: " "
    - {id: tax, name: Tax Again, regions: [{name: Nowhere}]}
  daily_sample: {first_day: 0, last_day: 29, due_by: "25:00"}
`))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`mr.yaml:12: mail_room.business_units[0].id: business unit id "Benefits" must be lower-case letters`,
		`mr.yaml:14: mail_room.business_units[0].regions[1].id: duplicate region "london" in business unit Benefits`,
		`mr.yaml:14: mail_room.business_units[0].regions[1].name: missing; give the region's name`,
		`mr.yaml:16: mail_room.business_units[1].name: missing; give the business unit's name`,
		`mr.yaml:15: mail_room.business_units[1].regions: missing; list the business unit's regions`,
		`mr.yaml:17: mail_room.business_units[2].id: duplicate business unit id "tax"`,
		`mr.yaml:17: mail_room.business_units[2].regions[0].id: missing; every region needs an id such as london`,
		`mr.yaml:18: mail_room.daily_sample.first_day: must be a day of the month from 1 to 28 (every month has it), not 0`,
		`mr.yaml:18: mail_room.daily_sample.last_day: must be a day of the month from 1 to 28 (every month has it), not 29`,
		`mr.yaml:18: mail_room.daily_sample.due_by: "25:00" is not a time of day; use HH:MM from 00:00 to 24:00`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing problem:\n  %s\ngot:\n%s", want, err)
		}
	}
	_, err = Parse("mr.yaml", []byte(mailRoomBase+"mail_room: {}\n"))
	if err == nil || !strings.Contains(err.Error(), "mail_room.business_units: missing; a mail room lists at least one business unit") {
		t.Errorf("empty mail room: %v", err)
	}
	_, err = Parse("mr.yaml", []byte(mailRoomBase+`mail_room:
  business_units: [{id: a, name: A, regions: [{id: r, name: R}]}]
  daily_sample: {first_day: 20, last_day: 14}
`))
	if err == nil || !strings.Contains(err.Error(), "mail_room.daily_sample.last_day: 14 is before first_day (20)") {
		t.Errorf("reversed sample: %v", err)
	}
}
