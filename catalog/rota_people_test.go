package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// No fmt verb, slog handler or JSON encoding of a person, or of anything
// holding one, prints the name, number, Slack id or address.
func TestPersonNeverPrintsContactDetails(t *testing.T) {
	c := loadRotas(t)
	p, _ := c.PO("acme")
	d, _ := p.Person("d-1")
	plan := c.Plan("acme", "highways", london(t, "2026-04-13 22:00"))
	var logs bytes.Buffer
	text := slog.New(slog.NewTextHandler(&logs, nil))
	js := slog.New(slog.NewJSONHandler(&logs, nil))
	text.Info("paging", "person", *d, "ptr", d, "sms", d.SMS)
	js.Info("paging", "person", *d, "ptr", d, "sms", d.SMS, "step", plan[0])
	js1, _ := json.Marshal(d)
	js2, _ := json.Marshal(plan)
	outputs := []string{logs.String(), string(js1), string(js2)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		for _, x := range []any{*d, d, p.People, plan, plan[0].Pages[0], d.SMS, p} {
			outputs = append(outputs, fmt.Sprintf(verb, x))
		}
	}
	secrets := []string{"+447700900004", "447700900004", "Dan Example", "U0DAN0001", "+447700900001", "Alice", "carol@acme.example"}
	for _, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%q leaked in:\n%s", s, out)
			}
		}
	}
	if got := fmt.Sprintf("%v", *d); got != "d-1 [sms slack]" {
		t.Errorf("%%v of a person = %q, want the id and channel kinds", got)
	}
	if d.SMS.Reveal() != "+447700900004" {
		t.Errorf("Reveal = %q", d.SMS.Reveal())
	}
}

// Bad on-call configuration: every problem, with its line and what is valid.
func TestInvalidOnCall(t *testing.T) {
	_, err := Load("testdata/rota-invalid.yaml")
	var probs Problems
	if !errorsAs(err, &probs) {
		t.Fatalf("want Problems, got %v", err)
	}
	f := "testdata/rota-invalid.yaml:"
	want := []string{
		f + `10: organisations[0].people[0].sms: not an E.164 mobile number; write +44 then the number without the leading 0, no spaces`,
		f + `11: organisations[0].people[1].id: duplicate person id "a-1" (already a person of acme); person ids are unique in the catalogue`,
		f + `11: organisations[0].people[1].slack: not a Slack member id; use the id from the member's profile, e.g. U012AB3CD`,
		f + `11: organisations[0].people[1].email: not an e-mail address; write the bare address, e.g. name@council.example`,
		f + `12: organisations[0].people[2].id: person id "B-1" must be lower-case letters, digits, _ and - and start with a letter`,
		f + `12: organisations[0].people[2].name: missing; give the display name the duty manager sees`,
		f + `14: organisations[0].rotas[0].start: missing; give the date the first person's turn starts (YYYY-MM-DD)`,
		f + `15: organisations[0].rotas[0].time_zone: unknown time zone "Europe/Londres"; use an IANA name such as Europe/London`,
		f + `17: organisations[0].rotas[0].handovers[0]: "17:00" has no weekday; a weekly rotation hands over on a day, e.g. "fri 17:00"`,
		f + `17: organisations[0].rotas[0].handovers[2]: "fri 17:00" is listed twice`,
		f + `17: organisations[0].rotas[0].handovers[3]: "funday 17:00" is not a handover; use "HH:MM" (daily) or e.g. "fri 17:00" (weekly; days: mon tue wed thu fri sat sun)`,
		f + `18: organisations[0].rotas[0].people[1]: "z-9" is not a person of acme; people: a-1`,
		f + `20: organisations[0].rotas[0].overrides[0].to: 2026-04-06 20:00 is not after from (2026-04-07 08:00); an override must have a length`,
		f + `21: organisations[0].rotas[0].overrides[1].person: "y-1" is not a person of acme; people: a-1`,
		f + `21: organisations[0].rotas[0].overrides[1].from: "2026-04-07" is not a local date and time; use "YYYY-MM-DD HH:MM" in the rota's time zone`,
		f + `22: organisations[0].rotas[1].id: duplicate rota id "weekly" in acme`,
		f + `22: organisations[0].rotas[1].service_options[0]: "parking" is not a service option of acme`,
		f + `22: organisations[0].rotas[1].rotation: unknown rotation "fortnightly"; use weekly or daily`,
		f + `25: organisations[0].escalation_policies[0].repeat: must be 0 to 9 (extra passes over the steps), not 12`,
		f + `27: organisations[0].escalation_policies[0].steps[0].delay: "-5m" is negative; a delay is 0s or more, e.g. 15m`,
		f + `27: organisations[0].escalation_policies[0].steps[0].targets[0].rota: "nightly" is not a rota of acme; rotas: weekly`,
		f + `28: organisations[0].escalation_policies[0].steps[1].delay: "10 minutes" is not a duration; use a Go duration such as 15m, or 0s`,
		f + `28: organisations[0].escalation_policies[0].steps[1].targets[0]: a target is exactly one of rota: ID, person: ID, duty_managers: true, slack_channel: NAME`,
		f + `28: organisations[0].escalation_policies[0].steps[1].targets[1].slack_channel: "Acme OOH" is not a Slack channel name; use lower case, digits, - and _, e.g. "#acme-ooh"`,
		f + `29: organisations[0].escalation_policies[1].id: duplicate escalation policy id "default" in acme`,
		f + `29: organisations[0].escalation_policies[1].id: acme's default policy is already "default"; give this one service_options`,
		f + `30: organisations[0].escalation_policies[1].steps: missing; a policy has at least one step, e.g. [{targets: [{rota: ROTA}], delay: 15m}]`,
		f + `32: organisations[0].escalation_policies[2].service_options[1]: noise already has escalation policy "noisy"; a service option has one policy`,
		f + `34: colour: unknown field; valid here: targets, delay`,
		f + `34: organisations[0].escalation_policies[2].steps[0].targets[0]: a target is exactly one of rota: ID, person: ID, duty_managers: true, slack_channel: NAME`,
		f + `42: organisations[1].people[0].id: duplicate person id "a-1" (already a person of acme); person ids are unique in the catalogue`,
	}
	got := strings.Split(err.Error(), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(err.Error(), "07700 900001") {
		t.Error("a problem echoes a phone number")
	}
}

func FuzzParseOnCall(f *testing.F) {
	// Small seeds: coverage-guided fuzzing of the 2 KB testdata files
	// stalls in the fuzzing engine (a few execs in 30 s, also for Parse
	// alone), so the seeds hold just one of each on-call construct.
	f.Add([]byte(`organisations:
  - id: a
    name: A
    service_options: [{id: s, standards: [{standard: gold, from: "2026-01-01"}]}]
    access_numbers: [{number: "+442079460999", service_options: ["*"]}]
    people: [{id: p-1, name: P, sms: "+447700900001"}, {id: q-1, name: Q}]
    rotas:
      - {id: r, rotation: weekly, handovers: ["fri 17:00"], people: [p-1, q-1], start: "2026-03-20",
         overrides: [{person: q-1, from: "2026-03-29 00:30", to: "2026-03-29 03:00"}]}
      - {id: d, rotation: daily, handovers: ["01:30", "17:00"], people: [q-1, p-1], start: "2026-03-28"}
    escalation_policies:
      - {id: x, repeat: 1, steps: [{targets: [{rota: r}, {slack_channel: "#a"}], delay: 5m}, {targets: [{rota: d}]}]}
`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		at := london(t, "2026-03-29 01:30")
		for _, po := range c.POIDs() {
			p, _ := c.PO(po)
			for _, r := range p.Rotas {
				c.OnCall(po, r.ID, at)
			}
			c.Gaps(po, at, at.AddDate(0, 0, 14))
			for _, so := range p.ServiceOptions {
				if plan := c.Plan(po, so.ID, at); len(plan) == 0 || !plan[len(plan)-1].CatchAll {
					t.Fatalf("plan for %s/%s does not end with the catch-all", po, so.ID)
				}
			}
		}
	})
}

func errorsAs(err error, target *Problems) bool { return errors.As(err, target) }

// A contact given as a list is a problem with its line, and decoding goes
// on to find the rest.
func TestInvalidContactShape(t *testing.T) {
	_, err := Load("testdata/rota-invalid-shape.yaml")
	want := "testdata/rota-invalid-shape.yaml:7: organisations[0].people[0].sms: must be a single value, not a list\n" +
		"testdata/rota-invalid-shape.yaml:9: colour: unknown field; valid here: id, service_options, sub_category, time_zone, rotation, handovers, people, start, overrides"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}
