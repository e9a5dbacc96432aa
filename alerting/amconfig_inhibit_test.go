package alerting

import (
	"testing"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/common/model"
)

// muted applies Alertmanager's inhibition rules (inhibit.NewInhibitRule:
// its parsed source and target matchers and equal labels) as its
// Inhibitor.Mutes does: a firing source alert, other than the target
// itself, with the same values of the equal labels silences the target.
func muted(rules []*inhibit.InhibitRule, firing []model.LabelSet, target model.LabelSet) bool {
	for _, r := range rules {
		if !r.TargetMatchers.Matches(target) {
			continue
		}
	sources:
		for _, src := range firing {
			if src.Equal(target) || !r.SourceMatchers.Matches(src) {
				continue
			}
			for l := range r.Equal {
				if src[l] != target[l] {
					continue sources
				}
			}
			return true
		}
	}
	return false
}

func inhibitRulesOf(cfg *config.Config) []*inhibit.InhibitRule {
	var out []*inhibit.InhibitRule
	for _, r := range cfg.InhibitRules {
		out = append(out, inhibit.NewInhibitRule(r))
	}
	return out
}

func TestInhibition(t *testing.T) {
	c := loadExample(t)
	rules := inhibitRulesOf(loadAM(t, generate(t, c, AMConfig{Now: fixedNow})))
	dead := func(po, number string) model.LabelSet {
		return labelSet("alertname", "LineTestFailed", "po", po, "access_number", number, "severity", "critical")
	}
	sla := func(name, po, option string) model.LabelSet {
		sev := "page"
		if name == "SLAAtRisk" {
			sev = "warning"
		}
		return labelSet("alertname", name, "po", po, "service_option", option, "severity", sev)
	}
	for _, tc := range []struct {
		name   string
		firing []model.LabelSet
		target model.LabelSet
		want   bool
	}{
		{"dead main line silences its option's breach", []model.LabelSet{dead("ealing", "+442079460001")}, sla("SLABreached", "ealing", "noise_patrol"), true},
		{"dead main line silences its option's warning", []model.LabelSet{dead("ealing", "+442079460001")}, sla("SLAAtRisk", "ealing", "trees"), true},
		{"an option on a second live line keeps alerting", []model.LabelSet{dead("ealing", "+442079460001")}, sla("SLABreached", "ealing", "social_services_emergencies"), false},
		{"dead second line: the option still has the main line", []model.LabelSet{dead("ealing", "+442079460002")}, sla("SLABreached", "ealing", "social_services_emergencies"), false},
		{"another PO's dead line silences nothing here", []model.LabelSet{dead("peabody", "+442079460003")}, sla("SLABreached", "ealing", "trees"), false},
		{"a number of another PO named under this po matches nothing", []model.LabelSet{dead("ealing", "+442079460003")}, sla("SLABreached", "ealing", "trees"), false},
		{"rbkc main line dead, noise has its own line", []model.LabelSet{dead("rbkc", "+442079460014")}, sla("SLABreached", "rbkc", "noise_patrol"), false},
		{"rbkc main line dead, cctv silenced", []model.LabelSet{dead("rbkc", "+442079460014")}, sla("SLABreached", "rbkc", "cctv"), true},
		{"a dead line never silences the line alert itself", []model.LabelSet{dead("ealing", "+442079460001")}, dead("ealing", "+442079460002"), false},
		{"exporter down silences its source silence", []model.LabelSet{labelSet("alertname", "ExporterDown", "job", "telephony")}, labelSet("alertname", "SourceSilent", "job", "telephony", "source", "acd"), true},
		{"exporter absent silences its source silence", []model.LabelSet{labelSet("alertname", "ExporterAbsent", "job", "crm")}, labelSet("alertname", "SourceSilent", "job", "crm", "source", "crm_db"), true},
		{"another job's exporter down does not", []model.LabelSet{labelSet("alertname", "ExporterDown", "job", "crm")}, labelSet("alertname", "SourceSilent", "job", "telephony", "source", "acd"), false},
		{"exporter down does not hide SLA breaches", []model.LabelSet{labelSet("alertname", "ExporterDown", "job", "telephony")}, sla("SLABreached", "rbkc", "cctv"), false},
		{"breach silences at-risk of the same option", []model.LabelSet{sla("SLABreached", "rbkc", "parking")}, labelSet("alertname", "SLAAtRisk", "po", "rbkc", "service_option", "parking", "severity", "warning", "reason", "daily"), true},
		{"breach leaves another option's at-risk", []model.LabelSet{sla("SLABreached", "rbkc", "parking")}, sla("SLAAtRisk", "rbkc", "cctv"), false},
		{"breach leaves another PO's at-risk", []model.LabelSet{sla("SLABreached", "rbkc", "parking")}, sla("SLAAtRisk", "ealing", "parking"), false},
		{"at-risk never silences a breach", []model.LabelSet{sla("SLAAtRisk", "rbkc", "parking")}, sla("SLABreached", "rbkc", "parking"), false},
		{"lone-worker service down silences its stalled timers", []model.LabelSet{labelSet("alertname", "LoneWorkerServiceDown", "job", "notifier", "instance", "n:9095")},
			labelSet("alertname", "LoneWorkerTimersStalled", "severity", "critical"), true},
		{"stalled timers alone page", nil, labelSet("alertname", "LoneWorkerTimersStalled", "severity", "critical"), false},
		{"lone-worker service down does not hide a pager stall", []model.LabelSet{labelSet("alertname", "LoneWorkerServiceDown", "job", "notifier")},
			labelSet("alertname", "PagerStalled", "job", "notifier"), false},
		{"nothing silences the watchdog", []model.LabelSet{dead("ealing", "+442079460001"), labelSet("alertname", "ExporterDown", "job", "telephony")}, labelSet("alertname", "Watchdog"), false},
	} {
		if got := muted(rules, tc.firing, tc.target); got != tc.want {
			t.Errorf("%s: muted %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Every option of every PO is silenced by a dead line exactly when one
// line alone carries it.
func TestDeadLineCoversExactlyTheLoneOptions(t *testing.T) {
	c := loadExample(t)
	rules := inhibitRulesOf(loadAM(t, generate(t, c, AMConfig{Now: fixedNow})))
	for _, p := range c.Organisations {
		for _, so := range p.ServiceOptions {
			var lines []string
			for i := range p.AccessNumbers {
				if p.AccessNumbers[i].Serves(so.ID) {
					lines = append(lines, p.AccessNumbers[i].Number)
				}
			}
			for _, n := range lines {
				src := labelSet("alertname", "LineTestFailed", "po", p.ID, "access_number", n)
				got := muted(rules, []model.LabelSet{src}, labelSet("alertname", "SLABreached", "po", p.ID, "service_option", so.ID, "severity", "page"))
				if want := len(lines) == 1; got != want {
					t.Errorf("%s %s dead, %s (served by %v): muted %v, want %v", p.ID, n, so.ID, lines, got, want)
				}
			}
		}
	}
}
