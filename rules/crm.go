package rules

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

// CRMFileName is the rule file of the CRM alerts (referral dispatch and delivery, complaint callbacks and reports).
const CRMFileName = "crm.rules.yml"

// CRM alert names.
const (
	alertCRMOverLimit       = "CRMReferralDispatchOverLimit"
	alertCRMNotDelivered    = "CRMReferralNotDelivered"
	alertCRMCallbackOverdue = "CRMComplaintCallbackOverdue"
	alertCRMReportOverdue   = "CRMComplaintReportOverdue"
)

// Input metrics of the CRM exporter (exporters/crm, docs/CRM.md) and the
// recording rule of referrals over the limit.
const (
	mCRMDispatch    = "crm_referral_dispatch_seconds"
	mCRMRequests    = "crm_service_requests_total"
	mCRMUndelivered = "crm_referrals_undelivered"
	mCRMOverdue     = "crm_complaints_overdue"
	recCRMOverLimit = "po_service_option:crm_referrals_over_limit:total"
)

// GenerateCRM renders the CRM alerts (referral dispatch and delivery, complaint callbacks and reports); nil when the catalogue has nothing for them.
func GenerateCRM(c *catalog.Catalog) ([]byte, error) { return GenerateCRMWith(c, DefaultCRMConfig()) }

// limitGroup is the service options of a PO sharing one referral limit;
// "" in options stands for referrals not tied to an option (the PO's limit).
type limitGroup struct {
	limit   time.Duration
	options []string
}

// limitGroups groups the PO's service options by referral limit, shortest
// first; the PO's own limit also covers service_option "".
func limitGroups(p *catalog.PO) []limitGroup {
	by := map[time.Duration][]string{p.ReferralLimit.D: {""}}
	for _, so := range p.ServiceOptions {
		by[so.ReferralLimit.D] = append(by[so.ReferralLimit.D], so.ID)
	}
	var out []limitGroup
	for d, opts := range by {
		sort.Strings(opts)
		out = append(out, limitGroup{d, opts})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].limit < out[j].limit })
	return out
}

// GenerateCRMWith renders crm.rules.yml: per PO and referral limit the
// recording rule po_service_option:crm_referrals_over_limit:total (the
// referrals dispatched after the limit, all time: the histogram's count
// less its bucket at the limit) and CRMReferralDispatchOverLimit
// (warning) on its increase; per PO CRMReferralNotDelivered (critical),
// CRMComplaintCallbackOverdue (page) and CRMComplaintReportOverdue
// (warning) on the exporter's gauges. Every alert carries po, so it
// routes to the PO's receiver. nil when the catalogue has no PO.
func GenerateCRMWith(c *catalog.Catalog, cfg CRMConfig) ([]byte, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if len(c.Organisations) == 0 {
		return nil, nil
	}
	rec := group{Name: "slawatch-crm-records"}
	alerts := group{Name: "slawatch-crm-alerts"}
	var table bytes.Buffer
	for _, id := range c.POIDs() {
		p, _ := c.PO(id)
		d := p.CRMDeadlines()
		var limits []string
		groups := limitGroups(p)
		for _, g := range groups {
			secs := g.limit.Seconds()
			if secs != float64(int64(secs)) {
				return nil, fmt.Errorf("CRM rules: %s: referral limit %s is not a whole number of seconds; the dispatch histogram's bucket must match it exactly", p.ID, g.limit)
			}
			rec.Rules = append(rec.Rules, overLimitRecord(p, groups, g))
			alerts.Rules = append(alerts.Rules, overLimitAlert(p, groups, g, cfg))
			limits = append(limits, fmt.Sprintf("%s (%d option(s))", exactDuration(g.limit), len(g.options)-count(g.options, "")))
		}
		alerts.Rules = append(alerts.Rules, notDelivered(p, d), callbackOverdue(p, d), reportOverdue(p, d))
		fmt.Fprintf(&table, "#   %-20s referral limits %s; receipt timeout %s; callback %s; report %d working day(s), urgent %d\n",
			p.ID, strings.Join(limits, ", "), exactDuration(d.ReferralReceiptTimeout), exactDuration(d.ComplaintCallback),
			d.ComplaintReportWorkingDays, d.UrgentComplaintReportWorkingDays)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%s; do not edit\n", generatedMarker, filepath.Base(c.Source))
	buf.WriteString("#\n")
	for _, para := range crmDesign(cfg) {
		if rest, ok := strings.CutPrefix(para, "- "); ok {
			buf.WriteString(wrapComment(rest, "# - ", "#   "))
		} else {
			buf.WriteString(wrapComment(para, "# ", "# "))
		}
	}
	buf.WriteString("# POs (catalogue referral_limit and crm deadlines):\n")
	buf.Write(table.Bytes())
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(ruleFile{Groups: []group{rec, alerts}}); err != nil {
		return nil, fmt.Errorf("CRM rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("CRM rules: %w", err)
	}
	return buf.Bytes(), nil
}

func crmDesign(cfg CRMConfig) []string {
	return []string{
		`CRM alerts (SPEC.md "Availability, referrals, delivery" and "Complaints and incidents"), from the CRM ` +
			`exporter's metrics (docs/CRM.md). Each carries po (and service_option), so Alertmanager routes it to the PO's ` +
			`receiver; no alert carries a case reference or anything personal.`,
		`- ` + recCRMOverLimit + ` (recorded per PO and referral limit): referrals dispatched after the limit, all time: ` +
			`the dispatch histogram's count less its bucket exactly at the limit (every limit is a bucket), summed over ` +
			`channels; 0 (from the service requests, which exist from the start) for an option with no referral yet, so the ` +
			`first late referral is an increase.`,
		`- CRMReferralDispatchOverLimit (warning): a referral was dispatched after its limit in the last ` + cfg.OverLimitWindow +
			` (the counter rose). It is late already: report it with its reason; several mean the desk is short.`,
		`- CRMReferralNotDelivered (critical): a referral sent by e-mail, SMS or pager has a failed receipt, or no ` +
			`delivered receipt within the PO's referral_receipt_timeout (crm_referrals_undelivered > 0): the on-call ` +
			`officer may not know. Phone them. Resolves when the receipt arrives (or 24h after dispatch).`,
		`- CRMComplaintCallbackOverdue (page): a complaint no supervisor could take has not been called back within ` +
			`the PO's complaint_callback (crm_complaints_overdue{stage="callback"} > 0).`,
		`- CRMComplaintReportOverdue (warning): a complaint's written report is past its working-day deadline ` +
			`(crm_complaints_overdue{stage="report"} > 0); warnings are delivered in the PO's service hours.`,
	}
}

func count(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// optionMatcher selects the group's service options: nothing when the PO
// has one limit for all; the options with their own limit by name; the
// PO's limit (which covers "" and any option not listed) as every option
// but those of the other groups.
func optionMatcher(groups []limitGroup, g limitGroup) string {
	quote := func(opts []string) string {
		q := make([]string, 0, len(opts))
		for _, o := range opts {
			if o != "" {
				q = append(q, regexp.QuoteMeta(o))
			}
		}
		return strconv.Quote(strings.Join(q, "|"))
	}
	switch {
	case len(groups) == 1:
		return ""
	case count(g.options, "") == 0:
		return ",service_option=~" + quote(g.options)
	}
	var others []string
	for _, o := range groups {
		if o.limit != g.limit {
			others = append(others, o.options...)
		}
	}
	sort.Strings(others)
	return ",service_option!~" + quote(others)
}

func overLimitSel(p *catalog.PO, groups []limitGroup, g limitGroup) string {
	return fmt.Sprintf("po=%q%s", p.ID, optionMatcher(groups, g))
}

func overLimitRecord(p *catalog.PO, groups []limitGroup, g limitGroup) rule {
	m := overLimitSel(p, groups, g)
	return rule{
		Record: recCRMOverLimit,
		// po is the series' own; both labels keep each rule distinct
		// (promtool's duplicate-rule lint) and name the limit on the series.
		Labels: map[string]string{"po": p.ID, "referral_limit": exactDuration(g.limit)},
		Expr: fmt.Sprintf("sum by (po, service_option) (%s_count{%s})\n- sum by (po, service_option) (%s_bucket{%s,%s})\n"+
			"or\nsum by (po, service_option) (%s{%s,action=\"refer\"}) * 0",
			mCRMDispatch, m, mCRMDispatch, m, leMatcher(int(g.limit.Seconds())), mCRMRequests, m),
	}
}

func overLimitAlert(p *catalog.PO, groups []limitGroup, g limitGroup, cfg CRMConfig) rule {
	lim := exactDuration(g.limit)
	return rule{
		Alert:  alertCRMOverLimit,
		Expr:   fmt.Sprintf("increase(%s{%s}[%s]) > 0", recCRMOverLimit, overLimitSel(p, groups, g), cfg.OverLimitWindow),
		Labels: map[string]string{"severity": "warning", "po": p.ID, "referral_limit": lim},
		Annotations: map[string]string{
			"summary": fmt.Sprintf("{{ $labels.po }} {{ $labels.service_option }}: referral(s) dispatched over the %s limit in the last %s", lim, cfg.OverLimitWindow),
			"description": fmt.Sprintf("About {{ $value | printf \"%%.0f\" }} referral(s) of %s's {{ $labels.service_option }} were passed to the on-call staff "+
				"more than %s after the call ended (the PO's limit for this option) in the last %s. Record the reason for the monthly report's "+
				"over-limit list; if several are late, check the desk's staffing and the dispatch channels.", p.Name, lim, cfg.OverLimitWindow),
		},
	}
}

func notDelivered(p *catalog.PO, d catalog.CRMDeadlines) rule {
	return rule{
		Alert:  alertCRMNotDelivered,
		Expr:   fmt.Sprintf("max by (po, service_option, channel) (%s{po=%q}) > 0", mCRMUndelivered, p.ID),
		Labels: map[string]string{"severity": "critical", "po": p.ID},
		Annotations: map[string]string{
			"summary": "{{ $labels.po }} {{ $labels.service_option }}: {{ $value }} referral(s) by {{ $labels.channel }} not delivered",
			"description": fmt.Sprintf("{{ $value }} referral(s) of %s sent by {{ $labels.channel }} have a failed delivery receipt, or no delivered receipt "+
				"%s after dispatch. The on-call officer may not know about the request: phone them now, then check the %s gateway.",
				p.Name, exactDuration(d.ReferralReceiptTimeout), "{{ $labels.channel }}"),
		},
	}
}

func callbackOverdue(p *catalog.PO, d catalog.CRMDeadlines) rule {
	return rule{
		Alert:  alertCRMCallbackOverdue,
		Expr:   fmt.Sprintf("max by (po, service_option) (%s{po=%q,stage=\"callback\"}) > 0", mCRMOverdue, p.ID),
		Labels: map[string]string{"severity": "page", "po": p.ID},
		Annotations: map[string]string{
			"summary": fmt.Sprintf("{{ $labels.po }}: {{ $value }} complaint(s) not called back within %s", exactDuration(d.ComplaintCallback)),
			"description": fmt.Sprintf("{{ $value }} complaint(s) to %s that no supervisor could take have not been called back within %s. "+
				"Call the complainant(s) back now (the CRM lists the open complaints) and record the callback.", p.Name, exactDuration(d.ComplaintCallback)),
		},
	}
}

func reportOverdue(p *catalog.PO, d catalog.CRMDeadlines) rule {
	return rule{
		Alert:  alertCRMReportOverdue,
		Expr:   fmt.Sprintf("max by (po, service_option) (%s{po=%q,stage=\"report\"}) > 0", mCRMOverdue, p.ID),
		Labels: map[string]string{"severity": "warning", "po": p.ID},
		Annotations: map[string]string{
			"summary": "{{ $labels.po }}: {{ $value }} complaint report(s) overdue",
			"description": fmt.Sprintf("{{ $value }} complaint(s) to %s have no written report by the deadline: %d working day(s) after receipt, "+
				"%d for a complaint the PO marked urgent (England & Wales bank holidays excluded). Send the report(s) to the PO's supervising officer.",
				p.Name, d.ComplaintReportWorkingDays, d.UrgentComplaintReportWorkingDays),
		},
	}
}
