package catalog

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
)

var rePINHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// PINHash is the pin_sha256 of a person's lone-worker PIN: the hex SHA-256
// of "<person id>:<pin>" (salted by the id, so two officers' equal PINs
// have different hashes).
func PINHash(personID, pin string) string {
	sum := sha256.Sum256([]byte(personID + ":" + pin))
	return hex.EncodeToString(sum[:])
}

// OfficerByPIN finds the lone-worker officer whose PIN is pin (a caller on
// a phone that is not their own): the person, their PO and staff groups.
// Every officer with a PIN is compared, in constant time each; a PIN that
// matches two officers identifies nobody (ok false).
func (c *Catalog) OfficerByPIN(pin string) (p Person, po string, groups []string, ok bool) {
	if pin == "" {
		return Person{}, "", nil, false
	}
	var match []string
	for _, x := range c.officers() {
		if x.PINSHA256 != "" && subtle.ConstantTimeCompare([]byte(PINHash(x.ID, pin)), []byte(x.PINSHA256)) == 1 {
			match = append(match, x.ID)
		}
	}
	if len(match) != 1 {
		return Person{}, "", nil, false
	}
	return c.OfficerByID(match[0])
}
