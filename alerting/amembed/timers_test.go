package amembed

import (
	"testing"
	"time"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
)

// The caps lower the long timers of the generated routes and keep the
// shorter ones, so the Watchdog still goes first.
func TestCapTimers(t *testing.T) {
	cat, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yml, err := alerting.GenerateAlertmanager(cat, alerting.AMConfig{})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := config.Load(string(yml))
	if err != nil {
		t.Fatal(err)
	}
	find := func(root *dispatch.Route, ls model.LabelSet) dispatch.RouteOpts {
		m := root.Match(ls)
		if len(m) != 1 {
			t.Fatalf("%v matches %d routes, want 1", ls, len(m))
		}
		return m[0].RouteOpts
	}
	page := model.LabelSet{"alertname": "SLABreached", "po": "rbkc", "severity": "page"}
	dog := model.LabelSet{"alertname": "Watchdog", "severity": "none"}

	root := dispatch.NewRoute(conf.Route, nil)
	if o := find(root, page); o.GroupWait != 5*time.Second || o.GroupInterval != time.Minute || o.RepeatInterval != time.Hour {
		t.Fatalf("generated page route timers %s/%s/%s changed: update this test", o.GroupWait, o.GroupInterval, o.RepeatInterval)
	}
	capTimers(root, Timers{GroupWait: time.Second, GroupInterval: 2 * time.Second})
	if o := find(root, page); o.GroupWait != time.Second || o.GroupInterval != 2*time.Second || o.RepeatInterval != time.Hour {
		t.Errorf("capped page route: %s/%s/%s, want 1s/2s/1h", o.GroupWait, o.GroupInterval, o.RepeatInterval)
	}
	if o := find(root, dog); o.GroupWait != 0 || o.GroupInterval != time.Second*2 || o.Receiver != alerting.WatchdogReceiver {
		t.Errorf("capped watchdog route: %s wait %s interval %s, want watchdog 0s 2s", o.Receiver, o.GroupWait, o.GroupInterval)
	}
	capTimers(root, Timers{})
	if o := find(root, page); o.GroupWait != time.Second {
		t.Errorf("zero Timers changed group_wait to %s", o.GroupWait)
	}
}
