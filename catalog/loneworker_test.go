package catalog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// lwCatalogue is a two-PO catalogue; lw is acme's lone_worker section
// (indented under the PO) and bravo's officer number follows bravoSMS.
func lwCatalogue(lw, bravoSMS string) string {
	return `version: 1
organisations:
  - id: acme
    name: Acme Borough
    service_options:
      - {id: noise, standards: [{standard: gold, from: "2026-01-01"}]}
    access_numbers:
      - {number: "+442079460901", service_options: ["*"]}
    people:
      - {id: a-1, name: Officer A1, sms: "+447700900401"}
      - {id: a-2, name: Officer A2, sms: "+447700900402"}
      - {id: a-mgr, name: Manager, email: mgr@acme.example}
    escalation_policies:
      - id: lone
        steps:
          - {targets: [{duty_managers: true}], delay: 15m}
          - {targets: [{person: a-mgr}]}
` + lw + `
  - id: bravo
    name: Bravo Homes
    service_options:
      - {id: repairs, standards: [{standard: silver, from: "2026-01-01"}]}
    access_numbers:
      - {number: "+442079460902", service_options: ["*"]}
    people:
      - {id: b-1, name: Officer B1, sms: "` + bravoSMS + `"}
    escalation_policies:
      - {id: default, steps: [{targets: [{duty_managers: true}]}]}
    lone_worker:
      staff_groups:
        - {id: repairs, default_minutes: 30, reminder_before: 5m, escalation_policy: default, officers: [b-1]}
provider:
  people:
    - {id: dm-1, name: Duty Manager, sms: "+447700900901"}
  duty_managers: [dm-1]
`
}

const lwValid = `    lone_worker:
      retention_days: 30
      staff_groups:
        - id: enforcement
          default_minutes: 60
          max_minutes: 120
          extension: true
          reminder_before: 10m
          escalation_policy: lone
          officers: [a-1, a-2]
        - id: night_visits
          default_minutes: 20
          reminder_before: 5m
          escalation_policy: lone
          officers: [a-2]`

func TestLoneWorkerValid(t *testing.T) {
	c, err := Parse("lw.yaml", []byte(lwCatalogue(lwValid, "+447700900501")))
	if err != nil {
		t.Fatal(err)
	}
	g, ok := c.StaffGroup("acme", "enforcement")
	if !ok {
		t.Fatal("StaffGroup(acme, enforcement) not found")
	}
	if g.PO() != "acme" || g.Default() != time.Hour || g.Max() != 2*time.Hour || g.Reminder() != 10*time.Minute {
		t.Errorf("enforcement: po %s default %v max %v reminder %v", g.PO(), g.Default(), g.Max(), g.Reminder())
	}
	if g.Extensions() != DefaultMaxExtensions {
		t.Errorf("enforcement extensions = %d, want the default %d", g.Extensions(), DefaultMaxExtensions)
	}
	if g.Policy() == nil || g.Policy().ID != "lone" || !g.HasOfficer("a-1") || g.HasOfficer("a-mgr") {
		t.Errorf("enforcement policy %v, officers %v", g.Policy(), g.Officers)
	}
	// The group's chain is the ordinary escalation machinery.
	start := time.Date(2026, 4, 8, 21, 0, 0, 0, time.UTC)
	if got := strings.Join(summary(start, c.Plan("acme", "noise", start)), "\n"); got != "+0s p0 s0: DM\n+15m0s p0 s1: a-mgr\n+30m0s p0 s-1 catch-all implicit: DM" {
		t.Errorf("plan of the lone policy:\n%s", got)
	}

	n, _ := c.StaffGroup("acme", "night_visits")
	if n.Max() != 20*time.Minute || n.Extensions() != 0 {
		t.Errorf("night_visits: max %v (want the default session), extensions %d (want 0)", n.Max(), n.Extensions())
	}
	acme, _ := c.PO("acme")
	if got := acme.StaffGroups(); len(got) != 2 || got[0].ID != "enforcement" || got[1].ID != "night_visits" {
		t.Errorf("StaffGroups = %v", got)
	}
	if acme.Retention() != 30*24*time.Hour {
		t.Errorf("acme retention = %v, want 30 days", acme.Retention())
	}
	bravo, _ := c.PO("bravo")
	if bravo.Retention() != 90*24*time.Hour || *bravo.LoneWorker.RetentionDays != 90 {
		t.Errorf("bravo retention = %v, want the 90-day default", bravo.Retention())
	}
	for _, tc := range []struct{ po, id string }{{"acme", "nope"}, {"nope", "enforcement"}, {"bravo", "enforcement"}} {
		if _, ok := c.StaffGroup(tc.po, tc.id); ok {
			t.Errorf("StaffGroup(%s, %s) found", tc.po, tc.id)
		}
	}

	for _, tc := range []struct {
		phone, person, po, groups string
	}{
		{"+447700900402", "a-2", "acme", "enforcement,night_visits"},
		{"+447700900401", "a-1", "acme", "enforcement"},
		{"+447700900501", "b-1", "bravo", "repairs"},
		{"+447700900901", "", "", ""}, // a duty manager, not an officer
		{"07700900401", "", "", ""},   // national form: numbers are E.164
		{"", "", "", ""},
	} {
		p, po, groups, ok := c.OfficerBy(tc.phone)
		if p.ID != tc.person || po != tc.po || strings.Join(groups, ",") != tc.groups || ok != (tc.person != "") {
			t.Errorf("OfficerBy(%q) = %s, %q, %v, %v; want %s, %s, %s", tc.phone, p.ID, po, groups, ok, tc.person, tc.po, tc.groups)
		}
	}
	if _, ok := acme.Person("a-mgr"); !ok || len(acme.StaffGroups()) == 0 {
		t.Error("acme lost its people")
	}
	// No personal data in what a caller might log.
	p, _, _, _ := c.OfficerBy("+447700900401")
	if s := fmt.Sprintf("%v %+v", p, p); strings.Contains(s, "447700900401") || strings.Contains(s, "Officer") {
		t.Errorf("officer prints personal data: %s", s)
	}
}

func TestLoneWorkerInvalid(t *testing.T) {
	group := func(fields string) string {
		return "    lone_worker:\n      staff_groups:\n        - {id: g, " + fields + "}"
	}
	ok := "default_minutes: 60, reminder_before: 10m, escalation_policy: lone, officers: [a-1]"
	for _, tc := range []struct {
		name, lw, bravoSMS, want string
	}{
		{"unknown field", group(ok + ", colour: red"), "", "lw.yaml:20: colour: unknown field"},
		{"duplicate id", "    lone_worker:\n      staff_groups:\n        - {id: g, " + ok + "}\n        - {id: g, " + ok + "}", "",
			`lw.yaml:21: organisations[0].lone_worker.staff_groups[1].id: duplicate staff group id "g" in acme`},
		{"bad id", "    lone_worker:\n      staff_groups:\n        - {id: Night, " + ok + "}", "",
			`lw.yaml:20: organisations[0].lone_worker.staff_groups[0].id: staff group id "Night" must be lower-case letters`},
		{"default over max", group(ok + ", max_minutes: 30"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].max_minutes: must be from default_minutes (60) to 720 minutes, not 30"},
		{"default missing", group("reminder_before: 10m, escalation_policy: lone, officers: [a-1]"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].default_minutes: must be 1 to 720 minutes (the session length when the officer gives none), not 0"},
		{"reminder not before the default", group("default_minutes: 10, reminder_before: 10m, escalation_policy: lone, officers: [a-1]"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].reminder_before: 10m is not shorter than the default session of 10 minutes"},
		{"reminder missing", group("default_minutes: 10, escalation_policy: lone, officers: [a-1]"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].reminder_before: missing"},
		{"reminder not a duration", group("default_minutes: 10, reminder_before: soon, escalation_policy: lone, officers: [a-1]"), "",
			`lw.yaml:20: organisations[0].lone_worker.staff_groups[0].reminder_before: "soon" is not a duration`},
		{"unknown policy", group("default_minutes: 60, reminder_before: 10m, escalation_policy: nope, officers: [a-1]"), "",
			`lw.yaml:20: organisations[0].lone_worker.staff_groups[0].escalation_policy: "nope" is not an escalation policy of acme; policies: lone`},
		{"unknown officer", group("default_minutes: 60, reminder_before: 10m, escalation_policy: lone, officers: [a-1, b-1]"), "",
			`lw.yaml:20: organisations[0].lone_worker.staff_groups[0].officers[1]: "b-1" is not a person of acme; people: a-1, a-2, a-mgr`},
		{"officer without sms", group("default_minutes: 60, reminder_before: 10m, escalation_policy: lone, officers: [a-mgr]"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].officers[0]: a-mgr has no sms number"},
		{"officer twice", group("default_minutes: 60, reminder_before: 10m, escalation_policy: lone, officers: [a-1, a-1]"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].officers[1]: a-1 is listed twice in this staff group"},
		{"no officers", group("default_minutes: 60, reminder_before: 10m, escalation_policy: lone"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].officers: missing"},
		{"max_extensions without extension", group(ok + ", max_extensions: 3"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].max_extensions: only applies with extension: true"},
		{"zero extensions", group(ok + ", extension: true, max_extensions: 0"), "",
			"lw.yaml:20: organisations[0].lone_worker.staff_groups[0].max_extensions: must be 1 to 9 with extension: true, not 0"},
		{"retention", "    lone_worker:\n      retention_days: 0\n      staff_groups:\n        - {id: g, " + ok + "}", "",
			"lw.yaml:19: organisations[0].lone_worker.retention_days: must be 1 to 3660 days, not 0"},
		{"no staff groups", "    lone_worker: {retention_days: 30}", "",
			"lw.yaml:18: organisations[0].lone_worker.staff_groups: missing"},
		{"officer number shared across POs", group(ok), "+447700900401",
			"organisations[1].lone_worker.staff_groups[0].officers[0]: b-1 has the same sms number as officer a-1; a number must identify one officer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sms := tc.bravoSMS
			if sms == "" {
				sms = "+447700900501"
			}
			_, err := Parse("lw.yaml", []byte(lwCatalogue(tc.lw, sms)))
			if err == nil {
				t.Fatalf("no error; want %s", tc.want)
			}
			probs, isProbs := err.(Problems)
			if !isProbs || len(probs) != 1 {
				t.Fatalf("want exactly one problem, got:\n%v", err)
			}
			if got := probs[0].Error(); !strings.HasPrefix(got, tc.want) && !strings.Contains(got, tc.want) {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if strings.Contains(err.Error(), "4477009004") || strings.Contains(err.Error(), "4477009005") {
				t.Errorf("a message echoes a phone number: %v", err)
			}
		})
	}
}

// The example: Haringey's officers check in under two staff groups whose
// overdue chain is duty managers, then the on-call manager after 15
// minutes, then the emergency contact after 30.
func TestExampleLoneWorker(t *testing.T) {
	c := loadExample(t)
	g, ok := c.StaffGroup("haringey", "enforcement")
	if !ok || g.Default() != time.Hour || g.Extensions() != 2 {
		t.Fatalf("haringey enforcement: ok=%v %+v", ok, g)
	}
	p, po, groups, ok := c.OfficerBy("+447700900401")
	if !ok || p.ID != "haringey-eo-1" || po != "haringey" || strings.Join(groups, ",") != "enforcement,anti_social_behaviour" {
		t.Errorf("OfficerBy = %s %s %v %v", p.ID, po, groups, ok)
	}
	// The lone-worker chain, by its policy; SLA alerts (no other policy)
	// page the duty managers only.
	start := london(t, "2026-03-02 02:00")
	want := "+0s p0 s0: DM\n+15m0s p0 s1: haringey-ooh-manager\n+30m0s p0 s2: haringey-emergency-contact\n+45m0s p0 s-1 catch-all implicit: DM"
	if g.Policy().ID != "lone_worker" {
		t.Fatalf("enforcement policy = %s", g.Policy().ID)
	}
	if got := strings.Join(summary(start, c.PlanPolicy("haringey", "lone_worker", start)), "\n"); got != want {
		t.Errorf("haringey lone-worker chain:\n%s\nwant:\n%s", got, want)
	}
	if got := strings.Join(summary(start, c.Plan("haringey", "noise_patrol", start)), "\n"); got != "+0s p0 s-1 catch-all: DM" {
		t.Errorf("haringey SLA escalation:\n%s\nwant the duty managers only", got)
	}
}

func TestLoneWorkerBadPINHash(t *testing.T) {
	group := "    lone_worker:\n      staff_groups:\n        - {id: g, default_minutes: 60, reminder_before: 10m, escalation_policy: lone, officers: [a-1]}"
	src := strings.Replace(lwCatalogue(group, "+447700900501"), `sms: "+447700900401"}`, `sms: "+447700900401", pin_sha256: "1234"}`, 1)
	_, err := Parse("lw.yaml", []byte(src))
	want := `lw.yaml:20: organisations[0].lone_worker.staff_groups[0].officers[0]: a-1: pin_sha256 is not 64 lowercase hex digits; give the SHA-256 of "a-1:<pin>"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}
