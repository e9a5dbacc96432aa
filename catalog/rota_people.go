package catalog

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"gopkg.in/yaml.v3"
)

// Person is an on-call contact of a PO: a reference id and the channels
// they are paged on. Names and contact details are personal data: they
// live in the catalogue (and later the store) only, never in metrics,
// labels or logs. Printing a Person with fmt, or logging it with slog,
// shows only the reference id and which channels exist.
type Person struct {
	// ID is the reference id, e.g. ealing-dso-1; unique in the catalogue.
	ID string `yaml:"id"`
	// Name is the display name shown to the duty manager.
	Name Private `yaml:"name"`
	// SMS is an E.164 mobile number.
	SMS Private `yaml:"sms"`
	// Slack is a Slack member id such as U012AB3CD.
	Slack Private `yaml:"slack"`
	// Email is an e-mail address.
	Email Private `yaml:"email"`
	// PINSHA256 lets a lone-worker officer calling from another phone
	// identify themselves with a PIN: the hex SHA-256 of "<id>:<pin>"
	// (PINHash). Optional; the PIN itself is never in the catalogue.
	PINSHA256 string `yaml:"pin_sha256"`
}

// Channels lists the kinds of channel the person can be paged on, in the
// order sms, slack, email.
func (p Person) Channels() []string {
	var out []string
	for _, c := range []struct {
		kind string
		v    Private
	}{{"sms", p.SMS}, {"slack", p.Slack}, {"email", p.Email}} {
		if !c.v.IsZero() {
			out = append(out, c.kind)
		}
	}
	return out
}

// Reachable reports whether the person has at least one channel.
func (p Person) Reachable() bool { return !p.SMS.IsZero() || !p.Slack.IsZero() || !p.Email.IsZero() }

// String is the redacted form: "ealing-dso-1 [sms slack]".
func (p Person) String() string {
	ch := p.Channels()
	if len(ch) == 0 {
		return p.ID + " [no channel]"
	}
	return p.ID + " [" + strings.Join(ch, " ") + "]"
}

// Format makes every fmt verb (%v, %+v, %#v, %s, %q) print the redacted form.
func (p Person) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", p.String())
		return
	}
	io.WriteString(f, p.String())
}

// LogValue keeps contact details out of slog output (text and JSON).
func (p Person) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", p.ID), slog.String("channels", strings.Join(p.Channels(), ",")))
}

// MarshalJSON writes the redacted form; senders use the fields' Reveal.
func (p Person) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID       string   `json:"id"`
		Channels []string `json:"channels"`
	}{p.ID, p.Channels()})
}

// Private is a piece of personal data (a name, a phone number, an address)
// that never prints: fmt (every verb, even through structs printed raw),
// slog and JSON all show "[redacted]". Reveal gives the value to the code
// that needs it (a sender dialling the number). The value sits behind a
// pointer so that even fmt's raw printing of unexported fields shows only
// an address.
type Private struct {
	v    *string
	line int
	err  error // a value that is not a single scalar, reported by validation
}

// NewPrivate wraps a value.
func NewPrivate(s string) Private {
	if s == "" {
		return Private{}
	}
	return Private{v: &s}
}

const redacted = "[redacted]"

func (s *Private) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		*s = Private{line: n.Line, err: fmt.Errorf("must be a single value, not a %s", kindName(n.Kind))}
		return nil
	}
	*s = NewPrivate(n.Value)
	return nil
}

// Reveal is the value itself; call it only where the value is sent.
func (s Private) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether no value is set.
func (s Private) IsZero() bool { return s.v == nil }

func (s Private) String() string {
	if s.IsZero() {
		return ""
	}
	return redacted
}

// Format makes every fmt verb print the redacted form.
func (s Private) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	io.WriteString(f, s.String())
}

func (s Private) GoString() string { return s.String() }

// LogValue keeps the value out of slog output.
func (s Private) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the redacted form.
func (s Private) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
