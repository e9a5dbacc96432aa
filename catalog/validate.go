package catalog

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// validator collects problems, locating each by its path in the YAML tree.
type validator struct {
	file  string
	root  *yaml.Node
	probs Problems
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

// line finds the line of the deepest node along p (the key's line for a
// missing field, so the message points at the enclosing entry).
func (v *validator) line(p path) int {
	n, line := v.root, v.root.Line
	for _, e := range p {
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

func (v *validator) errorf(p path, format string, args ...any) {
	v.probs = append(v.probs, Problem{File: v.file, Line: v.line(p), Field: p.String(), Msg: fmt.Sprintf(format, args...)})
}

// scalar reports a scalar's own parse error, at its own line.
func (v *validator) scalar(p path, s scalar) {
	if s.err != nil {
		v.probs = append(v.probs, Problem{File: v.file, Line: s.Line, Field: p.String(), Msg: s.err.Error()})
	}
}

var (
	reID    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reE164  = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	reQueue = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

func (v *validator) id(p path, s, what string) bool {
	if !reID.MatchString(s) {
		v.errorf(p, "%s %q must be lower-case letters, digits and _ and start with a letter", what, s)
		return false
	}
	return true
}

func isTier(s string) bool {
	for _, t := range Tiers() {
		if t == s {
			return true
		}
	}
	return false
}

func (v *validator) overrides(p path, m map[string]StandardOverride) {
	for tier, o := range m {
		q := p.add(tier)
		if !isTier(tier) {
			v.errorf(q, "unknown standard %q; valid: %s", tier, strings.Join(Tiers(), ", "))
		}
		if o.TargetSeconds != nil && *o.TargetSeconds <= 0 {
			v.errorf(q.add("target_seconds"), "must be a positive number of seconds, not %d", *o.TargetSeconds)
		}
		if o.TargetPercent != nil && (*o.TargetPercent <= 0 || *o.TargetPercent >= 100) {
			v.errorf(q.add("target_percent"), "must be between 1 and 99, not %d (a 100%% target leaves no budget to alert on)", *o.TargetPercent)
		}
		if o.RestWithinSeconds != nil && *o.RestWithinSeconds <= 0 {
			v.errorf(q.add("rest_within_seconds"), "must be a positive number of seconds, not %d", *o.RestWithinSeconds)
		}
		if o.MaxAbandonPercent != nil && (*o.MaxAbandonPercent <= 0 || *o.MaxAbandonPercent >= 100) {
			v.errorf(q.add("max_abandoned_percent"), "must be between 0 and 100 (exclusive), not %g", *o.MaxAbandonPercent)
		}
	}
}

func (v *validator) formula(p path, f SLAFormula) {
	switch f.Denominator {
	case DenomOffered, DenomAnswered:
		if f.ShortAbandonSeconds != 0 {
			v.errorf(p.add("short_abandon_seconds"), "only applies with denominator %s", DenomOfferedMinusShortAbandons)
		}
	case DenomOfferedMinusShortAbandons:
		if f.ShortAbandonSeconds <= 0 {
			v.errorf(p.add("short_abandon_seconds"), "must be a positive number of seconds with denominator %s", f.Denominator)
		}
	default:
		v.errorf(p.add("denominator"), "unknown denominator %q; valid: %s, %s, %s", f.Denominator,
			DenomOffered, DenomAnswered, DenomOfferedMinusShortAbandons)
	}
}

func (v *validator) lineTest(p path, lt LineTest) {
	v.scalar(p.add("interval"), lt.Interval.scalar)
	v.scalar(p.add("grace"), lt.Grace.scalar)
	if lt.ThresholdCallsPerHour != nil && *lt.ThresholdCallsPerHour < 0 {
		v.errorf(p.add("threshold_calls_per_hour"), "must be 0 or more calls per hour, not %d", *lt.ThresholdCallsPerHour)
	}
}

func (v *validator) hours(p path, h Hours) {
	for i, w := range h.Weekly {
		q := p.add("weekly", i)
		v.scalar(q.add("from"), w.From.scalar)
		v.scalar(q.add("to"), w.To.scalar)
		if !w.From.Set() || !w.To.Set() {
			v.errorf(q, "a window needs both from and to, e.g. {from: \"fri 17:00\", to: \"mon 08:00\"}")
		} else if w.From.err == nil && w.To.err == nil && w.From.weekMinute() == w.To.weekMinute() {
			v.errorf(q, "from and to are the same instant; a window must have a length")
		}
	}
}
