package catalog

import "time"

// CRM defaults (SPEC.md "Complaints and incidents", "Availability,
// referrals, delivery"; customer-services KPIs).
const (
	DefaultComplaintCallback                = 60 * time.Minute
	DefaultComplaintReportWorkingDays       = 5
	DefaultUrgentComplaintReportWorkingDays = 1
	DefaultContactResponseWorkingDays       = 10
	DefaultMemberEnquiryWorkingDays         = 10
	DefaultReferralReceiptTimeout           = 15 * time.Minute
)

// Bounds of the CRM deadlines: past these, a value is a typo.
const (
	maxCRMDuration    = 24 * time.Hour
	minCRMDuration    = time.Minute
	maxCRMWorkingDays = 60
)

// CRM holds the deadlines the CRM exporter measures complaints, contacts
// and referral receipts against (SPEC.md "Complaints and incidents",
// customer-services KPIs). defaults.crm applies to every PO; a PO's crm:
// overrides it field by field. After loading every field is set: read a
// PO's with (*PO).CRMDeadlines.
type CRM struct {
	// ComplaintCallback: a complaint no supervisor could take is called
	// back within this (default 60m).
	ComplaintCallback Duration `yaml:"complaint_callback"`
	// ComplaintReportWorkingDays: the written report is due by the end of
	// this working day after receipt (default 5).
	ComplaintReportWorkingDays *int `yaml:"complaint_report_working_days"`
	// UrgentComplaintReportWorkingDays: the same for a complaint the PO
	// marks urgent (default 1).
	UrgentComplaintReportWorkingDays *int `yaml:"urgent_complaint_report_working_days"`
	// ContactResponseWorkingDays: e-mails and web forms are answered by
	// the end of this working day after receipt (default 10).
	ContactResponseWorkingDays *int `yaml:"contact_response_working_days"`
	// MemberEnquiryWorkingDays: the same for an enquiry from a council
	// member (default 10).
	MemberEnquiryWorkingDays *int `yaml:"member_enquiry_working_days"`
	// ReferralReceiptTimeout: a referral sent by e-mail, SMS or pager with
	// no delivered receipt this long after dispatch is undelivered
	// (default 15m).
	ReferralReceiptTimeout Duration `yaml:"referral_receipt_timeout"`
}

// CRMDeadlines are a PO's resolved CRM deadlines.
type CRMDeadlines struct {
	ComplaintCallback                time.Duration
	ComplaintReportWorkingDays       int
	UrgentComplaintReportWorkingDays int
	ContactResponseWorkingDays       int
	MemberEnquiryWorkingDays         int
	ReferralReceiptTimeout           time.Duration
}

// CRMDeadlines are the PO's CRM deadlines: its crm: over defaults.crm over
// the built-in defaults.
func (p *PO) CRMDeadlines() CRMDeadlines {
	c := p.CRM
	if c == nil { // not resolved (a PO built by hand): the built-in defaults
		c = &CRM{}
		mergeCRM(c, builtinCRM())
	}
	return CRMDeadlines{
		ComplaintCallback:                c.ComplaintCallback.D,
		ComplaintReportWorkingDays:       *c.ComplaintReportWorkingDays,
		UrgentComplaintReportWorkingDays: *c.UrgentComplaintReportWorkingDays,
		ContactResponseWorkingDays:       *c.ContactResponseWorkingDays,
		MemberEnquiryWorkingDays:         *c.MemberEnquiryWorkingDays,
		ReferralReceiptTimeout:           c.ReferralReceiptTimeout.D,
	}
}

// ReportWorkingDays is the complaint report deadline in working days.
func (d CRMDeadlines) ReportWorkingDays(urgent bool) int {
	if urgent {
		return d.UrgentComplaintReportWorkingDays
	}
	return d.ComplaintReportWorkingDays
}

// ResponseWorkingDays is the e-mail/web-form response deadline in working
// days.
func (d CRMDeadlines) ResponseWorkingDays(memberEnquiry bool) int {
	if memberEnquiry {
		return d.MemberEnquiryWorkingDays
	}
	return d.ContactResponseWorkingDays
}

// WorkingDaysEnd is the end of the n-th working day after the date of t in
// the PO's own time zone (n >= 1): the exclusive end of a deadline of "n
// working days" from an event at t. A working day is Monday to Friday and
// not an England & Wales bank holiday nor one of the catalogue's
// extra_bank_holidays. The day of t itself never counts, whatever the
// hour: a complaint received on Monday at 09:00 or at 23:59 with a 1
// working-day deadline is due by the end of Tuesday (midnight starting
// Wednesday). For a PO in the catalogue's zone this is AddWorkingDays.
func (c *Catalog) WorkingDaysEnd(p *PO, t time.Time, n int) time.Time {
	loc := c.loc
	if p != nil && p.loc != nil {
		loc = p.loc
	}
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, loc)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.workingDay(day) {
			n--
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
}

// ReferralLimits are every distinct referral limit in the catalogue (the
// default, each PO's and each service option's), shortest first: the CRM
// dispatch histogram has a bucket at each.
func (c *Catalog) ReferralLimits() []time.Duration {
	seen := map[time.Duration]bool{c.Defaults.ReferralLimit.D: true}
	out := []time.Duration{c.Defaults.ReferralLimit.D}
	add := func(d time.Duration) {
		if d > 0 && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for i := range c.Organisations {
		p := &c.Organisations[i]
		add(p.ReferralLimit.D)
		for j := range p.ServiceOptions {
			add(p.ServiceOptions[j].ReferralLimit.D)
		}
	}
	for i := 1; i < len(out); i++ { // insertion sort: a handful of values
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// builtinCRM are the built-in CRM defaults.
func builtinCRM() CRM {
	ints := func(n int) *int { return &n }
	return CRM{
		ComplaintCallback:                Duration{D: DefaultComplaintCallback},
		ComplaintReportWorkingDays:       ints(DefaultComplaintReportWorkingDays),
		UrgentComplaintReportWorkingDays: ints(DefaultUrgentComplaintReportWorkingDays),
		ContactResponseWorkingDays:       ints(DefaultContactResponseWorkingDays),
		MemberEnquiryWorkingDays:         ints(DefaultMemberEnquiryWorkingDays),
		ReferralReceiptTimeout:           Duration{D: DefaultReferralReceiptTimeout},
	}
}

// mergeCRM fills every field of c not set in the file from base.
func mergeCRM(c *CRM, base CRM) {
	if !c.ComplaintCallback.Set() || c.ComplaintCallback.err != nil {
		c.ComplaintCallback = base.ComplaintCallback
	}
	if !c.ReferralReceiptTimeout.Set() || c.ReferralReceiptTimeout.err != nil {
		c.ReferralReceiptTimeout = base.ReferralReceiptTimeout
	}
	for _, f := range []struct{ dst, src **int }{
		{&c.ComplaintReportWorkingDays, &base.ComplaintReportWorkingDays},
		{&c.UrgentComplaintReportWorkingDays, &base.UrgentComplaintReportWorkingDays},
		{&c.ContactResponseWorkingDays, &base.ContactResponseWorkingDays},
		{&c.MemberEnquiryWorkingDays, &base.MemberEnquiryWorkingDays},
	} {
		if *f.dst == nil {
			*f.dst = *f.src
		}
	}
}

// validateCRM checks the fields set in one crm: section.
func (v *validator) crm(p path, c *CRM) {
	for _, f := range []struct {
		name, what string
		d          Duration
	}{
		{"complaint_callback", "the time to call a complainant back", c.ComplaintCallback},
		{"referral_receipt_timeout", "how long a referral may wait for its delivery receipt", c.ReferralReceiptTimeout},
	} {
		v.scalar(p.add(f.name), f.d.scalar)
		if f.d.Set() && f.d.err == nil && (f.d.D < minCRMDuration || f.d.D > maxCRMDuration) {
			v.errorf(p.add(f.name), "%s is out of range; give %s from 1m to 24h", f.d.Raw, f.what)
		}
	}
	for _, f := range []struct {
		name string
		n    *int
	}{
		{"complaint_report_working_days", c.ComplaintReportWorkingDays},
		{"urgent_complaint_report_working_days", c.UrgentComplaintReportWorkingDays},
		{"contact_response_working_days", c.ContactResponseWorkingDays},
		{"member_enquiry_working_days", c.MemberEnquiryWorkingDays},
	} {
		if f.n != nil && !validDays(*f.n) {
			v.errorf(p.add(f.name), "must be 1 to %d working days, not %d", maxCRMWorkingDays, *f.n)
		}
	}
}

// resolveCRMDefaults validates and defaults the catalogue's defaults.crm.
func (c *Catalog) resolveCRMDefaults(v *validator, p path) {
	v.crm(p, &c.Defaults.CRM)
	mergeCRM(&c.Defaults.CRM, builtinCRM())
	d := c.Defaults.CRM
	if validDays(*d.ComplaintReportWorkingDays) && *d.UrgentComplaintReportWorkingDays > *d.ComplaintReportWorkingDays {
		v.errorf(p.add("urgent_complaint_report_working_days"), "%d is longer than complaint_report_working_days (%d); an urgent complaint's report is due no later",
			*d.UrgentComplaintReportWorkingDays, *d.ComplaintReportWorkingDays)
	}
}

// resolveCRM validates a PO's crm: and merges it over the defaults; after
// it p.CRM is set, every field resolved.
func (c *Catalog) resolveCRM(v *validator, pp path, p *PO) {
	own := CRM{}
	if p.CRM != nil {
		own = *p.CRM
		v.crm(pp.add("crm"), &own)
	}
	mergeCRM(&own, c.Defaults.CRM)
	if p.CRM != nil && validDays(*own.ComplaintReportWorkingDays) && *own.UrgentComplaintReportWorkingDays > *own.ComplaintReportWorkingDays {
		v.errorf(pp.add("crm", "urgent_complaint_report_working_days"), "%d is longer than complaint_report_working_days (%d); an urgent complaint's report is due no later",
			*own.UrgentComplaintReportWorkingDays, *own.ComplaintReportWorkingDays)
	}
	p.CRM = &own
}

func validDays(n int) bool { return n >= 1 && n <= maxCRMWorkingDays }

// crmTypes are the CRM YAML types, for "unknown field" messages (fieldsOf).
func crmTypes() []any { return []any{CRM{}} }
