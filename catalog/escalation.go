package catalog

import "time"

// DefaultStepDelay is an escalation step's delay when it gives none.
const DefaultStepDelay = 15 * time.Minute

// Policy is an escalation policy of a PO: steps paged in order, each
// waiting its delay for an acknowledgement before the next; the steps run
// 1+Repeat times, then the catch-all step pages the provider's duty
// managers. A policy whose last step does not page the duty managers gets
// that catch-all step added implicitly (ImplicitCatchAll reports it).
type Policy struct {
	ID string `yaml:"id"`
	// ServiceOptions the policy applies to; none makes it the PO's default.
	ServiceOptions []string `yaml:"service_options"`
	// LoneWorker marks a policy for lone-worker alarms only (a staff
	// group's escalation_policy): never a default or an option's policy.
	LoneWorker bool `yaml:"lone_worker"`
	// Repeat is how many more times the steps run after the first pass.
	Repeat int              `yaml:"repeat"`
	Steps  []EscalationStep `yaml:"steps"`

	steps    []EscalationStep // the repeated steps (without the catch-all)
	catchAll EscalationStep
	implicit bool
}

// EscalationStep pages its targets, then waits Delay before the next step.
type EscalationStep struct {
	Targets []Target `yaml:"targets"`
	Delay   Delay    `yaml:"delay"`
}

// Target is exactly one of: a rota (whoever is on call), a person, the
// provider's duty-manager group, or a Slack channel.
type Target struct {
	Rota         string `yaml:"rota"`
	Person       string `yaml:"person"`
	DutyManagers bool   `yaml:"duty_managers"`
	SlackChannel string `yaml:"slack_channel"`
}

// Target kinds.
const (
	TargetRota         = "rota"
	TargetPerson       = "person"
	TargetDutyManagers = "duty_managers"
	TargetSlackChannel = "slack_channel"
)

// Kind is which of the four the target is ("" when none is set).
func (t Target) Kind() string {
	switch {
	case t.Rota != "":
		return TargetRota
	case t.Person != "":
		return TargetPerson
	case t.DutyManagers:
		return TargetDutyManagers
	case t.SlackChannel != "":
		return TargetSlackChannel
	}
	return ""
}

func (t Target) String() string {
	switch t.Kind() {
	case TargetRota:
		return "rota " + t.Rota
	case TargetPerson:
		return "person " + t.Person
	case TargetDutyManagers:
		return "duty managers"
	case TargetSlackChannel:
		return "slack " + t.SlackChannel
	}
	return "no target"
}

// ImplicitCatchAll reports whether the catch-all step to the provider's
// duty managers was added because the policy did not end with one.
func (p *Policy) ImplicitCatchAll() bool { return p.implicit }

// catchAllStep pages the provider's duty managers.
func catchAllStep() EscalationStep {
	return EscalationStep{Targets: []Target{{DutyManagers: true}}}
}

// EscalationFor is the policy for the PO's service option: the policy that
// lists it, else the PO's default policy (one without service options).
// ok is false when neither exists; Plan then pages the duty managers only.
func (c *Catalog) EscalationFor(po, serviceOption string) (*Policy, bool) {
	p, ok := c.byPO[po]
	if !ok {
		return nil, false
	}
	if pol, ok := p.policyByOption[serviceOption]; ok {
		return pol, true
	}
	if p.defaultPolicy != nil {
		return p.defaultPolicy, true
	}
	return nil, false
}

// Policy returns the PO's escalation policy by id.
func (p *PO) Policy(id string) (*Policy, bool) {
	for i := range p.Escalation {
		if p.Escalation[i].ID == id {
			return &p.Escalation[i], true
		}
	}
	return nil, false
}
