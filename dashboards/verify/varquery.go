package verify

import (
	"fmt"
	"strings"
)

// VarQueryKind is the form of a Grafana Prometheus query variable.
type VarQueryKind int

// The forms of query variable the checks evaluate.
const (
	// LabelValues is label_values(label) or label_values(selector, label).
	LabelValues VarQueryKind = iota + 1
	// LabelNames is label_names() or label_names(selector).
	LabelNames
)

// VarQuery is a parsed query variable.
type VarQuery struct {
	Kind     VarQueryKind
	Selector string // the series selector, "" for none
	Label    string // LabelValues: the label whose values are the options
}

// ParseVarQuery parses the query of a Grafana Prometheus query variable.
// Only label_values(...) and label_names(...) are understood: their options
// are label values, which the checks can insert; query_result(...),
// metrics(...) and bare PromQL need a regex to extract a value and are
// refused with an error saying so.
func ParseVarQuery(q string) (VarQuery, error) {
	s := strings.TrimSpace(q)
	name, args, ok := call(s)
	if !ok {
		return VarQuery{}, fmt.Errorf("variable query %q: want label_values([selector,] label) or label_names([selector])", q)
	}
	switch name {
	case "label_values":
		i := strings.LastIndexByte(args, ',')
		label := strings.TrimSpace(args[i+1:])
		sel := ""
		if i >= 0 {
			sel = strings.TrimSpace(args[:i])
		}
		if !isLabelName(label) {
			return VarQuery{}, fmt.Errorf("variable query %q: label %q is not a label name", q, label)
		}
		if i >= 0 && sel == "" {
			return VarQuery{}, fmt.Errorf("variable query %q: empty selector before the label", q)
		}
		return VarQuery{Kind: LabelValues, Selector: sel, Label: label}, nil
	case "label_names":
		return VarQuery{Kind: LabelNames, Selector: strings.TrimSpace(args)}, nil
	}
	return VarQuery{}, fmt.Errorf("variable query %q: %s(...) is not checked (its options need a regex); use label_values([selector,] label)", q, name)
}

// call splits "name(args)" where the closing parenthesis is the last
// character and matches the first opening one.
func call(s string) (name, args string, ok bool) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return "", "", false
	}
	name = strings.TrimSpace(s[:open])
	if !isLabelName(name) {
		return "", "", false
	}
	depth := 0
	inStr := byte(0)
	body := s[open : len(s)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inStr != 0:
			if c == '\\' {
				i++
			} else if c == inStr {
				inStr = 0
			}
		case c == '"' || c == '\'' || c == '`':
			inStr = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 { // the outer call closed before the end
				return "", "", false
			}
		}
	}
	if depth != 1 || inStr != 0 {
		return "", "", false
	}
	return name, s[open+1 : len(s)-1], true
}

func isLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c != '_' && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
