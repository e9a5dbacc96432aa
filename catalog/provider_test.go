package catalog

import (
	"strings"
	"testing"
	"time"
)

const providerYAML = `organisations:
  - id: a
    name: A
    service_options: [{id: s, standards: [{standard: gold, from: "2026-01-01"}]}, {id: t, standards: [{standard: gold, from: "2026-01-01"}]}]
    access_numbers: [{number: "+442079460999", service_options: ["*"]}]
    people: [{id: p-1, name: P, sms: "+447700900001"}, {id: q-1, name: Q, sms: "+447700900002", slack: U0Q1}]
    rotas:
      - {id: r, rotation: daily, handovers: ["17:00"], people: [p-1, q-1], start: "2026-03-20"}
    escalation_policies:
      - {id: x, service_options: [s], repeat: 1, steps: [{targets: [{rota: r}], delay: 5m}, {targets: [{person: q-1}], delay: 7m}]}
provider:
  people: [{id: dm-1, name: Duty One, sms: "+447700900101", slack: U0DM1}, {id: dm-2, name: Duty Two, sms: "+447700900102"}]
  duty_managers: [dm-1, dm-2]
  slack_channel: "#ooh-duty"
`

func TestProviderDutyManagers(t *testing.T) {
	c, err := Parse("p.yaml", []byte(providerYAML))
	if err != nil {
		t.Fatal(err)
	}
	dms := c.DutyManagers()
	if len(dms) != 2 || dms[0].ID != "dm-1" || dms[1].ID != "dm-2" {
		t.Fatalf("DutyManagers = %v", dms)
	}
	if p, po, ok := c.PersonBy("sms", "+447700900002"); !ok || p.ID != "q-1" || po != "a" {
		t.Fatalf("PersonBy sms = %v %q %v", p, po, ok)
	}
	if p, po, ok := c.PersonBy("slack", "U0DM1"); !ok || p.ID != "dm-1" || po != ProviderID {
		t.Fatalf("PersonBy slack = %v %q %v", p, po, ok)
	}
	if _, _, ok := c.PersonBy("sms", "+447700900999"); ok {
		t.Fatal("PersonBy found an unknown number")
	}
	if p, po, ok := c.PersonByID("dm-2"); !ok || po != ProviderID || p.SMS.Reveal() != "+447700900102" {
		t.Fatalf("PersonByID = %v %q %v", p, po, ok)
	}
}

func TestProviderInvalid(t *testing.T) {
	bad := strings.Replace(providerYAML, "duty_managers: [dm-1, dm-2]", "duty_managers: [dm-1, dm-9]", 1)
	bad = strings.Replace(bad, `slack_channel: "#ooh-duty"`, `slack_channel: "OOH Duty"`, 1)
	bad = strings.Replace(bad, "{id: dm-2, name: Duty Two", "{id: p-1, name: Duty Two", 1)
	_, err := Parse("p.yaml", []byte(bad))
	if err == nil {
		t.Fatal("bad provider section accepted")
	}
	for _, want := range []string{
		`p.yaml:12: provider.people[1].id: duplicate person id "p-1" (already a person of a)`,
		`p.yaml:13: provider.duty_managers[1]: "dm-9" is not one of provider.people`,
		`p.yaml:14: provider.slack_channel: "OOH Duty" is not a Slack channel name`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "+4477") {
		t.Error("an error echoes a phone number")
	}
}

// TestStepAt: the pager's step-by-step view agrees with Plan, resolves
// rotas at the instant given, and ends after the catch-all.
func TestStepAt(t *testing.T) {
	c, err := Parse("p.yaml", []byte(providerYAML))
	if err != nil {
		t.Fatal(err)
	}
	start := london(t, "2026-03-28 16:58")
	plan := c.Plan("a", "s", start)
	if len(plan) != 5 { // 2 steps × 2 passes + catch-all
		t.Fatalf("plan has %d steps; want 5", len(plan))
	}
	for k, want := range plan {
		got, _, ok := c.StepAt("a", "s", k, want.At)
		if !ok || got.Index != want.Index || got.Pass != want.Pass || got.CatchAll != want.CatchAll || len(got.Pages) != len(want.Pages) {
			t.Fatalf("StepAt(%d) = %+v, %v; Plan has %+v", k, got, ok, want)
		}
	}
	// The rota's person changes at the 17:00 handover: step 0 fired at
	// 16:58 pages p-1, the same step fired at 17:01 pages q-1.
	s0, d0, _ := c.StepAt("a", "s", 0, start)
	s1, _, _ := c.StepAt("a", "s", 0, start.Add(3*time.Minute))
	if s0.Pages[0].Person.ID == s1.Pages[0].Person.ID || d0 != 5*time.Minute {
		t.Fatalf("StepAt before/after the handover: %v / %v, delay %v", s0.Pages[0].Person, s1.Pages[0].Person, d0)
	}
	if _, _, ok := c.StepAt("a", "s", 5, start); ok {
		t.Fatal("StepAt past the catch-all is ok")
	}
	// Option t has no policy; the provider's own alerts neither: catch-all only.
	for _, po := range []string{"a", ProviderID} {
		s, _, ok := c.StepAt(po, "t", 0, start)
		if !ok || !s.CatchAll || s.Pages[0].Kind != TargetDutyManagers {
			t.Fatalf("StepAt(%s, t, 0) = %+v, %v; want the catch-all", po, s, ok)
		}
	}
}

func TestLineTestCallers(t *testing.T) {
	c, err := Parse("p.yaml", []byte(providerYAML+"  line_test_callers: [\"+442079460990\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsLineTestCaller("+442079460990") || c.IsLineTestCaller("+442079460999") {
		t.Fatal("IsLineTestCaller")
	}
	_, err = Parse("p.yaml", []byte(providerYAML+"  line_test_callers: [\"02079460990\", \"+442079460999\"]\n"))
	for _, want := range []string{
		`p.yaml:15: provider.line_test_callers[0]: "02079460990" is not an E.164 number`,
		`p.yaml:15: provider.line_test_callers[1]: +442079460999 is a PO's public access number`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// TestLastHandover: the latest start of service at or before t, across
// the clocks going back (25 Oct 2026) and a bank holiday.
func TestLastHandover(t *testing.T) {
	c, err := Parse("p.yaml", []byte(providerYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ at, want string }{
		{"2026-10-27 03:00", "2026-10-26 17:00"}, // Tuesday night: Monday 17:00 (GMT, the day after BST ended)
		{"2026-10-26 17:00", "2026-10-26 17:00"}, // at the handover itself
		{"2026-10-26 16:59", "2026-10-23 17:00"}, // Monday afternoon: the weekend began Friday 17:00 (BST)
		{"2026-05-04 12:00", "2026-05-01 17:00"}, // May Day bank holiday: service since Friday evening
	} {
		got, ok := c.LastHandover("a", london(t, tc.at))
		if !ok || !got.Equal(london(t, tc.want)) {
			t.Errorf("LastHandover(%s) = %s, %v; want %s", tc.at, got.In(c.Location()).Format("2006-01-02 15:04 MST"), ok, tc.want)
		}
	}
}

// A lone_worker policy is never a default or an option's policy, and the
// pager can walk it by id.
func TestLoneWorkerPolicy(t *testing.T) {
	y := strings.Replace(providerYAML, "      - {id: x, service_options: [s],",
		"      - {id: lw, lone_worker: true, steps: [{targets: [{person: q-1}], delay: 5m}]}\n      - {id: x, service_options: [s],", 1)
	c, err := Parse("p.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	start := london(t, "2026-03-28 16:58")
	if plan := c.Plan("a", "t", start); len(plan) != 1 || !plan[0].CatchAll {
		t.Fatalf("option t: %+v; want the catch-all only (the lone_worker policy is no default)", plan)
	}
	plan := c.PlanPolicy("a", "lw", start)
	if len(plan) != 2 || plan[0].Pages[0].Person.ID != "q-1" || !plan[1].CatchAll {
		t.Fatalf("PlanPolicy = %+v", plan)
	}
	for k, want := range plan {
		got, _, ok := c.StepAtPolicy("a", "lw", k, want.At)
		if !ok || got.Index != want.Index || got.CatchAll != want.CatchAll {
			t.Fatalf("StepAtPolicy(%d) = %+v, %v", k, got, ok)
		}
	}
	if _, _, ok := c.StepAtPolicy("a", "nope", 0, start); ok {
		t.Fatal("StepAtPolicy of an unknown policy")
	}
	bad := strings.Replace(y, "{id: lw, lone_worker: true,", "{id: lw, lone_worker: true, service_options: [t],", 1)
	if _, err := Parse("p.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "a lone_worker policy serves staff groups' alarms only") {
		t.Fatalf("lone_worker policy with service options: %v", err)
	}
}
