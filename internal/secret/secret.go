// Package secret is the one type for tokens, passwords and signing keys:
// a value that never prints.
package secret

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Secret is a token or password that never prints: fmt (every verb, even
// inside structs printed raw), slog and JSON show "[redacted]". Reveal
// gives the value to the code that must use it. The value sits behind a
// pointer so that raw printing of a struct holding a Secret shows only an
// address.
type Secret struct{ v *string }

// New wraps a value ("" gives the zero Secret).
func New(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

const redacted = "[redacted]"

// Reveal is the value itself; call it only where the value is used.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether no value is set.
func (s Secret) IsZero() bool { return s.v == nil }

func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return redacted
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
