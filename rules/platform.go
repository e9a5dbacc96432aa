package rules

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

// Platform alert names.
const (
	alertExporterDown   = "ExporterDown"
	alertExporterAbsent = "ExporterAbsent"
	alertSourceSilent   = "SourceSilent"
	alertCallSurge      = "CallSurge"
	alertWatchdog       = "Watchdog"
)

// recordTransports are the telephony exporter's transports that deliver
// call records (its source label; queue_snapshot carries no calls).
const recordTransports = "csv|jsonl|http|api|queue_log"

// GeneratePlatform renders platform.rules.yml: the health of the platform
// rather than of a PO's SLA. ExporterDown and ExporterAbsent (severity
// page), SourceSilent (warning, only while a PO is in service, from the
// exporter's slawatch_po_in_service), CallSurge per PO (warning), and
// Watchdog (always firing, severity none). Thresholds come from the
// catalogue's volumes; see platform_volume.go. The paging-path alerts
// (PageUndelivered, PagingProviderFailing, PagerStalled: critical) watch
// the notifier's metrics; see platform_paging.go.
func GeneratePlatform(c *catalog.Catalog, cfg PlatformConfig) ([]byte, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	vm := newVolumeModel(c)
	sil := vm.silenceThreshold(c, cfg)
	g := group{Name: "slawatch-platform"}
	g.Rules = append(g.Rules, exporterDown(cfg), exporterAbsent(cfg), sourceSilent(cfg, sil))
	var surges []string
	for _, po := range c.POIDs() {
		th := surgeThreshold(cfg, vm.peakRate(po))
		g.Rules = append(g.Rules, callSurge(cfg, po, vm.peakRate(po), th))
		surges = append(surges, fmt.Sprintf("#   %-20s usual peak %5.1f calls/h, CallSurge above %s calls/h\n", po, vm.peakRate(po), num(th)))
	}
	g.Rules = append(g.Rules, pageUndelivered(), pagingProviderFailing(), pagerStalled(), watchdog())

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%s; do not edit\n", generatedMarker, filepath.Base(c.Source))
	buf.WriteString(platformComment)
	buf.WriteString(pagingComment)
	fmt.Fprintf(&buf, "# SourceSilent: silence threshold %s: the quietest %s in service is expected to bring %.1f calls,\n",
		promDuration(sil.threshold), promDuration(sil.threshold), sil.expected)
	fmt.Fprintf(&buf, "#   so chance silences fire at most %s time(s) a year (never under %s).\n",
		num(cfg.SilenceFalseAlarmsPerYear), promDuration(cfg.MinSilence))
	fmt.Fprintf(&buf, "# CallSurge: %s x the usual peak hour, at least %d calls in 15 minutes:\n", num(cfg.SurgeMultiple), cfg.SurgeMinCalls)
	buf.WriteString(strings.Join(surges, ""))
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(ruleFile{Groups: []group{g}}); err != nil {
		return nil, fmt.Errorf("platform rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("platform rules: %w", err)
	}
	return buf.Bytes(), nil
}

const platformComment = `#
# Platform alerts: the health of the pipeline, not of a PO's SLA.
# - ExporterDown (page): the telephony exporter's scrape fails. Every SLA
#   alert is blind meanwhile, so it pages; it has no po label, so it routes
#   to the provider's duty manager, not to a PO's rota.
# - ExporterAbsent (page): no up series for the job at all (the scrape job
#   or its target is gone), which ExporterDown cannot see.
# - SourceSilent (warning): no call record from any call source for longer
#   than the catalogue makes plausible, while a PO has been in service
#   throughout (slawatch_po_in_service, from the exporter, knows bank
#   holidays and Christmas working days; PromQL does not). The last-event
#   gauge is the latest ended_at seen and only moves forward; it is 0 until
#   the first record after a start, so then the silence counts from the
#   process start (process_start_time_seconds, where exposed).
# - CallSurge (warning, per po): calls offered in the last 15 minutes, as an
#   hourly rate, above a multiple of the PO's usual peak-hour rate (yearly
#   calls spread over its hours of service by the evening-peak profile), so
#   an ordinary evening peak never fires, with a floor in calls so a small
#   PO does not fire on a handful.
# - Watchdog (none): always firing, for an external dead-man's switch.
`

func exporterDown(cfg PlatformConfig) rule {
	return rule{
		Alert:  alertExporterDown,
		Expr:   fmt.Sprintf("up{job=%q} == 0", cfg.Job),
		For:    cfg.ExporterDownFor,
		Labels: map[string]string{"severity": "page"},
		Annotations: map[string]string{
			"summary": "{{ $labels.job }} exporter {{ $labels.instance }} is down",
			"description": fmt.Sprintf("Prometheus has failed to scrape the %s exporter at {{ $labels.instance }} for %s. "+
				"Call figures are not updating and the SLA alerts of every PO are blind until it is back.", cfg.Job, cfg.ExporterDownFor),
		},
	}
}

func exporterAbsent(cfg PlatformConfig) rule {
	return rule{
		Alert:  alertExporterAbsent,
		Expr:   fmt.Sprintf("absent(up{job=%q})", cfg.Job),
		For:    cfg.ExporterAbsentFor,
		Labels: map[string]string{"severity": "page"},
		Annotations: map[string]string{
			"summary": "no {{ $labels.job }} exporter is being scraped",
			"description": fmt.Sprintf("There has been no up series for job %q for %s: the scrape job or its target is missing from the configuration. "+
				"The SLA alerts of every PO are blind.", cfg.Job, cfg.ExporterAbsentFor),
		},
	}
}

func sourceSilent(cfg PlatformConfig, sil silence) rule {
	silence := sil.threshold
	last := fmt.Sprintf("telephony_source_last_event_timestamp_seconds{job=%q,source=~%q}", cfg.Job, recordTransports)
	secs := int64(silence / time.Second)
	return rule{
		Alert: alertSourceSilent,
		Expr: fmt.Sprintf("(\n    time() - max by (job) (%s > 0)\n  or\n    time() - max by (job) (process_start_time_seconds{job=%q})\n) > %d\n"+
			"and on (job)\nmax by (job) (min_over_time(slawatch_po_in_service{job=%q}[%s])) == 1",
			last, cfg.Job, secs, cfg.Job, promDuration(silence)),
		For:    cfg.SilenceFor,
		Labels: map[string]string{"severity": "warning"},
		Annotations: map[string]string{
			"summary": "no call record has reached the {{ $labels.job }} exporter for {{ $value | humanizeDuration }}",
			"description": fmt.Sprintf("No call record has arrived from any call source (%s) for {{ $value | humanizeDuration }}, "+
				"over the %s threshold, while a PO has been in service throughout. The quietest such stretch is expected to bring about %.0f calls "+
				"across the POs in service (catalogue yearly calls, evening-peak profile), so a gap this long should happen by chance less than %s time(s) a year. "+
				"Check the ACD/CDR feed, the webhook and the queue_log tail.", strings.ReplaceAll(recordTransports, "|", ", "), promDuration(silence), sil.expected, num(cfg.SilenceFalseAlarmsPerYear)),
		},
	}
}

// surgeThreshold is CallSurge's threshold in calls an hour: the multiple of
// the usual peak hour, or the floor, whichever is higher, rounded up to a
// tenth of a call.
func surgeThreshold(cfg PlatformConfig, peak float64) float64 {
	th := math.Max(cfg.SurgeMultiple*peak, float64(cfg.SurgeMinCalls)*4)
	return math.Ceil(th*10) / 10
}

func callSurge(cfg PlatformConfig, po string, peak, th float64) rule {
	return rule{
		Alert:  alertCallSurge,
		Expr:   fmt.Sprintf("sum by (po) (rate(%s[15m])) * 3600 > %s", sel(mOffered, po), num(th)),
		For:    cfg.SurgeFor,
		Labels: map[string]string{"severity": "warning"},
		Annotations: map[string]string{
			"summary": "{{ $labels.po }}: call surge, {{ $value | printf \"%.0f\" }} calls an hour over the last 15 minutes",
			"description": fmt.Sprintf("Calls offered to %s over the last 15 minutes run at {{ $value | printf \"%%.0f\" }} an hour, "+
				"above %s an hour: %s times its usual peak hour (about %.1f calls an hour, from the catalogue's yearly calls), "+
				"and more than %d calls in the 15 minutes. Expect the SLA to suffer; consider extra staff or an IVR message.",
				po, num(th), num(cfg.SurgeMultiple), peak, cfg.SurgeMinCalls),
		},
	}
}

func watchdog() rule {
	return rule{
		Alert:  alertWatchdog,
		Expr:   "vector(1)",
		Labels: map[string]string{"severity": "none"},
		Annotations: map[string]string{
			"summary": "always firing: the alerting pipeline is alive",
			"description": "This alert always fires. An external dead-man's switch expects it at its regular interval " +
				"and raises the alarm when it stops: the rule engine, Alertmanager or the notifier is down.",
		},
	}
}

// promDuration formats d as a Prometheus duration (1h5m, 15m).
func promDuration(d time.Duration) string {
	return model.Duration(d.Round(time.Minute)).String()
}
