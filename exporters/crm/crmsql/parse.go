package crmsql

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

// Load reads, defaults and validates the mapping file at path. On failure
// the error is catalog.Problems, each naming the file, line and field and
// what would be valid.
func Load(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CRM mapping: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load on bytes already read; name is used in messages.
func Parse(name string, data []byte) (*Mapping, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, catalog.Problems{yamlProblem(name, err.Error())}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, catalog.Problems{{File: name, Line: 1, Msg: "the file is empty; a CRM mapping needs at least `tables:`"}}
	}
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, catalog.Problems{yamlProblem(name, err.Error())}
		}
		v := &validator{file: name, root: root.Content[0]}
		var probs catalog.Problems
		for _, msg := range te.Errors {
			p := yamlProblem(name, msg)
			if p.Field == "" && p.Line > 0 {
				p.Field = v.pathAt(p.Line).String()
			}
			probs = append(probs, p)
		}
		return nil, probs
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, catalog.Problems{{File: name, Line: extra.Line, Msg: "a second YAML document (after ---); a mapping file holds one document: " +
			"remove the --- line, or the document after it"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, catalog.Problems{yamlProblem(name, err.Error())}
	}
	m.File = name
	v := &validator{file: name, root: root.Content[0]}
	m.resolve(v)
	if len(v.probs) > 0 {
		sort.SliceStable(v.probs, func(i, j int) bool { return v.probs[i].Line < v.probs[j].Line })
		return nil, v.probs
	}
	return &m, nil
}

var (
	reUnknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
	reLine         = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// yamlProblem turns a yaml.v3 message into a Problem with its line, and an
// unknown field into the list of fields valid there.
func yamlProblem(file, msg string) catalog.Problem {
	if m := reUnknownField.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return catalog.Problem{File: file, Line: line, Field: m[2],
			Msg: "unknown field; valid here: " + strings.Join(fieldsOf(m[3]), ", ")}
	}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return catalog.Problem{File: file, Line: line, Msg: m[2]}
	}
	return catalog.Problem{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// fieldsOf lists the YAML keys of a mapping type named as yaml.v3 names it
// ("crmsql.Table").
func fieldsOf(typeName string) []string {
	for _, x := range []any{Mapping{}, Table{}, EventMap{}, Field{}} {
		t := reflect.TypeOf(x)
		if t.String() != typeName {
			continue
		}
		var out []string
		for i := 0; i < t.NumField(); i++ {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
				out = append(out, tag)
			}
		}
		return out
	}
	return nil
}

// validator collects problems, locating each by its path in the YAML tree.
type validator struct {
	file  string
	root  *yaml.Node
	probs catalog.Problems
}

// path elements are map keys (string) or list indexes (int).
type path []any

func (p path) add(elems ...any) path { return append(append(path(nil), p...), elems...) }

func (p path) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, e)
		}
	}
	return b.String()
}

// line finds the line of the deepest node along p (the enclosing entry's
// line for a missing field).
func (v *validator) line(p path) int {
	n, line := v.root, v.root.Line
	for _, e := range p {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yaml.Node
		switch e := e.(type) {
		case int:
			if n.Kind == yaml.SequenceNode && e < len(n.Content) {
				next = n.Content[e]
			}
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == e {
						next = n.Content[i+1]
					}
				}
			}
		}
		if next == nil {
			return line
		}
		n, line = next, next.Line
	}
	return line
}

// pathAt is the path of the outermost node starting on line (a value's key
// counts as the value), for yaml.v3's type errors, which name only a line.
func (v *validator) pathAt(line int) path {
	var best path
	var walk func(n *yaml.Node, p path)
	walk = func(n *yaml.Node, p path) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, val := n.Content[i], n.Content[i+1]
				q := p.add(k.Value)
				if best == nil && (k.Line == line || val.Line == line) {
					best = q
				}
				walk(val, q)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				q := p.add(i)
				if best == nil && c.Line == line && c.Kind != yaml.MappingNode {
					best = q
				}
				walk(c, q)
			}
		}
	}
	walk(v.root, nil)
	return best
}

func (v *validator) errorf(p path, format string, args ...any) {
	v.probs = append(v.probs, catalog.Problem{File: v.file, Line: v.line(p), Field: p.String(), Msg: fmt.Sprintf(format, args...)})
}
