package rules

import "fmt"

// Paging-path alert names: the notifier's own health (alerting.Pager's
// notifier_* metrics, docs/METRICS.md).
const (
	alertPageUndelivered       = "PageUndelivered"
	alertPagingProviderFailing = "PagingProviderFailing"
	alertPagerStalled          = "PagerStalled"
)

const pagingComment = `# - PageUndelivered (critical): a page failed for good or had no delivery
#   receipt in time. The pager has already fallen back (other channel, next
#   step); this tells the duty manager that someone may not have been reached.
# - PagingProviderFailing (critical, per channel): most calls to Slack or the
#   SMS provider have failed over 10 minutes (at least 3). Pages still go out
#   on the other channel; fix the provider or its credentials.
# - PagerStalled (critical): the pager has not done its due work for 2
#   minutes (its loop or the store is stuck): escalations are not moving.
`

func pageUndelivered() rule {
	return rule{
		Alert:  alertPageUndelivered,
		Expr:   `sum by (channel) (increase(notifier_pages_total{outcome=~"failed|undelivered"}[15m])) > 0`,
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "{{ $labels.channel }}: pages not delivered in the last 15 minutes",
			"description": "Pages on {{ $labels.channel }} failed or got no delivery receipt in time. The pager fell back to the person's " +
				"other channel or paged the next step at once; check `slawatch incidents` for who may not have been reached.",
		},
	}
}

func pagingProviderFailing() rule {
	errs := `sum by (channel) (increase(notifier_provider_errors_total[10m]))`
	reqs := `sum by (channel) (increase(notifier_provider_requests_total[10m]))`
	return rule{
		Alert:  alertPagingProviderFailing,
		Expr:   fmt.Sprintf("%s >= 3\nand on (channel)\n%s > 0.5 * %s", errs, errs, reqs),
		For:    "2m",
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "{{ $labels.channel }} paging provider failing",
			"description": "More than half of the calls to the {{ $labels.channel }} provider failed over the last 10 minutes. " +
				"Pages still go out on the other channel. Check the provider's status page and the notifier's credentials.",
		},
	}
}

func pagerStalled() rule {
	return rule{
		Alert:  alertPagerStalled,
		Expr:   `time() - max by (job, instance) (notifier_last_tick_timestamp_seconds) > 120`,
		For:    "1m",
		Labels: map[string]string{"severity": "critical"},
		Annotations: map[string]string{
			"summary": "the pager on {{ $labels.instance }} has stalled",
			"description": "The notifier's pager has not done its due work for over 2 minutes: escalation steps, retries and " +
				"fallbacks are not happening. Restart `slawatch notify`; nothing is lost (the work is in the store).",
		},
	}
}
