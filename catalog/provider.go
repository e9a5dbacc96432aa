package catalog

// ProviderID is the po of the provider's own incidents and the owner of
// its people in messages ("the provider's duty managers").
const ProviderID = "provider"

// Provider is the call-handling provider's on-call: its duty managers are
// the catch-all step of every escalation policy and are paged together.
type Provider struct {
	// People are the provider's on-call contacts (personal data, redacted
	// like a PO's people).
	People []Person `yaml:"people"`
	// DutyManagers are the person ids paged by a duty_managers target.
	DutyManagers []string `yaml:"duty_managers"`
	// SlackChannel is the duty managers' channel, posted to with them.
	SlackChannel string `yaml:"slack_channel"`
	// LineTestCallers are the provider's numbers that place line-test
	// calls (E.164): a call from one of them is a test call, never offered.
	LineTestCallers []string `yaml:"line_test_callers"`
}

// IsLineTestCaller reports whether n (E.164) is one of the provider's
// line-test caller numbers.
func (c *Catalog) IsLineTestCaller(n string) bool {
	for _, x := range c.Provider.LineTestCallers {
		if x == n {
			return true
		}
	}
	return false
}

// DutyManagers are the provider's duty managers, in catalogue order.
func (c *Catalog) DutyManagers() []Person {
	var out []Person
	if c.provider == nil {
		return nil
	}
	for _, id := range c.Provider.DutyManagers {
		if p, ok := c.provider.personIndex[id]; ok {
			out = append(out, *p)
		}
	}
	return out
}

// PersonByID finds a person of any PO or of the provider by id; po is
// the owner (ProviderID for the provider's people).
func (c *Catalog) PersonByID(id string) (p Person, po string, ok bool) {
	if c.provider != nil {
		if x, ok := c.provider.personIndex[id]; ok {
			return *x, ProviderID, true
		}
	}
	for i := range c.Organisations {
		if x, ok := c.Organisations[i].personIndex[id]; ok {
			return *x, c.Organisations[i].ID, true
		}
	}
	return Person{}, "", false
}

// PersonBy finds the person whose channel value (an E.164 number for
// "sms", a member id for "slack") equals addr. Numbers are compared as
// given (E.164 on both sides).
func (c *Catalog) PersonBy(channel, addr string) (p Person, po string, ok bool) {
	match := func(x *Person) bool {
		var v Private
		switch channel {
		case "sms":
			v = x.SMS
		case "slack":
			v = x.Slack
		case "email":
			v = x.Email
		default:
			return false
		}
		return !v.IsZero() && v.Reveal() == addr
	}
	if c.provider != nil {
		for i := range c.provider.People {
			if match(&c.provider.People[i]) {
				return c.provider.People[i], ProviderID, true
			}
		}
	}
	for i := range c.Organisations {
		o := &c.Organisations[i]
		for j := range o.People {
			if match(&o.People[j]) {
				return o.People[j], o.ID, true
			}
		}
	}
	return Person{}, "", false
}

func (c *Catalog) resolveProvider(v *validator, pp path, people map[string]string) {
	pr := &c.Provider
	c.provider = &PO{ID: ProviderID, People: pr.People, personIndex: map[string]*Person{}}
	for j := range c.provider.People {
		c.resolvePerson(v, pp.add("people", j), c.provider, &c.provider.People[j], people)
	}
	pr.People = c.provider.People
	for j, id := range pr.DutyManagers {
		if _, ok := c.provider.personIndex[id]; !ok {
			v.errorf(pp.add("duty_managers", j), "%q is not one of provider.people; list the duty managers' person ids", id)
		}
	}
	for j, n := range pr.LineTestCallers {
		if !reE164.MatchString(n) {
			v.errorf(pp.add("line_test_callers", j), "%q is not an E.164 number; write + and the country code, no spaces, e.g. +442079460999", n)
		} else if _, public := c.byNum[n]; public {
			v.errorf(pp.add("line_test_callers", j), "%s is a PO's public access number; test calls come from a number of the provider's own", n)
		}
	}
	if pr.SlackChannel != "" && !reSlackChannel.MatchString(pr.SlackChannel) {
		v.errorf(pp.add("slack_channel"), "%q is not a Slack channel name; use lower case, digits, - and _, e.g. \"#ooh-duty\"", pr.SlackChannel)
	}
}
