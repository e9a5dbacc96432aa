package apiauth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/slawatch/slawatch/internal/secret"
)

// Secret is a bearer token (it never prints; see internal/secret).
type Secret = secret.Secret

// NewSecret wraps a token.
func NewSecret(s string) Secret { return secret.New(s) }

// NewToken makes a random bearer token: 32 bytes from crypto/rand,
// base64url without padding (43 characters).
func NewToken() (Secret, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Secret{}, fmt.Errorf("apiauth: random token: %w", err)
	}
	return NewSecret(base64.RawURLEncoding.EncodeToString(b)), nil
}
