package rules

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

func TestGenerateMailroom(t *testing.T) {
	c := loadExample(t)
	b, err := GenerateMailroom(c)
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Groups) != 1 || len(f.Groups[0].Rules) != 2 {
		t.Fatalf("groups: %+v", f.Groups)
	}
	for _, r := range f.Groups[0].Rules {
		if _, ok := r.Labels["po"]; ok || strings.Contains(r.Expr, "po") {
			t.Errorf("%s carries a po label: it must go to the provider's duty managers", r.Alert)
		}
		if !strings.Contains(r.Expr, "by (business_unit, region)") || r.Labels["severity"] != "warning" {
			t.Errorf("%s: %s %v", r.Alert, r.Expr, r.Labels)
		}
	}
	for _, want := range []string{"benefits             london, north_west, wales", "(working days 15 to 21 of"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("header lacks %q", want)
		}
	}
}

func TestGenerateMailroomNoMailRoom(t *testing.T) {
	c, err := catalog.Load("../catalog/testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := GenerateMailroom(c); b != nil || err != nil {
		t.Errorf("a catalogue without a mail room: %q %v", b, err)
	}
}

func TestMailroomConfigInvalid(t *testing.T) {
	_, err := GenerateMailroomWith(loadExample(t), MailroomConfig{HarmfulWindow: "an hour", MissingFor: "0s", Severity: "urgent"})
	for _, want := range []string{
		`HarmfulWindow "an hour" is not a positive Prometheus duration`,
		`MissingFor "0s" is not a positive Prometheus duration`,
		`Severity "urgent"; want warning, critical or page`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
