package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong in a catalogue file.
type Problem struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (p Problem) Error() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Field, p.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, p.Msg)
}

// Problems is every problem found in a file, in line order.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads, defaults and validates the catalogue at path. On failure the
// error is Problems, listing everything wrong, each with file and line.
func Load(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load on bytes already read; name is used in messages.
func Parse(name string, data []byte) (*Catalog, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{yamlProblem(name, err.Error())}
	}
	if root.Kind == 0 {
		return nil, Problems{{File: name, Line: 1, Msg: "the file is empty; a catalogue needs at least `organisations:`"}}
	}
	var c Catalog
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var probs Problems
	if err := dec.Decode(&c); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, Problems{yamlProblem(name, err.Error())}
		}
		for _, msg := range te.Errors {
			probs = append(probs, yamlProblem(name, msg))
		}
	}
	c.Source = name
	v := &validator{file: name, root: root.Content[0]}
	v.probs = probs
	c.resolve(v)
	if len(v.probs) > 0 {
		sort.SliceStable(v.probs, func(i, j int) bool { return v.probs[i].Line < v.probs[j].Line })
		return nil, v.probs
	}
	return &c, nil
}

var (
	reUnknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
	reLine         = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// yamlProblem turns a yaml.v3 message into a Problem with its line, and an
// unknown field into the list of fields that are valid there.
func yamlProblem(file, msg string) Problem {
	if m := reUnknownField.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{File: file, Line: line, Field: m[2],
			Msg: "unknown field; valid here: " + strings.Join(fieldsOf(m[3]), ", ")}
	}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{File: file, Line: line, Msg: m[2]}
	}
	return Problem{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// fieldsOf lists the YAML keys of a catalogue type named as yaml.v3 names
// it ("catalog.PO").
func fieldsOf(typeName string) []string {
	types := []any{Catalog{}, Defaults{}, StandardOverride{}, SLAFormula{}, LineTest{}, Hours{},
		Window{}, DailyGap{}, PO{}, ServiceOption{}, StandardChoice{}, AccessNumber{}, Queue{}}
	types = append(types, oncallTypes()...)
	types = append(types, loneWorkerTypes()...)
	types = append(types, crmTypes()...)
	types = append(types, mailRoomTypes()...)
	types = append(types, kpiTypes()...)
	for _, x := range types {
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
