package rules

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every service option has its target share; abandon caps follow the
// standard (gold 5%, silver 10% in the example catalogue).
func TestTargetSeriesPerOption(t *testing.T) {
	c := loadExample(t)
	files, err := Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Organisations {
		p := &c.Organisations[i]
		var f ruleFile
		if err := yaml.Unmarshal(files[FileName(p.ID)], &f); err != nil {
			t.Fatal(err)
		}
		targets := map[string]rule{}
		limits := map[string]rule{}
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				switch r.Record {
				case TargetRatioName:
					targets[r.Labels["service_option"]] = r
				case AbandonedLimitName:
					limits[r.Labels["service_option"]] = r
				}
			}
		}
		for _, so := range p.ServiceOptions {
			r, ok := targets[so.ID]
			if !ok {
				t.Errorf("%s/%s: no %s", p.ID, so.ID, TargetRatioName)
				continue
			}
			if r.Labels["po"] != p.ID || r.Expr != "vector(0.8)" {
				t.Errorf("%s/%s: target rule %+v, want vector(0.8) with po=%s", p.ID, so.ID, r, p.ID)
			}
			want := map[string]string{"gold": "vector(0.05)", "silver": "vector(0.1)"}[r.Labels["standard"]]
			if got := limits[so.ID].Expr; want != "" && got != want {
				t.Errorf("%s/%s (%s): abandon limit %q, want %q", p.ID, so.ID, r.Labels["standard"], got, want)
			}
			if strings.TrimSpace(r.Labels["standard"]) == "" {
				t.Errorf("%s/%s: no standard label", p.ID, so.ID)
			}
		}
	}
}
