package tenancy

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"

	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/internal/secret"
)

// NewToken makes a token: 32 random bytes, base64url (43 characters).
func NewToken() (secret.Secret, error) { return apiauth.NewToken() }

// HashToken is the token's SHA-256 in lower-case hex, as the credentials
// file holds it.
func HashToken(token secret.Secret) string {
	h := sha256.Sum256([]byte(token.Reveal()))
	return hex.EncodeToString(h[:])
}

// Entry is the credentials-file line for a user of a PO with this token
// (its hash only), indented to sit under `credentials:`.
func Entry(po, user string, token secret.Secret) string {
	return fmt.Sprintf("  - {po: %s, user: %s, token_sha256: %q}\n", po, user, HashToken(token))
}

// Authenticate returns the credential of user when token is its token.
// The token's hash is compared in constant time.
func (cs *Credentials) Authenticate(user string, token secret.Secret) (Credential, bool) {
	h := sha256.Sum256([]byte(token.Reveal()))
	// An unknown user is compared against zeros, so that it costs the
	// same as a wrong token.
	var zero [sha256.Size]byte
	want, i := &zero, -1
	if j, ok := cs.byUser[user]; ok {
		want, i = &cs.list[j].hash, j
	}
	match := subtle.ConstantTimeCompare(h[:], want[:]) == 1
	if i < 0 || !match || token.IsZero() {
		return Credential{}, false
	}
	return cs.list[i], true
}
