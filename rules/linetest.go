package rules

import (
	"bytes"
	"fmt"
	"path/filepath"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

// Line-test alert names. LineTestFailed is also the source of the
// Alertmanager inhibit rules (alerting/amconfig_inhibit.go), which match it
// on its po and access_number labels.
const (
	alertLineTestFailed       = "LineTestFailed"
	alertLineTestMissing      = "LineTestMissing"
	alertHandoverTestMissing  = "HandoverTestMissing"
	alertLineTestProberDown   = "LineTestProberDown"
	alertLineTestProberAbsent = "LineTestProberAbsent"
)

// Input metrics of the line-test prober (DESIGN.md, docs/METRICS.md); each
// carries po and access_number.
const (
	mLTLastRunSuccess      = "linetest_last_run_success"
	mLTLastSuccess         = "linetest_last_success_timestamp_seconds"
	mLTRequired            = "linetest_required"
	mLTLastHandover        = "linetest_last_handover_timestamp_seconds"
	mLTLastHandoverSuccess = "linetest_last_handover_success_timestamp_seconds"
	mProcessStart          = "process_start_time_seconds"
)

// GenerateLinetest renders linetest.rules.yml: LineTestFailed (one rule,
// critical, at once), LineTestMissing per access number (critical, after
// the number's interval + grace), HandoverTestMissing per number with a
// handover test (critical, after its grace), and LineTestProberDown and
// LineTestProberAbsent (page) on the prober's scrape.
func GenerateLinetest(c *catalog.Catalog, cfg LinetestConfig) ([]byte, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	g := group{Name: "slawatch-linetest"}
	g.Rules = append(g.Rules, lineTestFailed())
	var table bytes.Buffer
	for i := range c.Organisations {
		p := &c.Organisations[i]
		for j := range p.AccessNumbers {
			n := &p.AccessNumbers[j]
			lt := n.LineTest
			if lt.Interval.D <= 0 || lt.Grace.D <= 0 {
				return nil, fmt.Errorf("line-test rules: %s number %s: interval %s and grace %s must be positive", p.ID, n.Number, lt.Interval.D, lt.Grace.D)
			}
			g.Rules = append(g.Rules, lineTestMissing(p, n))
			handover := "no handover test"
			if lt.HandoverTest != nil && *lt.HandoverTest {
				g.Rules = append(g.Rules, handoverTestMissing(p, n))
				handover = "HandoverTestMissing after " + exactDuration(lt.Grace.D)
			}
			threshold := 0
			if lt.ThresholdCallsPerHour != nil {
				threshold = *lt.ThresholdCallsPerHour
			}
			fmt.Fprintf(&table, "#   %-20s %-14s under %d calls/h: every %s, LineTestMissing after %s; %s\n",
				p.ID, n.Number, threshold, exactDuration(lt.Interval.D), exactDuration(lt.Interval.D+lt.Grace.D), handover)
		}
	}
	g.Rules = append(g.Rules, proberDown(cfg), proberAbsent(cfg))

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%s; do not edit\n", generatedMarker, filepath.Base(c.Source))
	buf.WriteString(linetestComment)
	buf.WriteString("# Access numbers (catalogue line_test settings):\n")
	buf.Write(table.Bytes())
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(ruleFile{Groups: []group{g}}); err != nil {
		return nil, fmt.Errorf("line-test rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("line-test rules: %w", err)
	}
	return buf.Bytes(), nil
}

const linetestComment = `#
# Line-test alerts: the heartbeat of every publicly advertised number
# (SPEC.md "Line tests"), from the line-test prober's metrics.
# - LineTestFailed (critical, at once): the number's latest test call failed
#   (did not connect, or connected but never reached the queue). Keeps po
#   and access_number: Alertmanager inhibits the SLA alerts of the service
#   options only that number serves while it fires.
# - LineTestMissing (critical, per number): no test has passed within
#   interval + grace while tests have been required (demand under the
#   threshold in service hours) throughout the last grace. The prober may be
#   stuck, or every attempt errs. The prober tests at once when a number
#   becomes required and none of its runs started within the interval, so
#   when a quiet spell follows a busy evening (last success hours ago) the
#   grace lets that test finish before anything fires. A prober that started
#   less than interval + grace ago is given that long
#   (process_start_time_seconds of the same job and instance; where it is
#   not exposed nothing is held back): time() - max(last success, process
#   start) > interval + grace.
# - HandoverTestMissing (critical, per number with a handover test): the
#   latest handover (at or before now, 0 when none) was more than grace ago
#   and no handover test has passed since it; a prober started within the
#   grace is given the grace to place it.
# - LineTestProberDown / LineTestProberAbsent (page): the prober's scrape
#   fails, or there is no up series for its job at all. While it is not
#   scraped its series go stale and LineTestMissing cannot fire, so these
#   stand in for it. No po label: they route to the provider's duty manager.
`

// ltSel selects one number's series of a line-test metric.
func ltSel(metric string, p *catalog.PO, n *catalog.AccessNumber) string {
	return fmt.Sprintf("%s{po=%q,access_number=%q}", metric, p.ID, n.Number)
}

func lineTestFailed() rule {
	return rule{
		Alert:  alertLineTestFailed,
		Expr:   fmt.Sprintf("min by (po, access_number) (%s) == 0", mLTLastRunSuccess),
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "{{ $labels.po }}: line test of {{ $labels.access_number }} failed",
			"description": "The latest test call to {{ $labels.po }}'s advertised number {{ $labels.access_number }} failed: it did not connect, " +
				"or it connected but never reached the queue (the number diverts somewhere wrong). Callers to this number may not be getting through. " +
				"Call the number yourself, check the carrier's divert and the telephony platform, start the escalation procedure with the PO's contact, " +
				"and re-test with `slawatch linetest run --number {{ $labels.access_number }}`. " +
				"The SLA alerts of the service options only this number serves are inhibited while this fires.",
		},
	}
}

func lineTestMissing(p *catalog.PO, n *catalog.AccessNumber) rule {
	lt := n.LineTest
	window := lt.Interval.D + lt.Grace.D
	secs := num(window.Seconds())
	return rule{
		Alert: alertLineTestMissing,
		Expr: fmt.Sprintf("time() - %s > %s\nand on (job, instance, po, access_number)\nmin_over_time(%s[%s]) == 1\n"+
			"unless on (job, instance)\ntime() - %s <= %s",
			ltSel(mLTLastSuccess, p, n), secs, ltSel(mLTRequired, p, n), exactDuration(lt.Grace.D), mProcessStart, num(lt.Grace.D.Seconds())),
		Labels: numberLabels(p, n),
		Annotations: map[string]string{
			"summary": fmt.Sprintf("%s: no line test of %s has passed for over %s", p.ID, n.Number, exactDuration(window)),
			"description": fmt.Sprintf("Line tests of %s's advertised number %s are required (demand under the threshold in hours of service), one every %s, "+
				"and none has passed for over %s (interval %s + grace %s). A test that should have happened but did not is a failure: "+
				"the prober may be stuck, or every attempt ends in an error (dialer or provider). Call the number yourself, start the escalation procedure, "+
				"check the prober's log and run `slawatch linetest run --number %s`.",
				p.Name, n.Number, exactDuration(lt.Interval.D), exactDuration(window), exactDuration(lt.Interval.D), exactDuration(lt.Grace.D), n.Number),
		},
	}
}

func handoverTestMissing(p *catalog.PO, n *catalog.AccessNumber) rule {
	grace := n.LineTest.Grace.D
	secs := num(grace.Seconds())
	last := ltSel(mLTLastHandover, p, n)
	return rule{
		Alert: alertHandoverTestMissing,
		Expr: fmt.Sprintf("time() - %s > %s\nand on (job, instance, po, access_number)\n%s < on (job, instance, po, access_number) %s\n"+
			"unless on (job, instance)\ntime() - %s <= %s",
			last, secs, ltSel(mLTLastSuccess, p, n), last, mProcessStart, secs),
		Labels: numberLabels(p, n),
		Annotations: map[string]string{
			"summary": fmt.Sprintf("%s: no handover test of %s has passed since the handover {{ $value | humanizeDuration }} ago", p.ID, n.Number),
			"description": fmt.Sprintf("Call handling for %s passed to the provider {{ $value | humanizeDuration }} ago and the test call to %s that must follow every handover "+
				"has not passed within the grace of %s, nor has any test since. Until one does, nobody knows that the divert to the provider works. "+
				"Run `slawatch linetest run --number %s`, call the number yourself, and start the escalation procedure with the PO if it does not reach the queue.",
				p.Name, n.Number, exactDuration(grace), n.Number),
		},
	}
}

// numberLabels are the labels of a per-number alert: po and access_number
// are the series' own, repeated so that each rule is distinct (promtool's
// duplicate-rule lint) and the inhibit rules' labels are certain.
func numberLabels(p *catalog.PO, n *catalog.AccessNumber) map[string]string {
	return map[string]string{"severity": "critical", "po": p.ID, "access_number": n.Number}
}

func proberDown(cfg LinetestConfig) rule {
	return rule{
		Alert:  alertLineTestProberDown,
		Expr:   fmt.Sprintf("up{job=%q} == 0", cfg.Job),
		For:    cfg.ProberDownFor,
		Labels: map[string]string{"severity": "page"},
		Annotations: map[string]string{
			"summary": "line-test prober {{ $labels.instance }} is down",
			"description": fmt.Sprintf("Prometheus has failed to scrape the line-test prober (job %s) at {{ $labels.instance }} for %s. "+
				"Whether it still places test calls is unknown, and LineTestMissing cannot fire while its figures are stale: a dead advertised number "+
				"would go unnoticed. Restart `slawatch linetest`; meanwhile call the quiet numbers by hand.", cfg.Job, cfg.ProberDownFor),
		},
	}
}

func proberAbsent(cfg LinetestConfig) rule {
	return rule{
		Alert:  alertLineTestProberAbsent,
		Expr:   fmt.Sprintf("absent(up{job=%q})", cfg.Job),
		For:    cfg.ProberAbsentFor,
		Labels: map[string]string{"severity": "page"},
		Annotations: map[string]string{
			"summary": "no line-test prober is being scraped",
			"description": fmt.Sprintf("There has been no up series for job %q for %s: the line-test prober's scrape job or target is missing from the configuration. "+
				"No line test is watched, so a dead advertised number would go unnoticed.", cfg.Job, cfg.ProberAbsentFor),
		},
	}
}

// exactDuration formats d as a Prometheus duration without rounding (35m,
// 1m30s).
func exactDuration(d time.Duration) string { return model.Duration(d).String() }
