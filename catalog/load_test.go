package catalog

import (
	"errors"
	"strings"
	"testing"
)

func TestMinimalDefaults(t *testing.T) {
	c, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != "Europe/London" {
		t.Errorf("time zone default = %q", c.TimeZone)
	}
	p, _ := c.PO("acme")
	if p.Formula().Denominator != DenomOffered || p.MinVolume() != 10 {
		t.Errorf("formula %+v, min volume %d", p.Formula(), p.MinVolume())
	}
	if p.ServiceOptions[0].ReferralLimit.D.Minutes() != 10 {
		t.Errorf("referral limit default = %v, want 10m", p.ServiceOptions[0].ReferralLimit.D)
	}
	n, ok := c.Number("+442079460999")
	if !ok || n.PO() != p || len(n.Options()) != 2 || !n.Serves("housing_repairs") {
		t.Errorf("number lookup: ok=%v options=%v", ok, n.Options())
	}
	if *n.LineTest.ThresholdCallsPerHour != 2 || n.LineTest.Interval.D.Minutes() != 30 || n.LineTest.Grace.D.Minutes() != 5 {
		t.Errorf("line-test defaults: %+v", n.LineTest)
	}
	want := []float64{10, 15, 20, 30, 40, 60, 80, 90, 120, 180, 300, 600}
	if got := c.Buckets(); len(got) != len(want) {
		t.Errorf("buckets = %v, want %v", got, want)
	}
}

// Every bad catalogue gives every problem, each naming file, line, field
// and what would be valid.
func TestInvalidCatalogues(t *testing.T) {
	cases := map[string][]string{
		"invalid-unknown-field.yaml": {
			"invalid-unknown-field.yaml:5: colour: unknown field; valid here: id, name, kind, time_zone, yearly_calls, standards, sla_formula, min_calls_per_hour, referral_limit, hours, service_options, access_numbers, queues",
		},
		"invalid-many.yaml": {
			`invalid-many.yaml:2: time_zone: unknown time zone "Europe/Londres"; use an IANA name such as Europe/London`,
			`invalid-many.yaml:4: defaults.referral_limit: "ten minutes" is not a duration; use a positive Go duration such as 10m or 1h30m`,
			`invalid-many.yaml:6: organisations[0].id: PO id "Acme" must be lower-case letters, digits and _ and start with a letter`,
			`invalid-many.yaml:7: organisations[0].name: missing; give the organisation's name`,
			`invalid-many.yaml:11: organisations[0].service_options[0].standards[0].standard: unknown standard "golden"; valid: platinum, gold, silver, bronze`,
			`invalid-many.yaml:12: organisations[0].service_options[0].standards[1].from: 2025-12-01 is not after the previous change (2026-01-01); list changes oldest first`,
			`invalid-many.yaml:13: organisations[0].service_options[1].id: duplicate service option "noise" in Acme`,
			`invalid-many.yaml:14: organisations[0].service_options[1].standards[0].from: "2026-13-01" is not a date; use YYYY-MM-DD`,
			`invalid-many.yaml:16: organisations[0].access_numbers[0].number: "020 7946 0999" is not an E.164 number`,
			`invalid-many.yaml:16: organisations[0].access_numbers[0].service_options[1]: "parking" is not a service option of Acme`,
			`invalid-many.yaml:18: organisations[0].queues[0].service_option: "parking" is not a service option of Acme`,
			`invalid-many.yaml:18: organisations[0].queues[0].access_number: "+442079460111" is not an access number of Acme`,
			`invalid-many.yaml:21: organisations[0].hours.weekly[0]: from and to are the same instant`,
			`invalid-many.yaml:22: organisations[0].hours.weekly[1].from: "funday 17:00" is not a day and time`,
		},
		"invalid-duplicate-number.yaml": {
			`invalid-duplicate-number.yaml:6: organisations[0].service_options[1]: parking is served by none of acme's access numbers`,
			`invalid-duplicate-number.yaml:12: organisations[1].standards.platinum: platinum must be Gold or stricter`,
			`invalid-duplicate-number.yaml:13: organisations[1].sla_formula.short_abandon_seconds: must be a positive number of seconds with denominator offered_minus_short_abandons`,
			`invalid-duplicate-number.yaml:17: organisations[1].access_numbers[0].number: +442079460999 is already an access number of acme; a number belongs to one PO`,
		},
	}
	for file, wants := range cases {
		t.Run(file, func(t *testing.T) {
			_, err := Load("testdata/" + file)
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("want Problems, got %v", err)
			}
			got := err.Error()
			for _, w := range wants {
				if !strings.Contains(got, "testdata/"+w) {
					t.Errorf("missing problem:\n  %s\ngot:\n%s", w, got)
				}
			}
			if len(probs) != len(wants) {
				t.Errorf("got %d problems, want %d:\n%s", len(probs), len(wants), got)
			}
		})
	}
}

func TestSyntaxErrorHasLine(t *testing.T) {
	_, err := Parse("bad.yaml", []byte("organisations:\n  - id: a\n    name: b: c\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "bad.yaml:3: ") {
		t.Fatalf("want a bad.yaml:3 error, got %v", err)
	}
}

func TestUnreachablePercent(t *testing.T) {
	_, err := Parse("x.yaml", []byte(`standards: {gold: {target_percent: 100}}
organisations:
  - id: a
    name: A
    service_options: [{id: s, standards: [{standard: gold, from: "2026-01-01"}]}]
    access_numbers: [{number: "+442079460999", service_options: ["*"]}]
`))
	if err == nil || !strings.Contains(err.Error(), "x.yaml:1: standards.gold.target_percent: must be between 1 and 99") {
		t.Fatalf("got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"organisations: []", "version: 2", "organisations:\n  - id: a\n    name: b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err == nil && c == nil {
			t.Fatal("nil catalogue without error")
		}
		if err != nil && c != nil {
			t.Fatal("catalogue with error")
		}
	})
}
