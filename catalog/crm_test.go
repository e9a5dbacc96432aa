package catalog

import (
	"strings"
	"testing"
	"time"
)

// crmCatalogue is a two-PO catalogue with defaults.crm (defaults, indented
// under defaults:) and acme's crm: (po, indented under the PO).
func crmCatalogue(defaults, po string) string {
	return `version: 1
defaults:
  referral_limit: 10m
` + defaults + `
organisations:
  - id: acme
    name: Acme Borough
    referral_limit: 15m
    service_options:
      - {id: noise, standards: [{standard: gold, from: "2026-01-01"}], referral_limit: 5m}
      - {id: repairs, standards: [{standard: gold, from: "2026-01-01"}]}
    access_numbers:
      - {number: "+442079460901", service_options: ["*"]}
` + po + `
  - id: bravo
    name: Bravo Homes
    time_zone: America/New_York
    service_options:
      - {id: repairs, standards: [{standard: silver, from: "2026-01-01"}]}
    access_numbers:
      - {number: "+442079460902", service_options: ["*"]}
`
}

func TestCRMDefaults(t *testing.T) {
	c, err := Parse("crm.yaml", []byte(crmCatalogue("", "")))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := c.PO("acme")
	want := CRMDeadlines{ComplaintCallback: time.Hour, ComplaintReportWorkingDays: 5, UrgentComplaintReportWorkingDays: 1,
		ContactResponseWorkingDays: 10, MemberEnquiryWorkingDays: 10, ReferralReceiptTimeout: 15 * time.Minute}
	if got := p.CRMDeadlines(); got != want {
		t.Errorf("defaults: got %+v, want %+v", got, want)
	}
	if got := (&PO{}).CRMDeadlines(); got != want {
		t.Errorf("an unresolved PO: got %+v, want the built-in defaults %+v", got, want)
	}
	if got, want := c.ReferralLimits(), []time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute}; !equalDurations(got, want) {
		t.Errorf("ReferralLimits = %v, want %v", got, want)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A PO's crm: overrides defaults.crm field by field; other POs keep the
// defaults.
func TestCRMOverrides(t *testing.T) {
	c, err := Parse("crm.yaml", []byte(crmCatalogue(
		"  crm: {complaint_callback: 45m, contact_response_working_days: 8}",
		"    crm: {complaint_report_working_days: 3, referral_receipt_timeout: 20m}")))
	if err != nil {
		t.Fatal(err)
	}
	acme, _ := c.PO("acme")
	want := CRMDeadlines{ComplaintCallback: 45 * time.Minute, ComplaintReportWorkingDays: 3, UrgentComplaintReportWorkingDays: 1,
		ContactResponseWorkingDays: 8, MemberEnquiryWorkingDays: 10, ReferralReceiptTimeout: 20 * time.Minute}
	if got := acme.CRMDeadlines(); got != want {
		t.Errorf("acme: got %+v, want %+v", got, want)
	}
	bravo, _ := c.PO("bravo")
	want.ComplaintReportWorkingDays, want.ReferralReceiptTimeout = 5, 15*time.Minute
	if got := bravo.CRMDeadlines(); got != want {
		t.Errorf("bravo: got %+v, want %+v", got, want)
	}
	if got := want.ReportWorkingDays(true); got != 1 {
		t.Errorf("ReportWorkingDays(urgent) = %d", got)
	}
	if got := want.ResponseWorkingDays(true); got != 10 {
		t.Errorf("ResponseWorkingDays(member) = %d", got)
	}
}

func TestCRMInvalid(t *testing.T) {
	for _, tc := range []struct{ name, defaults, po, want string }{
		{"unknown field", "  crm: {callback: 30m}", "", "crm.yaml:4: callback: unknown field"},
		{"callback not a duration", "  crm: {complaint_callback: soon}", "",
			`crm.yaml:4: defaults.crm.complaint_callback: "soon" is not a duration`},
		{"callback too long", "  crm:\n    complaint_callback: 48h", "",
			"crm.yaml:5: defaults.crm.complaint_callback: 48h is out of range; give the time to call a complainant back from 1m to 24h"},
		{"receipt timeout too short", "", "    crm: {referral_receipt_timeout: 10s}",
			"crm.yaml:14: organisations[0].crm.referral_receipt_timeout: 10s is out of range; give how long a referral may wait for its delivery receipt from 1m to 24h"},
		{"zero working days", "  crm: {complaint_report_working_days: 0}", "",
			"crm.yaml:4: defaults.crm.complaint_report_working_days: must be 1 to 60 working days, not 0"},
		{"too many working days", "", "    crm:\n      member_enquiry_working_days: 365",
			"crm.yaml:15: organisations[0].crm.member_enquiry_working_days: must be 1 to 60 working days, not 365"},
		{"urgent longer than normal", "", "    crm: {complaint_report_working_days: 2, urgent_complaint_report_working_days: 3}",
			"crm.yaml:14: organisations[0].crm.urgent_complaint_report_working_days: 3 is longer than complaint_report_working_days (2)"},
		{"urgent longer than default normal", "  crm: {urgent_complaint_report_working_days: 6}", "",
			"crm.yaml:4: defaults.crm.urgent_complaint_report_working_days: 6 is longer than complaint_report_working_days (5)"},
		{"not a mapping", "  crm: 5", "", "crm.yaml:4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("crm.yaml", []byte(crmCatalogue(tc.defaults, tc.po)))
			if err == nil {
				t.Fatalf("no error; want %s", tc.want)
			}
			probs, ok := err.(Problems)
			if !ok || len(probs) != 1 {
				t.Fatalf("want exactly one problem, got:\n%v", err)
			}
			if got := probs[0].Error(); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// Working-day deadlines in the PO's own zone: the day of receipt never
// counts, weekends and bank holidays (and the catalogue's extra ones) are
// skipped, the deadline is midnight ending the n-th working day.
func TestWorkingDaysEnd(t *testing.T) {
	c, err := Parse("crm.yaml", []byte(strings.Replace(crmCatalogue("", ""), "version: 1\n", "version: 1\nextra_bank_holidays: [\"2026-06-15\"]\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	acme, _ := c.PO("acme")
	bravo, _ := c.PO("bravo")
	lon, _ := time.LoadLocation("Europe/London")
	ny, _ := time.LoadLocation("America/New_York")
	at := func(loc *time.Location, s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name string
		p    *PO
		t    time.Time
		n    int
		want time.Time
	}{
		{"monday morning, 1 day", acme, at(lon, "2026-11-02 09:00"), 1, at(lon, "2026-11-04 00:00")},
		{"monday just before midnight, 1 day", acme, at(lon, "2026-11-02 23:59"), 1, at(lon, "2026-11-04 00:00")},
		{"friday evening skips the weekend", acme, at(lon, "2026-11-06 20:00"), 1, at(lon, "2026-11-10 00:00")},
		{"saturday, 5 days", acme, at(lon, "2026-11-07 02:00"), 5, at(lon, "2026-11-14 00:00")},
		{"christmas eve, 5 days", acme, at(lon, "2026-12-24 10:00"), 5, at(lon, "2027-01-06 00:00")},
		{"easter: good friday and easter monday", acme, at(lon, "2026-04-02 18:00"), 1, at(lon, "2026-04-08 00:00")},
		{"an extra bank holiday", acme, at(lon, "2026-06-12 18:00"), 1, at(lon, "2026-06-17 00:00")},
		{"across the clocks going back", acme, at(lon, "2026-10-23 18:00"), 1, at(lon, "2026-10-27 00:00")},
		{"10 days for a member enquiry", acme, at(lon, "2026-11-02 18:00"), 10, at(lon, "2026-11-17 00:00")},
		// 02:00 UTC on Tuesday is still Monday in New York.
		{"the PO's own zone", bravo, time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC), 1, at(ny, "2026-11-04 00:00")},
	} {
		if got := c.WorkingDaysEnd(tc.p, tc.t, tc.n); !got.Equal(tc.want) {
			t.Errorf("%s: WorkingDaysEnd(%s, %d) = %s, want %s", tc.name, tc.t, tc.n, got, tc.want)
		}
	}
	if got, want := c.WorkingDaysEnd(acme, at(lon, "2026-12-24 10:00"), 5), c.AddWorkingDays(at(lon, "2026-12-24 10:00"), 5); !got.Equal(want) {
		t.Errorf("in the catalogue's zone WorkingDaysEnd %s differs from AddWorkingDays %s", got, want)
	}
}
