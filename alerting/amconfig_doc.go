package alerting

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// The types below are the subset of Alertmanager's configuration that
// slawatch writes, in the field order reviewers read. Alertmanager's own
// config types are used to parse the result in the tests, not to write it:
// they marshal defaults and hide secrets.

type amDocument struct {
	Route         amRoute           `yaml:"route"`
	InhibitRules  []amInhibitRule   `yaml:"inhibit_rules"`
	Receivers     []amReceiver      `yaml:"receivers"`
	TimeIntervals []amNamedInterval `yaml:"time_intervals"`
}

type amRoute struct {
	Receiver            string    `yaml:"receiver,omitempty"`
	Matchers            []string  `yaml:"matchers,flow,omitempty"`
	GroupBy             []string  `yaml:"group_by,flow,omitempty"`
	GroupWait           string    `yaml:"group_wait,omitempty"`
	GroupInterval       string    `yaml:"group_interval,omitempty"`
	RepeatInterval      string    `yaml:"repeat_interval,omitempty"`
	ActiveTimeIntervals []string  `yaml:"active_time_intervals,flow,omitempty"`
	Routes              []amRoute `yaml:"routes,omitempty"`

	comment string
}

type amInhibitRule struct {
	SourceMatchers []string `yaml:"source_matchers,flow"`
	TargetMatchers []string `yaml:"target_matchers,flow"`
	Equal          []string `yaml:"equal,flow,omitempty"`

	comment string
}

type amReceiver struct {
	Name           string      `yaml:"name"`
	WebhookConfigs []amWebhook `yaml:"webhook_configs"`
}

type amWebhook struct {
	URL          string `yaml:"url"`
	SendResolved bool   `yaml:"send_resolved"`
}

type amNamedInterval struct {
	Name          string           `yaml:"name"`
	TimeIntervals []amTimeInterval `yaml:"time_intervals"`

	comment string
}

type amTimeInterval struct {
	Weekdays    []string      `yaml:"weekdays,flow,omitempty"`
	Times       []amTimeRange `yaml:"times,flow,omitempty"`
	Years       []string      `yaml:"years,flow,omitempty"`
	Months      []string      `yaml:"months,flow,omitempty"`
	DaysOfMonth []string      `yaml:"days_of_month,flow,omitempty"`
	Location    string        `yaml:"location"`
}

type amTimeRange struct {
	Start string `yaml:"start_time"`
	End   string `yaml:"end_time"`
}

// node encodes the document and attaches the comments kept beside the
// route, inhibition and interval entries (yaml.v3 writes them above each
// list item).
func (d amDocument) node() (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(d); err != nil {
		return nil, err
	}
	routes := mapValue(mapValue(&n, "route"), "routes")
	for i, r := range d.Route.Routes {
		if err := comment(routes, i, r.comment); err != nil {
			return nil, err
		}
	}
	inhibit := mapValue(&n, "inhibit_rules")
	for i, r := range d.InhibitRules {
		if err := comment(inhibit, i, r.comment); err != nil {
			return nil, err
		}
	}
	intervals := mapValue(&n, "time_intervals")
	for i, ti := range d.TimeIntervals {
		if err := comment(intervals, i, ti.comment); err != nil {
			return nil, err
		}
	}
	return &n, nil
}

// mapValue is the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func comment(seq *yaml.Node, i int, text string) error {
	if text == "" {
		return nil
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || i >= len(seq.Content) {
		return fmt.Errorf("internal: no list item %d for comment %q", i, text)
	}
	seq.Content[i].HeadComment = text
	return nil
}
