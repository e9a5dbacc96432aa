package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Secret is a credential (a bot token, a signing secret) that never
// prints: fmt (every verb), slog and JSON show "[redacted]". Reveal gives
// the value to the code that sends it.
type Secret struct{ v *string }

// NewSecret wraps a value; "" gives the zero Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

// Reveal is the value itself; call it only where it is sent or used as a key.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether no value is set.
func (s Secret) IsZero() bool { return s.v == nil }

// String is "[redacted]", or "" when unset.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return "[redacted]"
}

// Format makes every fmt verb print the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	io.WriteString(f, s.String())
}

// GoString is the redacted form, for %#v.
func (s Secret) GoString() string { return s.String() }

// LogValue keeps the value out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
