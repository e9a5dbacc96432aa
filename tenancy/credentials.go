package tenancy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Credential is one login of the proxy: a user, the PO it sees and the
// SHA-256 of its token (the token itself is never stored).
type Credential struct {
	// User is the HTTP Basic user name (Grafana's basicAuthUser).
	User string
	// PO is the catalogue PO whose series the user sees.
	PO string
	// Line is the line of the entry in the credentials file.
	Line int
	hash [sha256.Size]byte
}

// Credentials is a parsed credentials file.
type Credentials struct {
	file   string
	list   []Credential
	byUser map[string]int
}

var (
	reUser = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
	rePO   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	reHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

	reYAMLLine = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// credentialFields are an entry's fields, all required.
var credentialFields = []string{"po", "user", "token_sha256"}

// LoadCredentials reads and parses the credentials file at path.
func LoadCredentials(path string) (*Credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	return ParseCredentials(path, data)
}

// ParseCredentials parses a credentials file (name is used in messages):
//
//	credentials:
//	  - {po: rbkc, user: rbkc, token_sha256: "<64 lowercase hex>"}
//
// Every problem is reported, each as FILE:LINE: FIELD: what is wrong and
// what would be valid. Errors never repeat a token_sha256 value (someone
// may have pasted the token itself there).
func ParseCredentials(name string, data []byte) (*Credentials, error) {
	p := &fileParser{file: name}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("%s:%s: not valid YAML: %s", name, m[1], m[2])
		}
		return nil, fmt.Errorf("%s: not valid YAML: %s", name, msg)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, fmt.Errorf("%s:1: the file is empty; want `credentials:` with one entry per user (slawatch proxy token --po PO makes one)", name)
	}
	cs := &Credentials{file: name, byUser: map[string]int{}}
	seq := p.top(root.Content[0])
	if seq != nil {
		hashes := map[[sha256.Size]byte]int{}
		for i, item := range seq.Content {
			c, ok := p.entry(fmt.Sprintf("credentials[%d]", i), item)
			if !ok {
				continue
			}
			if first, dup := cs.byUser[c.User]; dup {
				p.add(item.Line, fmt.Sprintf("credentials[%d].user", i), fmt.Sprintf("%q is already on line %d; users must be unique", c.User, cs.list[first].Line))
				continue
			}
			if line, dup := hashes[c.hash]; dup {
				p.add(item.Line, fmt.Sprintf("credentials[%d].token_sha256", i), fmt.Sprintf("the same token hash is already on line %d; give every user its own token", line))
				continue
			}
			hashes[c.hash] = c.Line
			cs.byUser[c.User] = len(cs.list)
			cs.list = append(cs.list, c)
		}
		if len(seq.Content) == 0 {
			p.add(seq.Line, "credentials", "no entries; add one per user (slawatch proxy token --po PO prints one)")
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return cs, nil
}

// fileParser collects the problems of one file.
type fileParser struct {
	file  string
	probs []problem
}

type problem struct {
	line int
	msg  string
}

func (p *fileParser) add(line int, field, msg string) {
	p.probs = append(p.probs, problem{line, fmt.Sprintf("%s:%d: %s: %s", p.file, line, field, msg)})
}

// err is every problem, in line order.
func (p *fileParser) err() error {
	if len(p.probs) == 0 {
		return nil
	}
	slices.SortStableFunc(p.probs, func(a, b problem) int { return a.line - b.line })
	msgs := make([]string, len(p.probs))
	for i, pr := range p.probs {
		msgs[i] = pr.msg
	}
	return fmt.Errorf("%s", strings.Join(msgs, "\n"))
}

// top checks the document is {credentials: [...]} and returns the sequence.
func (p *fileParser) top(doc *yaml.Node) *yaml.Node {
	if doc.Kind != yaml.MappingNode {
		p.add(doc.Line, "(top level)", "want a mapping with the one key `credentials`")
		return nil
	}
	var seq *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		switch {
		case k.Value != "credentials":
			p.add(k.Line, k.Value, "unknown field; the only top-level field is `credentials`")
		case seq != nil:
			p.add(k.Line, "credentials", "given twice")
		case v.Kind != yaml.SequenceNode:
			p.add(v.Line, "credentials", "want a list of entries {po, user, token_sha256}")
			return nil
		default:
			seq = v
		}
	}
	if seq == nil {
		p.add(doc.Line, "credentials", "missing; want a list of entries {po, user, token_sha256}")
	}
	return seq
}

// entry checks one {po, user, token_sha256} entry.
func (p *fileParser) entry(path string, n *yaml.Node) (Credential, bool) {
	c := Credential{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, path, "want a mapping {po: ID, user: NAME, token_sha256: HEX}")
		return c, false
	}
	before := len(p.probs)
	vals := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := path + "." + k.Value
		switch {
		case !slices.Contains(credentialFields, k.Value):
			p.add(k.Line, field, "unknown field; an entry has po, user and token_sha256")
		case vals[k.Value] != nil:
			p.add(k.Line, field, "given twice")
		case v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Value == "":
			p.add(v.Line, field, "want a non-empty string")
			vals[k.Value] = v
		default:
			vals[k.Value] = v
		}
	}
	for _, f := range credentialFields {
		if vals[f] == nil {
			p.add(n.Line, path+"."+f, "missing")
		}
	}
	if len(p.probs) > before {
		return c, false
	}
	c.PO, c.User = vals["po"].Value, vals["user"].Value
	if !rePO.MatchString(c.PO) {
		p.add(vals["po"].Line, path+".po", fmt.Sprintf("%q is not a PO id (lower-case letters, digits, _; as in the catalogue)", c.PO))
	}
	if err := CheckUser(c.User); err != nil {
		p.add(vals["user"].Line, path+".user", err.Error())
	}
	h := vals["token_sha256"]
	if !reHash.MatchString(h.Value) {
		p.add(h.Line, path+".token_sha256", "want the token's SHA-256 as 64 lower-case hex digits, not the token "+
			"(slawatch proxy token --po PO prints the entry)")
	} else {
		hex.Decode(c.hash[:], []byte(h.Value))
	}
	return c, len(p.probs) == before
}

// CheckUser checks a user name as the credentials file does: 1 to 64
// letters, digits, '.', '_', '@' or '-', starting with a letter or digit,
// and not a YAML spelling of null (an entry printed with it would not
// load).
func CheckUser(user string) error {
	if !reUser.MatchString(user) {
		return fmt.Errorf("%q: want 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", user)
	}
	if strings.EqualFold(user, "null") {
		return fmt.Errorf("%q: YAML reads it as no value; choose another user name", user)
	}
	return nil
}

// CheckPOs reports every entry whose PO is not one of pos (the catalogue's).
func (cs *Credentials) CheckPOs(pos []string) error {
	var probs []string
	for _, c := range cs.list {
		if !slices.Contains(pos, c.PO) {
			probs = append(probs, fmt.Sprintf("%s:%d: po: %q (user %s) is not a PO of the catalogue; POs: %s",
				cs.file, c.Line, c.PO, c.User, strings.Join(pos, ", ")))
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("%s", strings.Join(probs, "\n"))
	}
	return nil
}

// List is every credential, in file order.
func (cs *Credentials) List() []Credential { return slices.Clone(cs.list) }

// File is the name the credentials were parsed under.
func (cs *Credentials) File() string { return cs.file }
