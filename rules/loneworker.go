package rules

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

// Lone-worker backstop alert names. The timers and the escalation run in
// the lone-worker service (exporters/loneworker); these page the provider's
// duty managers when that service is down or not evaluating.
const (
	alertLWTimersStalled  = "LoneWorkerTimersStalled"
	alertLWServiceDown    = "LoneWorkerServiceDown"
	alertLWAlarmNotRaised = "LoneWorkerAlarmNotRaised"
	alertLWTickErrors     = "LoneWorkerTickErrors"
	alertLWMetricsAbsent  = "LoneWorkerMetricsAbsent"
)

// Input metrics of the lone-worker service, on the notifier's /metrics
// (exporters/loneworker/metrics.go, docs/METRICS.md).
const (
	mLWSessions   = "loneworker_sessions"
	mLWLastTick   = "loneworker_last_tick_timestamp_seconds"
	mLWTickErrors = "loneworker_tick_errors_total"
)

// GenerateLoneworker renders loneworker.rules.yml: LoneWorkerTimersStalled,
// LoneWorkerServiceDown, LoneWorkerAlarmNotRaised and LoneWorkerTickErrors
// (critical), and LoneWorkerMetricsAbsent (critical) when the catalogue
// has a lone-worker staff group. None carries a po label: they route to
// the provider's duty managers; the groups with sessions are named in the
// description.
func GenerateLoneworker(c *catalog.Catalog, cfg LoneworkerConfig) ([]byte, error) {
	d, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	var table bytes.Buffer
	for _, id := range c.POIDs() {
		p, _ := c.PO(id)
		for _, g := range p.StaffGroups() {
			ext := "no extension"
			if n := g.Extensions(); n > 0 {
				ext = fmt.Sprintf("up to %d extension(s)", n)
			}
			fmt.Fprintf(&table, "#   %-20s %-22s sessions %s by default, at most %s, %s, reminder %s before, alarm by policy %s\n",
				id, g.ID, exactDuration(g.Default()), exactDuration(g.Max()), ext, exactDuration(g.Reminder()), g.EscalationPolicy)
		}
	}
	g := group{Name: "slawatch-loneworker"}
	g.Rules = append(g.Rules, lwTimersStalled(cfg, d), lwServiceDown(cfg), lwAlarmNotRaised(cfg), lwTickErrors(cfg))
	if table.Len() > 0 {
		g.Rules = append(g.Rules, lwMetricsAbsent(cfg))
	}

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%s; do not edit\n", generatedMarker, filepath.Base(c.Source))
	buf.WriteString(loneworkerComment(cfg))
	if table.Len() > 0 {
		buf.WriteString("# Staff groups (catalogue lone_worker; the timers run in the service):\n")
		buf.Write(table.Bytes())
	} else {
		buf.WriteString("# The catalogue has no lone-worker staff group: LoneWorkerMetricsAbsent is not generated.\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(ruleFile{Groups: []group{g}}); err != nil {
		return nil, fmt.Errorf("lone-worker rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("lone-worker rules: %w", err)
	}
	return buf.Bytes(), nil
}

func loneworkerComment(cfg LoneworkerConfig) string {
	r := strings.NewReplacer(
		"{job}", cfg.Job, "{window}", cfg.Window, "{stale}", cfg.TickStale, "{stalledFor}", cfg.StalledFor,
		"{downFor}", cfg.ServiceDownFor, "{overdueFor}", cfg.OverdueFor, "{errWindow}", cfg.TickErrorsWindow,
		"{errFor}", cfg.TickErrorsFor, "{absentFor}", cfg.AbsentFor)
	var b strings.Builder
	b.WriteString("#\n")
	for _, para := range loneworkerDesign {
		text := r.Replace(para)
		if rest, ok := strings.CutPrefix(text, "- "); ok {
			b.WriteString(wrapComment(rest, "# - ", "#   "))
		} else {
			b.WriteString(wrapComment(text, "# ", "# "))
		}
	}
	return b.String()
}

// loneworkerDesign is the generated file's header, a paragraph or "- "
// item each, with {placeholders} for the configured thresholds.
var loneworkerDesign = []string{
	`Lone-worker backstop alerts (SPEC.md "Lone-worker support"). The timers and the escalation run in the ` +
		`lone-worker service inside the notifier (slawatch notify, scrape job {job}), not here: it claims due reminders ` +
		`and alarms every tick (about 1 s) and pages the staff group's escalation policy itself. These alerts page ` +
		`only when that service is down or not evaluating while officers are out. A missed alarm can cost a life, ` +
		`so they are quick, but each threshold is set so that a healthy system and a restart (the series are back ` +
		`within seconds) never page:`,
	`- LoneWorkerTimersStalled (critical): sessions were open when last seen and the newest completed tick is ` +
		`over {stale} old, for {stalledFor}. Both come from last_over_time(...[{window}]): when the notifier is down ` +
		`its series go stale and the last known values stand in. The tick gauge is set only after a tick without ` +
		`error (0 before the first), so this fires when the service is down, stuck, or failing every tick. ` +
		`Sessions are the max across notifier instances (all read one store), summed over states; the tick is the ` +
		`newest of any instance (any one claims every group's alarms). {stale}: a 1 s tick scraped every 15 s is at ` +
		`most ~17 s old, ~32 s after a missed scrape, and a restart's gap is seconds. {stalledFor} more (two or ` +
		`more evaluations) so that one odd sample does not page. A dead service pages about {stale} + {stalledFor} ` +
		`after its last tick.`,
	`- LoneWorkerServiceDown (critical, per instance): up{job="{job}"} == 0 for {downFor} while a session was ` +
		`open at some point in the last {window} (max_over_time): nothing watches the deadlines, and check-ins ` +
		`and check-outs through the notifier fail. A restart is one or two failed scrapes, under {downFor}.`,
	`- LoneWorkerAlarmNotRaised (critical): a session past its deadline with its alarm not raised (state ` +
		`overdue) for {overdueFor}. Each tick claims the due alarms before it sets the gauge, so a healthy service ` +
		`shows one for a tick at most; a lasting one means alarms are not being claimed although ticks may ` +
		`succeed. The least across instances: one healthy instance that raised the alarm is enough.`,
	`- LoneWorkerTickErrors (critical): failed ticks (store or pager errors) in every {errWindow} window for ` +
		`{errFor}: failing again and again, even if some ticks succeed in between (so LoneWorkerTimersStalled may ` +
		`not fire). One failed tick (a store blip, a failover) or a rare one does not page.`,
	`- LoneWorkerMetricsAbsent (critical; only when the catalogue has a lone-worker staff group): no ` +
		`loneworker_last_tick_timestamp_seconds at all for {absentFor}: the service runs nowhere Prometheus ` +
		`scrapes (not started, the notifier not scraped, or down longer than {window}, when the alerts above have ` +
		`forgotten its sessions). A restart brings the gauge back within seconds; {absentFor} also rides over a ` +
		`redeploy.`,
	`None carries a po label (or an officer): they route to the provider's duty managers ` +
		`(provider-duty-manager), whose service it is, not to a PO's rota; the description names the ` +
		`po/staff_group with sessions.`,
}

// wrapComment wraps text into comment lines of at most 78 characters, the
// first starting with first and the rest with cont.
func wrapComment(text, first, cont string) string {
	const width = 78
	var b strings.Builder
	line := first
	fresh := true
	for _, w := range strings.Fields(text) {
		if !fresh && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line, fresh = cont, true
		}
		if !fresh {
			line += " "
		}
		line += w
		fresh = false
	}
	b.WriteString(line + "\n")
	return b.String()
}

// lwOpen is the number of open sessions per po and staff_group, last known
// within the window: the max across instances for each state, summed.
func lwOpen(cfg LoneworkerConfig) string {
	return fmt.Sprintf("sum by (po, staff_group) (max by (po, staff_group, state) (last_over_time(%s[%s])))", mLWSessions, cfg.Window)
}

// lwGroups is a description fragment naming each po/staff_group of the
// query's result with its value, in po then staff_group order: "haringey/
// anti_social_behaviour 1, haringey/enforcement 2".
func lwGroups(query string) string {
	return "{{ range $i, $g := query `" + query + "` | sortByLabel \"staff_group\" | sortByLabel \"po\" }}" +
		"{{ if $i }}, {{ end }}{{ $g.Labels.po }}/{{ $g.Labels.staff_group }} {{ $g.Value }}{{ end }}"
}

func lwTimersStalled(cfg LoneworkerConfig, d loneworkerDurations) rule {
	open := lwOpen(cfg)
	return rule{
		Alert: alertLWTimersStalled,
		Expr: fmt.Sprintf("sum(max by (po, staff_group, state) (last_over_time(%s[%s]))) > 0\nand on ()\ntime() - max(last_over_time(%s[%s])) > %s",
			mLWSessions, cfg.Window, mLWLastTick, cfg.Window, num(d.tickStale.Seconds())),
		For:    cfg.StalledFor,
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "lone-worker timers stalled with {{ $value }} session(s) open",
			"description": fmt.Sprintf("The lone-worker timers have not completed a tick for over %s (the notifier is down, stuck, or every tick fails) "+
				"while {{ $value }} session(s) were open when last seen: by po/staff_group (sessions) %s. "+
				"Nobody is watching these officers' deadlines: no reminder and no alarm will go out. "+
				"Run `slawatch loneworker list` and phone each officer with an open session; restart `slawatch notify` "+
				"(sessions are in the store; overdue alarms are raised on its first tick).",
				exactDuration(d.tickStale+d.stalledFor), lwGroups(open+" > 0")),
		},
	}
}

func lwServiceDown(cfg LoneworkerConfig) rule {
	recent := fmt.Sprintf("max by (po, staff_group) (max_over_time(%s[%s]))", mLWSessions, cfg.Window)
	return rule{
		Alert:  alertLWServiceDown,
		Expr:   fmt.Sprintf("up{job=%q} == 0\nand on ()\nmax(max_over_time(%s[%s])) > 0", cfg.Job, mLWSessions, cfg.Window),
		For:    cfg.ServiceDownFor,
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "the notifier {{ $labels.instance }} running the lone-worker service is down",
			"description": fmt.Sprintf("Prometheus has failed to scrape the notifier (job %s) at {{ $labels.instance }} for %s, "+
				"and lone-worker sessions were open in the last %s: by po/staff_group (most open) %s. "+
				"Its lone-worker timers are not running and check-ins or check-outs through it fail. "+
				"Run `slawatch loneworker list`, phone each officer with an open session, and restart `slawatch notify`.",
				cfg.Job, cfg.ServiceDownFor, cfg.Window, lwGroups(recent+" > 0")),
		},
	}
}

func lwAlarmNotRaised(cfg LoneworkerConfig) rule {
	overdue := fmt.Sprintf("min by (po, staff_group) (%s{state=\"overdue\"})", mLWSessions)
	return rule{
		Alert:  alertLWAlarmNotRaised,
		Expr:   fmt.Sprintf("sum(%s) > 0", overdue),
		For:    cfg.OverdueFor,
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "{{ $value }} lone-worker session(s) past the deadline without an alarm",
			"description": fmt.Sprintf("{{ $value }} lone-worker session(s) have been past their deadline for over %s without their alarm being raised: "+
				"by po/staff_group %s. The timers claim due alarms every second, so they are not being claimed and nobody has been paged. "+
				"Run `slawatch loneworker list`, phone each overdue officer now and follow the staff group's escalation by hand; "+
				"then check the notifier's log.",
				cfg.OverdueFor, lwGroups(overdue+" > 0")),
		},
	}
}

func lwTickErrors(cfg LoneworkerConfig) rule {
	return rule{
		Alert:  alertLWTickErrors,
		Expr:   fmt.Sprintf("sum(increase(%s[%s])) > 0", mLWTickErrors, cfg.TickErrorsWindow),
		For:    cfg.TickErrorsFor,
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "lone-worker timer ticks keep failing",
			"description": fmt.Sprintf("Lone-worker timer ticks have failed in every %s for %s ({{ $value | printf \"%%.0f\" }} in the last %s): "+
				"the store or the pager refuses them, so reminders, alarms or their pages may be late or missing. "+
				"Check the notifier's log (lone-worker tick errors) and the store; run `slawatch loneworker list` and phone any officer past their deadline.",
				cfg.TickErrorsWindow, cfg.TickErrorsFor, cfg.TickErrorsWindow),
		},
	}
}

func lwMetricsAbsent(cfg LoneworkerConfig) rule {
	return rule{
		Alert:  alertLWMetricsAbsent,
		Expr:   fmt.Sprintf("absent(%s)", mLWLastTick),
		For:    cfg.AbsentFor,
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "the lone-worker service is not running",
			"description": fmt.Sprintf("No %s has been scraped for %s: the lone-worker service is not running in any notifier Prometheus scrapes "+
				"(not started, the notifier not scraped as job %s, or down for longer than %s). The catalogue has lone-worker staff groups, "+
				"so officers may be out with nobody watching their deadlines. Start `slawatch notify`, then run `slawatch loneworker list`.",
				mLWLastTick, cfg.AbsentFor, cfg.Job, cfg.Window),
		},
	}
}
