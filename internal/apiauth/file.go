package apiauth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// ScopeAll is the scope of the provider's staff: every PO.
const ScopeAll = "*"

var (
	reName  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
	reScope = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)
	reHash  = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// Credential is one line of the credentials file: who (Name, shown in the
// audit trail as the author of changes) may do what (Scope).
type Credential struct {
	Name string
	// Scope is a PO id or ScopeAll.
	Scope string
	// Line is the line of the file the credential is on.
	Line int
	hash [sha256.Size]byte
}

// Credentials is a parsed credentials file. It is read-only after
// parsing and safe for concurrent use.
type Credentials struct {
	file string
	list []Credential
}

// HashToken is the line's third field for a token: its SHA-256 in hex.
func HashToken(token Secret) string {
	h := sha256.Sum256([]byte(token.Reveal()))
	return hex.EncodeToString(h[:])
}

// Line is a line of the credentials file for a new credential.
func Line(name, scope string, token Secret) string {
	return name + " " + scope + " " + HashToken(token)
}

// LoadCredentials reads the credentials file at path (see the package doc).
func LoadCredentials(path string) (*Credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("apiauth: credentials: %w", err)
	}
	return ParseCredentials(path, data)
}

// ParseCredentials parses a credentials file already read; name is the
// file name used in messages. Every problem is reported, each as
// "name:line: what is wrong and what is valid". The third field is never
// echoed, in case someone pasted a token instead of its hash.
func ParseCredentials(name string, data []byte) (*Credentials, error) {
	cs := &Credentials{file: name}
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	byName := map[string]int{}
	byHash := map[[sha256.Size]byte]int{}
	for i, raw := range strings.Split(string(data), "\n") {
		line := i + 1
		text, _, _ := strings.Cut(raw, "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 3 {
			bad(line, "has %d fields; want 3: name scope sha256hex (e.g. ealing-office ealing 9f86…0a08)", len(fields))
			continue
		}
		c := Credential{Name: fields[0], Scope: fields[1], Line: line}
		ok := true
		if !reName.MatchString(c.Name) {
			bad(line, "name %q: want 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", c.Name)
			ok = false
		} else if prev, dup := byName[c.Name]; dup {
			bad(line, "name %q is already on line %d; names are unique (they sign the audit trail)", c.Name, prev)
			ok = false
		}
		if c.Scope != ScopeAll && !reScope.MatchString(c.Scope) {
			bad(line, "scope %q: want a PO id (lower-case letters, digits, '_' and '-', e.g. ealing) or * for every PO", c.Scope)
			ok = false
		}
		if !reHash.MatchString(fields[2]) {
			bad(line, "third field is not a SHA-256 hash: want 64 hex digits (e.g. from `printf %%s TOKEN | sha256sum`), never the token itself")
			continue
		}
		hex.Decode(c.hash[:], []byte(strings.ToLower(fields[2])))
		if prev, dup := byHash[c.hash]; dup {
			bad(line, "the token hash is already on line %d; give every credential its own token", prev)
			continue
		}
		if !ok {
			continue
		}
		byName[c.Name], byHash[c.hash] = line, line
		cs.list = append(cs.list, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(cs.list) == 0 {
		return nil, fmt.Errorf("%s: no credentials; add lines \"name scope sha256hex\" (scope: a PO id or *)", name)
	}
	return cs, nil
}

// List returns the credentials in file order.
func (cs *Credentials) List() []Credential { return append([]Credential(nil), cs.list...) }

// CheckScopes reports every credential whose scope is neither * nor one of
// the PO ids given (a typo would lock its holder out silently).
func (cs *Credentials) CheckScopes(poIDs []string) error {
	known := map[string]bool{}
	for _, id := range poIDs {
		known[id] = true
	}
	var errs []error
	for _, c := range cs.list {
		if c.Scope != ScopeAll && !known[c.Scope] {
			errs = append(errs, fmt.Errorf("%s:%d: scope %q of %s is not a PO of the catalogue; POs: %s",
				cs.file, c.Line, c.Scope, c.Name, strings.Join(poIDs, ", ")))
		}
	}
	return errors.Join(errs...)
}
