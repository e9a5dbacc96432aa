package telephony

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// ParseJSONL reads call records from JSON lines: one object per line with
// the fields of Columns. A bad line (not JSON, unknown field, bad value) is
// passed to emit as a RecordError with its line number and never stops the
// rest. ParseJSONL does no I/O beyond reading r.
func ParseJSONL(r io.Reader, emit EmitFunc) error {
	return eachLine(newLineReader(r), "jsonl", emit, func(line string, n int) error {
		rec, rerr := parseJSONRecord([]byte(line), n)
		return emit(n, rec, rerr)
	})
}

// parseJSONRecord decodes one JSON object (exactly one, nothing after it)
// whose values are strings, numbers or null.
func parseJSONRecord(b []byte, n int) (Record, *RecordError) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		// Not echoed: the line may hold personal data (a caller number).
		return Record{}, recErr(n, "", ReasonSyntax, "not a JSON object: want one {...} per line, got a line starting with %q", firstRune(t))
	}
	var m map[string]json.RawMessage
	if e := decodeOne(t, &m); e != nil {
		e.Line = n
		return Record{}, e
	}
	valid := map[string]bool{}
	for _, c := range Columns() {
		valid[c] = true
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var raw rawRecord
	for _, k := range keys {
		if !valid[k] {
			return Record{}, recErr(n, "", ReasonBadField, "unknown field %q; valid fields are %s", k, strings.Join(Columns(), ", "))
		}
		s, ok := jsonScalar(m[k])
		if !ok && k == colCallerNumber { // personal data: not echoed
			return Record{}, recErr(n, "", ReasonBadField, "field %q: want a string or a number", k)
		}
		if !ok {
			return Record{}, recErr(n, "", ReasonBadField, "field %q: want a string or a number, got %s", k, truncate(string(m[k]), 20))
		}
		raw.set(k, s)
	}
	return raw.toRecord(n)
}

// jsonScalar is a JSON string or number as text; null is empty.
func jsonScalar(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0:
		return "", false
	case string(v) == "null":
		return "", true
	case v[0] == '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		return string(v), true
	}
	return "", false
}

// decodeOne decodes exactly one JSON value into v, refusing trailing data.
func decodeOne(b []byte, v any) *RecordError {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return recErr(0, "", ReasonSyntax, "data after the JSON value")
	}
	return nil
}

// jsonError turns a decoding error into a RecordError with the position.
func jsonError(err error) *RecordError {
	var se *json.SyntaxError
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return recErr(0, "", ReasonSyntax, "invalid JSON at byte %d: %v", se.Offset, err)
	case errors.As(err, &ute):
		return recErr(0, "", ReasonSyntax, "want %s, got a JSON %s", ute.Type, ute.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return recErr(0, "", ReasonSyntax, "invalid JSON: unexpected end of input")
	default:
		return recErr(0, "", ReasonSyntax, "invalid JSON: %v", err)
	}
}

// firstRune is the first character of b ("" when empty).
func firstRune(b []byte) string {
	r, size := utf8.DecodeRune(b)
	if size == 0 {
		return ""
	}
	return string(r)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
