package alerting

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/slawatch/slawatch/catalog"
)

// Timings of the generated routes. Pages go out at once and are repeated
// hourly until acknowledged or resolved (the notifier escalates in
// between); warnings wait a minute for their group to fill and repeat
// every 4 hours.
const (
	defaultGroupWait      = "30s"
	defaultGroupInterval  = "5m"
	defaultRepeatInterval = "4h"

	pageGroupWait      = "5s"
	pageGroupInterval  = "1m"
	pageRepeatInterval = "1h"

	warningGroupWait      = "1m"
	warningGroupInterval  = "5m"
	warningRepeatInterval = "4h"

	watchdogGroupWait      = "0s"
	watchdogGroupInterval  = "1m"
	watchdogRepeatInterval = "1m"
)

// Severities: "page" (SLA breaches) and "critical" (line tests, lone
// workers) go out whatever the time; "warning" only in service hours.
func pageSeverities() []string { return []string{"critical", "page"} }

const warningSeverity = "warning"

// groupBy keeps one notification per alert, PO and service option.
func groupBy() []string { return []string{"alertname", "po", "service_option"} }

// routeTree is the root route: Watchdog first, then one route per PO, and
// the provider's duty managers for everything else.
func routeTree(c *catalog.Catalog) amRoute {
	root := amRoute{
		Receiver:       ProviderReceiver,
		GroupBy:        groupBy(),
		GroupWait:      defaultGroupWait,
		GroupInterval:  defaultGroupInterval,
		RepeatInterval: defaultRepeatInterval,
	}
	root.Routes = append(root.Routes, amRoute{
		Receiver:       WatchdogReceiver,
		Matchers:       []string{eq("alertname", "Watchdog")},
		GroupWait:      watchdogGroupWait,
		GroupInterval:  watchdogGroupInterval,
		RepeatInterval: watchdogRepeatInterval,
		comment:        "Always firing: proves the whole alerting path works (dead-man's switch).",
	})
	for i := range c.Organisations {
		p := &c.Organisations[i]
		root.Routes = append(root.Routes, amRoute{
			Receiver: POReceiver(p.ID),
			Matchers: []string{eq("po", p.ID)},
			Routes: []amRoute{
				{
					Matchers:       []string{re("severity", pageSeverities()...)},
					GroupWait:      pageGroupWait,
					GroupInterval:  pageGroupInterval,
					RepeatInterval: pageRepeatInterval,
				},
				{
					Matchers:            []string{eq("severity", warningSeverity)},
					GroupWait:           warningGroupWait,
					GroupInterval:       warningGroupInterval,
					RepeatInterval:      warningRepeatInterval,
					ActiveTimeIntervals: []string{InServiceInterval(p.ID)},
				},
			},
			comment: fmt.Sprintf("%s: pages at once, warnings in service hours only.", p.Name),
		})
	}
	return root
}

func receivers(c *catalog.Catalog, cfg AMConfig) []amReceiver {
	hook := func(name, url string) amReceiver {
		return amReceiver{Name: name, WebhookConfigs: []amWebhook{{URL: url, SendResolved: true}}}
	}
	notifier := cfg.NotifierURL + WebhookPath
	out := []amReceiver{hook(ProviderReceiver, notifier), hook(WatchdogReceiver, cfg.WatchdogURL)}
	for _, id := range c.POIDs() {
		out = append(out, hook(POReceiver(id), notifier))
	}
	return out
}

// eq is the matcher name="value".
func eq(name, value string) string { return name + "=" + strconv.Quote(value) }

// re is the matcher name=~"v1|v2|..." over the literal values, sorted.
func re(name string, values ...string) string {
	vs := make([]string, len(values))
	for i, v := range values {
		vs[i] = regexp.QuoteMeta(v)
	}
	sort.Strings(vs)
	return name + "=~" + strconv.Quote(strings.Join(vs, "|"))
}
