package sms

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Secret is a credential (the Twilio auth token) that never prints: fmt,
// slog and JSON all show "[secret]". Reveal gives the value to the code
// that sends it to Twilio or signs with it.
type Secret struct{ v *string }

// NewSecret wraps a credential.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

const secretShown = "[secret]"

// Reveal is the credential itself; call it only where it is used.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.v == nil }

func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return secretShown
}

// Format makes every fmt verb print the hidden form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	io.WriteString(f, s.String())
}

// GoString keeps %#v from printing the credential.
func (s Secret) GoString() string { return s.String() }

// LogValue keeps the credential out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the hidden form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
