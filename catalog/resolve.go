package catalog

import (
	"strings"
	"time"
)

// builtinStandards are SPEC.md's defaults (Silver follows 6.3: 60 s).
func builtinStandards() map[string]Standard {
	five, ten := 5.0, 10.0
	return map[string]Standard{
		"platinum": {Tier: "platinum", TargetSeconds: 20, TargetPercent: 80, RestWithinSeconds: 30, MaxAbandonPercent: &five},
		"gold":     {Tier: "gold", TargetSeconds: 20, TargetPercent: 80, RestWithinSeconds: 30, MaxAbandonPercent: &five},
		"silver":   {Tier: "silver", TargetSeconds: 60, TargetPercent: 80, RestWithinSeconds: 60, MaxAbandonPercent: &ten},
		"bronze":   {Tier: "bronze", TargetSeconds: 60, TargetPercent: 80, RestWithinSeconds: 80},
	}
}

// DefaultBuckets are the histogram bounds every catalogue gets (seconds).
func DefaultBuckets() []float64 { return []float64{10, 15, 20, 30, 40, 60, 80, 90, 120, 180, 300, 600} }

// defaultHours: 17:00-08:00 on weekdays and Friday 17:00 to Monday 08:00.
func defaultHours() Hours {
	w := func(d1 time.Weekday, h1 int, d2 time.Weekday, h2 int) Window {
		return Window{From: WeekTime{Day: d1, Minutes: h1 * 60}, To: WeekTime{Day: d2, Minutes: h2 * 60}}
	}
	yes := true
	return Hours{
		Weekly: []Window{
			w(time.Monday, 17, time.Tuesday, 8), w(time.Tuesday, 17, time.Wednesday, 8),
			w(time.Wednesday, 17, time.Thursday, 8), w(time.Thursday, 17, time.Friday, 8),
			w(time.Friday, 17, time.Monday, 8),
		},
		BankHolidays24h: &yes, ChristmasWorkingDays24h: &yes,
	}
}

func mergeHours(base Hours, h *Hours) Hours {
	if h == nil {
		return base
	}
	out := base
	if len(h.Weekly) > 0 {
		out.Weekly = h.Weekly
	}
	if h.BankHolidays24h != nil {
		out.BankHolidays24h = h.BankHolidays24h
	}
	if h.ChristmasWorkingDays24h != nil {
		out.ChristmasWorkingDays24h = h.ChristmasWorkingDays24h
	}
	return out
}

func mergeStandard(s Standard, o StandardOverride) Standard {
	if o.TargetSeconds != nil {
		s.TargetSeconds = *o.TargetSeconds
	}
	if o.TargetPercent != nil {
		s.TargetPercent = *o.TargetPercent
	}
	if o.RestWithinSeconds != nil {
		s.RestWithinSeconds = *o.RestWithinSeconds
	}
	if o.MaxAbandonPercent != nil {
		s.MaxAbandonPercent = o.MaxAbandonPercent
	}
	return s
}

func mergeLineTest(base, o LineTest) LineTest {
	if o.ThresholdCallsPerHour != nil {
		base.ThresholdCallsPerHour = o.ThresholdCallsPerHour
	}
	if o.Interval.Set() {
		base.Interval = o.Interval
	}
	if o.Grace.Set() {
		base.Grace = o.Grace
	}
	if o.HandoverTest != nil {
		base.HandoverTest = o.HandoverTest
	}
	return base
}

// resolve applies defaults, validates, and builds the indexes.
func (c *Catalog) resolve(v *validator) {
	root := path{}
	if c.Version == 0 {
		c.Version = 1
	}
	if c.Version != 1 {
		v.errorf(root.add("version"), "unsupported version %d; this slawatch reads version 1", c.Version)
	}
	if c.TimeZone == "" {
		c.TimeZone = "Europe/London"
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		v.errorf(root.add("time_zone"), "unknown time zone %q; use an IANA name such as Europe/London", c.TimeZone)
		loc = time.UTC
	}
	c.loc = loc
	for i, d := range c.ExtraBankHolidays {
		v.scalar(root.add("extra_bank_holidays", i), d.scalar)
	}
	c.holidays = newHolidays(c.ExtraBankHolidays)

	v.overrides(root.add("standards"), c.Standards)
	std := builtinStandards()
	for tier, o := range c.Standards {
		if s, ok := std[tier]; ok {
			std[tier] = mergeStandard(s, o)
		}
	}

	d := &c.Defaults
	dp := root.add("defaults")
	if d.SLAFormula.Denominator == "" {
		d.SLAFormula.Denominator = DenomOffered
	}
	v.formula(dp.add("sla_formula"), d.SLAFormula)
	if d.MinCallsPerHour == nil {
		ten := 10
		d.MinCallsPerHour = &ten
	} else if *d.MinCallsPerHour < 1 {
		v.errorf(dp.add("min_calls_per_hour"), "must be 1 or more calls, not %d", *d.MinCallsPerHour)
	}
	v.scalar(dp.add("referral_limit"), d.ReferralLimit.scalar)
	if !d.ReferralLimit.Set() {
		d.ReferralLimit.D = 10 * time.Minute
	}
	v.lineTest(dp.add("line_test"), d.LineTest)
	d.LineTest = mergeLineTest(defaultLineTest(), d.LineTest)
	v.hours(dp.add("hours"), d.Hours)
	d.Hours = mergeHours(defaultHours(), &d.Hours)
	c.resolveCRMDefaults(v, dp.add("crm"))

	if len(c.Organisations) == 0 {
		v.errorf(root.add("organisations"), "no organisations; a catalogue lists at least one PO")
	}
	c.byPO = map[string]*PO{}
	c.byNum = map[string]*AccessNumber{}
	c.byQueue = map[string]*Queue{}
	thresholds := DefaultBuckets()
	people := map[string]string{} // person id -> PO id, catalogue-wide
	for i := range c.Organisations {
		p := &c.Organisations[i]
		pp := root.add("organisations", i)
		c.resolvePO(v, pp, p, std)
		c.resolveOnCall(v, pp, p, people)
		c.resolveLoneWorker(v, pp, p)
		c.resolveCRM(v, pp, p)
		for _, s := range p.standards {
			thresholds = append(thresholds, float64(s.TargetSeconds), float64(s.RestWithinSeconds))
		}
		if p.formula.ShortAbandonSeconds > 0 {
			thresholds = append(thresholds, float64(p.formula.ShortAbandonSeconds))
		}
	}
	c.resolveProvider(v, root.add("provider"), people)
	c.resolveMailRoom(v, root.add("mail_room"))
	c.resolveKPIs(v, root.add("kpis"))
	c.buckets = sortedUnique(thresholds)
}

func defaultLineTest() LineTest {
	two, yes := 2, true
	return LineTest{
		ThresholdCallsPerHour: &two,
		Interval:              Duration{D: 30 * time.Minute},
		Grace:                 Duration{D: 5 * time.Minute},
		HandoverTest:          &yes,
	}
}

func (c *Catalog) resolvePO(v *validator, pp path, p *PO, std map[string]Standard) {
	p.loc = c.loc
	if p.TimeZone == "" {
		p.TimeZone = c.TimeZone
	} else if loc, err := time.LoadLocation(p.TimeZone); err != nil {
		v.errorf(pp.add("time_zone"), "unknown time zone %q; use an IANA name such as Europe/London", p.TimeZone)
	} else {
		p.loc = loc
	}
	if p.ID == "" {
		v.errorf(pp.add("id"), "missing; every PO needs an id such as ealing")
	} else if v.id(pp.add("id"), p.ID, "PO id") {
		if _, dup := c.byPO[p.ID]; dup {
			v.errorf(pp.add("id"), "duplicate PO id %q", p.ID)
		}
		c.byPO[p.ID] = p
	}
	if strings.TrimSpace(p.Name) == "" {
		v.errorf(pp.add("name"), "missing; give the organisation's name")
	}
	if p.YearlyCalls < 0 {
		v.errorf(pp.add("yearly_calls"), "must be 0 (unknown) or more, not %d", p.YearlyCalls)
	}
	v.overrides(pp.add("standards"), p.Standards)
	p.standards = map[string]Standard{}
	for tier, s := range std {
		p.standards[tier] = mergeStandard(s, p.Standards[tier])
	}
	if pl, g := p.standards["platinum"], p.standards["gold"]; pl.TargetSeconds > g.TargetSeconds || pl.TargetPercent < g.TargetPercent {
		v.errorf(pp.add("standards", "platinum"), "platinum must be Gold or stricter (gold: %d%% within %d s; platinum: %d%% within %d s)",
			g.TargetPercent, g.TargetSeconds, pl.TargetPercent, pl.TargetSeconds)
	}
	for tier, s := range p.standards {
		if s.RestWithinSeconds < s.TargetSeconds {
			v.errorf(pp.add("standards", tier, "rest_within_seconds"), "%d s is shorter than the target of %d s", s.RestWithinSeconds, s.TargetSeconds)
		}
	}
	p.formula = c.Defaults.SLAFormula
	if p.SLAFormula != nil {
		p.formula = *p.SLAFormula
		v.formula(pp.add("sla_formula"), p.formula)
	}
	p.minCalls = *c.Defaults.MinCallsPerHour
	if p.MinCallsPerHour != nil {
		if *p.MinCallsPerHour < 1 {
			v.errorf(pp.add("min_calls_per_hour"), "must be 1 or more calls, not %d", *p.MinCallsPerHour)
		}
		p.minCalls = *p.MinCallsPerHour
	}
	v.scalar(pp.add("referral_limit"), p.ReferralLimit.scalar)
	if !p.ReferralLimit.Set() {
		p.ReferralLimit = c.Defaults.ReferralLimit
	}
	if p.Hours != nil {
		v.hours(pp.add("hours"), *p.Hours)
	}
	p.hours = mergeHours(c.Defaults.Hours, p.Hours)

	if len(p.ServiceOptions) == 0 {
		v.errorf(pp.add("service_options"), "no service options; a PO buys at least one")
	}
	seen := map[string]bool{}
	p.optIndex = map[string]int{}
	for j := range p.ServiceOptions {
		c.resolveOption(v, pp.add("service_options", j), p, &p.ServiceOptions[j], seen)
		if _, dup := p.optIndex[p.ServiceOptions[j].ID]; !dup {
			p.optIndex[p.ServiceOptions[j].ID] = j
		}
	}
	served := map[string]bool{}
	for j := range p.AccessNumbers {
		a := &p.AccessNumbers[j]
		ap := pp.add("access_numbers", j)
		a.po = p
		if !reE164.MatchString(a.Number) {
			v.errorf(ap.add("number"), "%q is not an E.164 number; write it as +44 then the number without the leading 0, no spaces", a.Number)
		} else if other, dup := c.byNum[a.Number]; dup {
			v.errorf(ap.add("number"), "%s is already an access number of %s; a number belongs to one PO", a.Number, other.po.ID)
		} else {
			c.byNum[a.Number] = a
		}
		if len(a.ServiceOptions) == 0 {
			v.errorf(ap.add("service_options"), "missing; list the service options this number serves, or [\"*\"] for all")
		}
		for k, so := range a.ServiceOptions {
			if so == "*" && len(a.ServiceOptions) == 1 {
				continue
			}
			if !seen[so] {
				v.errorf(ap.add("service_options", k), "%q is not a service option of %s", so, p.ID)
			}
		}
		a.serves = map[string]bool{}
		for _, so := range a.Options() {
			served[so] = true
			a.serves[so] = true
		}
		v.lineTest(ap.add("line_test"), a.LineTest)
		a.LineTest = mergeLineTest(c.Defaults.LineTest, a.LineTest)
	}
	if len(p.AccessNumbers) == 0 {
		v.errorf(pp.add("access_numbers"), "no access numbers; a PO has at least one publicly advertised number")
	}
	for j, so := range p.ServiceOptions {
		if so.ID != "" && !served[so.ID] && len(p.AccessNumbers) > 0 {
			v.errorf(pp.add("service_options", j), "%s is served by none of %s's access numbers", so.ID, p.ID)
		}
	}
	for j := range p.Queues {
		q := &p.Queues[j]
		qp := pp.add("queues", j)
		q.po = p
		if !reQueue.MatchString(q.Name) {
			v.errorf(qp.add("name"), "queue name %q must be letters, digits, ., _ or -", q.Name)
		} else if other, dup := c.byQueue[q.Name]; dup {
			v.errorf(qp.add("name"), "queue %q is already mapped for %s", q.Name, other.po.ID)
		} else {
			c.byQueue[q.Name] = q
		}
		if !seen[q.ServiceOption] {
			v.errorf(qp.add("service_option"), "%q is not a service option of %s", q.ServiceOption, p.ID)
		}
		if a, ok := c.byNum[q.AccessNumber]; !ok || a.po != p {
			v.errorf(qp.add("access_number"), "%q is not an access number of %s", q.AccessNumber, p.ID)
		} else if seen[q.ServiceOption] && !a.Serves(q.ServiceOption) {
			v.errorf(qp.add("access_number"), "%s does not serve %s", q.AccessNumber, q.ServiceOption)
		}
	}
}

func (c *Catalog) resolveOption(v *validator, sp path, p *PO, so *ServiceOption, seen map[string]bool) {
	if so.ID == "" {
		v.errorf(sp.add("id"), "missing; every service option needs an id such as noise_patrol")
	} else if v.id(sp.add("id"), so.ID, "service option") {
		if seen[so.ID] {
			v.errorf(sp.add("id"), "duplicate service option %q in %s", so.ID, p.ID)
		}
		seen[so.ID] = true
	}
	if len(so.Standards) == 0 {
		v.errorf(sp.add("standards"), "missing; give the standard in force and its date, e.g. [{standard: gold, from: 2026-04-01}]")
	}
	for k, ch := range so.Standards {
		cp := sp.add("standards", k)
		if !isTier(ch.Standard) {
			v.errorf(cp.add("standard"), "unknown standard %q; valid: %s", ch.Standard, strings.Join(Tiers(), ", "))
		}
		if !ch.From.Set() {
			v.errorf(cp, "missing from: the date this standard applies from (YYYY-MM-DD)")
		}
		v.scalar(cp.add("from"), ch.From.scalar)
		if k > 0 && ch.From.err == nil && so.Standards[k-1].From.err == nil &&
			!ch.From.In(time.UTC).After(so.Standards[k-1].From.In(time.UTC)) {
			v.errorf(cp.add("from"), "%s is not after the previous change (%s); list changes oldest first", ch.From, so.Standards[k-1].From)
		}
	}
	v.scalar(sp.add("referral_limit"), so.ReferralLimit.scalar)
	if !so.ReferralLimit.Set() {
		so.ReferralLimit = p.ReferralLimit
	}
	if so.Hours != nil {
		v.hours(sp.add("hours"), *so.Hours)
	}
	for k, g := range so.ClosedDaily {
		gp := sp.add("closed_daily", k)
		v.scalar(gp.add("from"), g.From.scalar)
		v.scalar(gp.add("to"), g.To.scalar)
		if g.From.Minutes == g.To.Minutes {
			v.errorf(gp, "from and to are the same time; a closed period must have a length")
		}
	}
}
