package board

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// CRM queries (exporters/crm): the last hour's requests and those referred
// to on-call staff (the request counters exist at zero from the start, so
// increase() sees a quiet option's first request), and what is
// outstanding now. Referrals over a PO's limit show as its alert.
const (
	qCRMRequests    = `sum(increase(crm_service_requests_total[1h]))`
	qCRMReferrals   = `sum(increase(crm_service_requests_total{action="refer"}[1h]))`
	qCRMUndelivered = `sum(crm_referrals_undelivered)`
	qCRMOpen        = `sum(crm_complaints_open)`
	qCRMOverdue     = `sum by (stage) (crm_complaints_overdue)`
	qCRMContactsDue = `sum(crm_contacts_overdue)`
)

// crmLine is the CRM's state; present is false when no CRM metric exists
// (no CRM exporter is scraped).
type crmLine struct {
	present                                     bool
	requests, referrals, undelivered, open, due float64
	overdue                                     map[string]float64 // by stage
}

func takeCRM(ctx context.Context, src Source) (crmLine, error) {
	var l crmLine
	for _, q := range []struct {
		expr string
		set  func(m map[string]float64)
	}{
		{qCRMRequests, func(m map[string]float64) { l.requests = total(m) }},
		{qCRMReferrals, func(m map[string]float64) { l.referrals = total(m) }},
		{qCRMUndelivered, func(m map[string]float64) { l.undelivered = total(m) }},
		{qCRMOpen, func(m map[string]float64) { l.open = total(m) }},
		{qCRMContactsDue, func(m map[string]float64) { l.due = total(m) }},
	} {
		m, err := byLabel(ctx, src, q.expr, "")
		if err != nil {
			return crmLine{}, err
		}
		l.present = l.present || len(m) > 0
		q.set(m)
	}
	m, err := byLabel(ctx, src, qCRMOverdue, "stage")
	if err != nil {
		return crmLine{}, err
	}
	l.present = l.present || len(m) > 0
	l.overdue = m
	return l, nil
}

// renderCRM writes one line: the last hour's requests and referrals, then
// referrals not delivered, complaints open and overdue, contacts overdue.
func (s Snapshot) renderCRM(w io.Writer) {
	l := s.crm
	if !l.present {
		return
	}
	var complaints []string
	for _, stage := range []string{"callback", "report"} {
		if v := l.overdue[stage]; v > 0 {
			complaints = append(complaints, fmt.Sprintf("%.0f %s OVERDUE", v, stage))
		}
	}
	c := fmt.Sprintf("%.0f open", l.open)
	if len(complaints) > 0 {
		c += " (" + strings.Join(complaints, ", ") + ")"
	}
	undelivered := fmt.Sprintf("%.0f undelivered", l.undelivered)
	if l.undelivered > 0 {
		undelivered = strings.ToUpper(undelivered)
	}
	fmt.Fprintf(w, "CRM last hour: %.0f requests, %.0f referred to on-call staff; referrals %s; complaints %s; contacts %.0f overdue\n",
		l.requests, l.referrals, undelivered, c, l.due)
}
