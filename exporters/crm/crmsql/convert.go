package crmsql

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slawatch/slawatch/exporters/crm"
)

// Reasons (EventError.Code, the rejected_total reason label) of the
// events a row's columns make impossible.
const (
	ReasonBadTime     = "bad_time"     // a time column holds something that is not a time
	ReasonBadValue    = "bad_value"    // a column holds a value of the wrong kind, or not a valid value
	ReasonUnknownCode = "unknown_code" // a mapped column holds a code missing from its map
)

// reCode is what a value must look like to be echoed in a message: a short
// code, not free text that might be personal.
var reCode = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,16}$`)

// row is one row read: its values in t.cols order.
type row struct {
	vals []any
	// naive marks the columns of type timestamp without time zone.
	naive []bool
}

// origin is where an event came from, for messages.
type origin struct {
	item string // "complaints id=42"
	ev   *EventMap
}

// column names the column an event field was read from ("" for a constant
// or an unknown field).
func (o origin) column(field string) string {
	if field == "at" {
		return o.ev.Time
	}
	for _, fs := range fieldSpecs {
		if fs.name == field {
			if f := fs.get(o.ev); f != nil {
				return f.Column
			}
		}
	}
	return ""
}

// keyText is a key or cursor value as text, the form PostgreSQL parses
// back as the column's type.
func keyText(v any) (string, error) {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case string:
		if !utf8.ValidString(x) {
			return "", fmt.Errorf("holds text that is not UTF-8")
		}
		return x, nil
	case []byte:
		// bytea: PostgreSQL's hex form unless it is plain text.
		if !utf8.Valid(x) || bytes.ContainsRune(x, '\\') {
			return `\x` + hex.EncodeToString(x), nil
		}
		return string(x), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "", fmt.Errorf("is NULL")
	}
	return "", fmt.Errorf("holds a %T", v)
}

// item names a row by its table and key, e.g. "complaints id=42".
func (t *Table) item(key []string) string {
	var b strings.Builder
	b.WriteString(t.Name)
	for i, k := range t.Key {
		fmt.Fprintf(&b, " %s=%s", k, key[i])
	}
	return b.String()
}

// idKey is {key} of an event id: the key's value, or with several key
// columns their values joined by "," with "\" and "," in them escaped by
// "\" (so that ("a,b", "c") and ("a", "b,c") differ).
func idKey(key []string) string {
	if len(key) == 1 {
		return key[0]
	}
	esc := make([]string, len(key))
	for i, k := range key {
		esc[i] = strings.NewReplacer(`\`, `\\`, ",", `\,`).Replace(k)
	}
	return strings.Join(esc, ",")
}

// convert turns one row into its events; an event whose time column is
// NULL is skipped, one with a column holding nonsense is rejected (the
// others of the row are kept). key is the row's key values as text.
func (t *Table) convert(r row, key []string, loc *time.Location) (evs []crm.Event, origins []origin, errs []crm.EventError) {
	item := t.item(key)
	keyJoined := idKey(key)
	for i := range t.Events {
		em := &t.Events[i]
		o := origin{item: item, ev: em}
		id := strings.NewReplacer("{table}", t.Name, "{key}", keyJoined, "{type}", em.Type).Replace(em.ID)
		reject := func(field, column, code, format string, args ...any) {
			errs = append(errs, crm.EventError{Item: item, ID: id, Field: field, Code: code,
				Reason: fmt.Sprintf("%s %s: column %s %s", em.Type, item, column, fmt.Sprintf(format, args...))})
		}
		ci := t.colIndex[em.Time]
		if r.vals[ci] == nil {
			continue // not happened yet
		}
		at, msg := toTime(r.vals[ci], r.naive[ci], loc)
		if msg != "" {
			reject("at", em.Time, ReasonBadTime, "%s; want a timestamp", msg)
			continue
		}
		ev := crm.Event{ID: id, Type: em.Type, At: at}
		ok := true
		for _, fs := range fieldSpecs {
			f := fs.get(em)
			if f == nil {
				continue
			}
			var raw any
			naive := false
			if f.Column != "" {
				raw, naive = r.vals[t.colIndex[f.Column]], r.naive[t.colIndex[f.Column]]
			}
			v, code, msg := f.convert(fs, em.Type, raw, naive, loc)
			if msg != "" {
				col := f.Column
				if col == "" {
					col = "(constant)"
				}
				reject(fs.name, col, code, "%s", msg)
				ok = false
				break
			}
			fs.set(&ev, v)
		}
		if ok {
			evs = append(evs, ev)
			origins = append(origins, o)
		}
	}
	return evs, origins, errs
}

// convert gives a field's value from the column's raw value (or the
// constant): a string, time.Time or bool by the field's kind. On failure it
// returns the reason code and a message that echoes the value only when it
// looks like a code.
func (f *Field) convert(fs fieldSpec, evType string, raw any, naive bool, loc *time.Location) (v any, code, msg string) {
	if f.Column == "" {
		if fs.kind == kindBool {
			return f.Value == "true", "", ""
		}
		return f.Value, "", ""
	}
	switch fs.kind {
	case kindTime:
		if raw == nil {
			return time.Time{}, "", ""
		}
		t, msg := toTime(raw, naive, loc)
		if msg != "" {
			return nil, ReasonBadTime, msg + "; want a timestamp"
		}
		return t, "", ""
	case kindBool:
		if raw == nil {
			return false, "", ""
		}
	default:
		if raw == nil {
			return "", "", ""
		}
	}
	text, ok := asText(raw)
	if !ok {
		return nil, ReasonBadValue, "holds " + valueClass(raw) + "; want " + wantOf(fs, evType, f)
	}
	if f.Map != nil {
		mapped, found := f.Map[text]
		switch {
		case found:
			text = mapped
		case f.Default != "":
			text = f.Default
		default:
			return nil, ReasonUnknownCode, "holds " + describe(text) + ", a code missing from its map; add it to the map or set a default"
		}
	}
	switch {
	case fs.kind == kindBool:
		b, ok := parseBool(text)
		if !ok {
			return nil, ReasonBadValue, "holds " + describe(text) + "; want " + wantOf(fs, evType, f)
		}
		return b, "", ""
	case fs.values != nil:
		for _, x := range fs.values(evType) {
			if x == text {
				return text, "", ""
			}
		}
		return nil, ReasonBadValue, "holds " + describe(text) + "; want " + wantOf(fs, evType, f)
	case f.Map == nil && fs.name != "ref" && text != "" && !reID.MatchString(text):
		// An unmapped po, service_option or category: only an id goes on
		// to the exporter (whose messages quote it), never free text.
		return nil, ReasonBadValue, "holds " + describe(text) + "; want " + wantOf(fs, evType, f)
	}
	return text, "", ""
}

// wantOf says what a field's column should hold.
func wantOf(fs fieldSpec, evType string, f *Field) string {
	switch {
	case f.Map != nil:
		return "one of the map's codes: " + strings.Join(sortedKeys(f.Map), ", ")
	case fs.kind == kindBool:
		return "a boolean (true/false, t/f, yes/no, y/n, 1/0)"
	case fs.values != nil:
		return "one of " + strings.Join(fs.values(evType), ", ") + " (or map the CRM's codes)"
	case fs.name != "ref":
		return "a catalogue id (lower-case letters, digits and _, starting with a letter), or map the CRM's codes"
	}
	return "text"
}

// asText is a column value as text: text (trimmed, as char(n) pads),
// integers and booleans.
func asText(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return strings.TrimSpace(x), true
	case []byte:
		if !utf8.Valid(x) {
			return "", false
		}
		return strings.TrimSpace(string(x)), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "t", "yes", "y", "1":
		return true, true
	case "false", "f", "no", "n", "0":
		return false, true
	}
	return false, false
}

// describe echoes a value that looks like a code, and otherwise only says
// how long the text is: a column may hold personal free text.
func describe(s string) string {
	if reCode.MatchString(s) {
		return fmt.Sprintf("%q", s)
	}
	return valueClass(s)
}

// valueClass says what kind of value a column holds, without the value.
func valueClass(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("a text of %d characters", utf8.RuneCountInString(x))
	case []byte:
		return fmt.Sprintf("%d bytes", len(x))
	case int64, int32, int16, int:
		return "a number"
	case float64, float32:
		return "a number"
	case bool:
		return "a boolean"
	case time.Time:
		return "a timestamp"
	}
	return fmt.Sprintf("a value of Go type %T", v)
}

// textLayouts are the timestamp texts accepted from text columns; those
// without an offset are in the mapping's time zone.
var textLayouts = []struct {
	layout string
	zoned  bool
}{
	{time.RFC3339Nano, true},
	{"2006-01-02 15:04:05.999999999Z07:00", true},
	{"2006-01-02 15:04:05.999999999Z07", true},
	{"2006-01-02T15:04:05.999999999", false},
	{"2006-01-02 15:04:05.999999999", false},
}

// toTime converts a time column's value; msg says why it cannot.
func toTime(raw any, naive bool, loc *time.Location) (t time.Time, msg string) {
	switch x := raw.(type) {
	case time.Time:
		if naive {
			// timestamp without time zone: the wall clock is in loc.
			return time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond(), loc).UTC(), ""
		}
		return x.UTC(), ""
	case string, []byte:
		s, ok := asText(x)
		if !ok {
			return time.Time{}, "holds " + valueClass(raw)
		}
		for _, l := range textLayouts {
			if l.zoned {
				if t, err := time.Parse(l.layout, s); err == nil {
					return t.UTC(), ""
				}
			} else if t, err := time.ParseInLocation(l.layout, s, loc); err == nil {
				return t.UTC(), ""
			}
		}
		return time.Time{}, "holds " + valueClass(s) + " that is not a time"
	}
	return time.Time{}, "holds " + valueClass(raw)
}
