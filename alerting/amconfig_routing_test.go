package alerting

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"
)

func labelSet(kv ...string) model.LabelSet {
	ls := model.LabelSet{}
	for i := 0; i+1 < len(kv); i += 2 {
		ls[model.LabelName(kv[i])] = model.LabelValue(kv[i+1])
	}
	return ls
}

// Routing as Alertmanager's dispatcher does it (dispatch.Route.Match):
// which route(s) an alert lands on, with their receiver, timers and
// active time intervals.
func TestRouting(t *testing.T) {
	c := loadExample(t)
	cfg := loadAM(t, generate(t, c, AMConfig{Now: fixedNow}))
	tree := dispatch.NewRoute(cfg.Route, nil)
	type want struct {
		receiver string
		wait     time.Duration
		repeat   time.Duration
		active   string // active time interval, "" for none
	}
	page := func(po string) want { return want{POReceiver(po), 5 * time.Second, time.Hour, ""} }
	warn := func(po string) want { return want{POReceiver(po), time.Minute, 4 * time.Hour, InServiceInterval(po)} }
	provider := want{ProviderReceiver, 30 * time.Second, 4 * time.Hour, ""}
	cases := []struct {
		name   string
		labels model.LabelSet
		want   want
	}{
		{"breach pages rbkc", labelSet("alertname", "SLABreached", "po", "rbkc", "service_option", "parking", "severity", "page"), page("rbkc")},
		{"at-risk warns ealing in hours", labelSet("alertname", "SLAAtRisk", "po", "ealing", "service_option", "trees", "severity", "warning", "reason", "daily"), warn("ealing")},
		{"critical line test pages enfield", labelSet("alertname", "LineTestFailed", "po", "enfield", "access_number", "+442079460010", "severity", "critical"), page("enfield")},
		{"exporter down goes to the provider", labelSet("alertname", "ExporterDown", "job", "telephony", "severity", "page"), provider},
		{"source silent goes to the provider", labelSet("alertname", "SourceSilent", "job", "telephony", "source", "acd", "severity", "warning"), provider},
		{"watchdog", labelSet("alertname", "Watchdog", "severity", "none"), want{WatchdogReceiver, 0, time.Minute, ""}},
		{"unknown po goes to the provider", labelSet("alertname", "SLABreached", "po", "atlantis", "severity", "page"), provider},
		{"po alert without severity: the PO with default timers", labelSet("alertname", "CallSurge", "po", "barnet"), want{POReceiver("barnet"), 30 * time.Second, 4 * time.Hour, ""}},
	}
	for _, po := range c.POIDs() {
		cases = append(cases,
			struct {
				name   string
				labels model.LabelSet
				want   want
			}{"page " + po, labelSet("alertname", "SLABreached", "po", po, "severity", "page"), page(po)},
			struct {
				name   string
				labels model.LabelSet
				want   want
			}{"warning " + po, labelSet("alertname", "SLAAtRisk", "po", po, "severity", "warning"), warn(po)},
		)
	}
	for _, tc := range cases {
		routes := tree.Match(tc.labels)
		if len(routes) != 1 {
			t.Errorf("%s: %d routes, want exactly 1", tc.name, len(routes))
			continue
		}
		o := routes[0].RouteOpts
		active := strings.Join(o.ActiveTimeIntervals, ",")
		if o.Receiver != tc.want.receiver || o.GroupWait != tc.want.wait || o.RepeatInterval != tc.want.repeat || active != tc.want.active {
			t.Errorf("%s: receiver %s wait %v repeat %v active [%s]; want %+v", tc.name, o.Receiver, o.GroupWait, o.RepeatInterval, active, tc.want)
		}
		if len(o.MuteTimeIntervals) != 0 {
			t.Errorf("%s: mute intervals %v, want none", tc.name, o.MuteTimeIntervals)
		}
		var by []string
		for l := range o.GroupBy {
			by = append(by, string(l))
		}
		sort.Strings(by)
		if strings.Join(by, ",") != "alertname,po,service_option" {
			t.Errorf("%s: group_by %v", tc.name, by)
		}
	}
}

// A warning is delivered only while its route's active time interval is
// on, as Alertmanager's TimeActiveStage decides with its Intervener; a
// page at the same instants always is.
func TestWarningsMutedOutsideServiceHours(t *testing.T) {
	c := loadExample(t)
	cfg := loadAM(t, generate(t, c, AMConfig{Now: fixedNow}))
	tree := dispatch.NewRoute(cfg.Route, nil)
	intervener := timeinterval.NewIntervener(intervalMap(cfg))
	london := c.Location()
	sends := func(ls model.LabelSet, at time.Time) bool {
		routes := tree.Match(ls)
		if len(routes) != 1 {
			t.Fatalf("%v: %d routes", ls, len(routes))
		}
		active := routes[0].RouteOpts.ActiveTimeIntervals
		if len(active) == 0 {
			return true
		}
		in, _, err := intervener.Mutes(active, at)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	warning := labelSet("alertname", "SLAAtRisk", "po", "ealing", "service_option", "trees", "severity", "warning")
	breach := labelSet("alertname", "SLABreached", "po", "ealing", "service_option", "trees", "severity", "page")
	for _, tc := range []struct {
		at   time.Time
		warn bool
	}{
		{time.Date(2026, 6, 10, 12, 0, 0, 0, london), false}, // Wednesday noon: PO's own staff
		{time.Date(2026, 6, 13, 3, 0, 0, 0, london), true},   // Saturday 03:00
		{time.Date(2026, 4, 6, 12, 0, 0, 0, london), true},   // Easter Monday
		{time.Date(2026, 12, 30, 12, 0, 0, 0, london), true}, // Christmas working day
	} {
		if got := sends(warning, tc.at); got != tc.warn {
			t.Errorf("warning at %s: sent %v, want %v", tc.at.Format(time.RFC3339), got, tc.warn)
		}
		if !sends(breach, tc.at) {
			t.Errorf("page at %s held back", tc.at.Format(time.RFC3339))
		}
	}
}

func intervalMap(cfg *config.Config) map[string][]timeinterval.TimeInterval {
	m := map[string][]timeinterval.TimeInterval{}
	for _, ti := range cfg.TimeIntervals {
		m[ti.Name] = ti.TimeIntervals
	}
	return m
}

// Every receiver posts to the notifier and reports resolution.
func TestReceiversAreNotifierWebhooks(t *testing.T) {
	c := loadExample(t)
	cfg := loadAM(t, generate(t, c, AMConfig{Now: fixedNow, NotifierURL: "http://notify:9095"}))
	names := map[string]bool{}
	for _, r := range cfg.Receivers {
		names[r.Name] = true
		if len(r.WebhookConfigs) != 1 || len(r.SlackConfigs)+len(r.EmailConfigs)+len(r.PagerdutyConfigs) != 0 {
			t.Errorf("receiver %s: want exactly one webhook and nothing else", r.Name)
			continue
		}
		w := r.WebhookConfigs[0]
		if string(w.URL) != "http://notify:9095/api/v1/alertmanager" || !w.SendResolved() {
			t.Errorf("receiver %s: url %v send_resolved %v", r.Name, w.URL, w.SendResolved())
		}
	}
	want := append([]string{ProviderReceiver, WatchdogReceiver}, c.POIDs()...)
	for i, n := range want[2:] {
		want[i+2] = POReceiver(n)
	}
	for _, n := range want {
		if !names[n] {
			t.Errorf("no receiver %s", n)
		}
	}
	if len(names) != len(want) {
		t.Errorf("%d receivers, want %d", len(names), len(want))
	}
}
