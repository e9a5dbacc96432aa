package crmsql

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time_zone must load on any host
	"unicode/utf8"
)

// Limits of a mapping.
const (
	maxKeyColumns = 4
	maxIDTemplate = 200
	maxCodeBytes  = 200
	maxLag        = 24 * time.Hour
	maxLagCount   = 1_000_000
)

var (
	// reIdent is a plain SQL identifier: it is double-quoted in queries,
	// and the pattern leaves nothing that quoting would have to escape.
	reIdent  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)
	reSource = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)
	reID     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,99}$`)
	rePlace  = regexp.MustCompile(`\{[^{}]*\}`)
	// reTablePrefix: {table} first, then a character no table name holds,
	// so ids of different tables cannot meet.
	reTablePrefix = regexp.MustCompile(`^\{table\}[^A-Za-z0-9_.{]`)
)

const identRule = "a plain identifier: a letter or _, then letters, digits or _, at most 63 characters"

// resolve fills in the defaults, then validates.
func (m *Mapping) resolve(v *validator) {
	if m.Source == "" {
		m.Source = DefaultSource
	} else if !reSource.MatchString(m.Source) {
		v.errorf(path{"source"}, "is %q; want lower-case letters, digits, _ or -, starting with a letter (default %q)", m.Source, DefaultSource)
	}
	if m.TimeZone == "" {
		m.TimeZone, m.zoneDefaulted = DefaultTimeZone, true
	}
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil || m.TimeZone == "Local" {
		v.errorf(path{"time_zone"}, "is %q; want an IANA zone such as Europe/London or UTC", m.TimeZone)
		loc = time.UTC
	}
	m.loc = loc
	var defLag time.Duration
	if m.Lag != "" {
		defLag = v.duration(path{"lag"}, m.Lag)
	}
	if len(m.Tables) == 0 {
		v.errorf(path{"tables"}, "is empty; list at least one table with name, key, cursor and events")
	}
	names := map[string]int{}
	ids := map[string]path{}
	for i := range m.Tables {
		tp := path{"tables", i}
		t := &m.Tables[i]
		if j, dup := names[t.Name]; dup && t.Name != "" {
			v.errorf(tp.add("name"), "%q is already mapped by tables[%d]; map each table once, with all its events", t.Name, j)
		}
		names[t.Name] = i
		t.resolve(v, tp, defLag)
		for j, e := range t.Events {
			if e.ID == "" {
				continue
			}
			if len(m.Tables) > 1 && !reTablePrefix.MatchString(e.ID) {
				v.errorf(tp.add("events", j, "id"), "is %q; with more than one table mapped an id must start with {table} and a separator, e.g. %q, "+
					"so that rows of different tables never get the same id", e.ID, DefaultIDTemplate)
				continue
			}
			id := strings.NewReplacer("{table}", t.Name, "{type}", e.Type).Replace(e.ID)
			if other, dup := ids[id]; dup {
				v.errorf(tp.add("events", j, "id"), "gives the same ids as %s; put {type} (and {table}) in the template so each event has its own id", other)
				continue
			}
			ids[id] = tp.add("events", j)
		}
	}
}

// duration parses a lag duration.
func (v *validator) duration(p path, s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > maxLag {
		v.errorf(p, "is %q; want a duration from 0s to 24h, e.g. 30s or 2m", s)
		return 0
	}
	return d
}

func (v *validator) ident(p path, s, what string) {
	switch {
	case s == "":
		v.errorf(p, "is missing; name the %s", what)
	case !reIdent.MatchString(s):
		v.errorf(p, "is %q; want %s", s, identRule)
	}
}

func (t *Table) resolve(v *validator, tp path, defLag time.Duration) {
	switch parts := strings.Split(t.Name, "."); {
	case t.Name == "":
		v.errorf(tp.add("name"), "is missing; name the table or view (schema.table or table)")
	case len(parts) > 2 || !reIdent.MatchString(parts[0]) || !reIdent.MatchString(parts[len(parts)-1]):
		v.errorf(tp.add("name"), "is %q; want table or schema.table, each part %s", t.Name, identRule)
	}
	if len(t.Key) == 0 || len(t.Key) > maxKeyColumns {
		v.errorf(tp.add("key"), "has %d columns; list the 1 to %d columns of the row's primary key, e.g. [id]", len(t.Key), maxKeyColumns)
	}
	for i, k := range t.Key {
		v.ident(tp.add("key", i), k, "key column")
		if slices.Index(t.Key, k) < i {
			v.errorf(tp.add("key", i), "%q is listed twice; list each key column once", k)
		}
	}
	v.ident(tp.add("cursor"), t.Cursor, "cursor column, e.g. updated_at (it must grow on every insert and update)")
	switch t.CursorType {
	case "":
		t.CursorType = CursorTimestamp
	case CursorTimestamp, CursorInteger:
	default:
		v.errorf(tp.add("cursor_type"), "is %q; want %s (e.g. updated_at) or %s (a sequence)", t.CursorType, CursorTimestamp, CursorInteger)
	}
	switch {
	case t.Lag == "" && t.CursorType == CursorTimestamp:
		t.lag = defLag
	case t.Lag == "":
	case t.CursorType == CursorInteger:
		n, err := strconv.ParseInt(t.Lag, 10, 64)
		if err != nil || n < 0 || n > maxLagCount {
			v.errorf(tp.add("lag"), "is %q; an integer cursor's lag is a count of cursor values from 0 to %d, e.g. 100", t.Lag, maxLagCount)
			n = 0
		}
		t.lagCount = n
	default:
		t.lag = v.duration(tp.add("lag"), t.Lag)
	}
	if len(t.Events) == 0 {
		v.errorf(tp.add("events"), "is empty; list the events a row yields, e.g. - {type: %s, time: created_at, …}", eventTypes[0])
	}
	for i := range t.Events {
		t.Events[i].resolve(v, tp.add("events", i))
	}
	t.columns()
}

func (e *EventMap) resolve(v *validator, ep path) {
	tf, ok := typeFields[e.Type]
	if !ok {
		v.errorf(ep.add("type"), "is %q; want one of %s", e.Type, strings.Join(eventTypes, ", "))
	}
	v.ident(ep.add("time"), e.Time, "column holding when the event happened (NULL: not yet)")
	if e.ID == "" {
		e.ID = DefaultIDTemplate
	}
	switch bad := badPlaceholders(e.ID); {
	case len(e.ID) > maxIDTemplate || !utf8.ValidString(e.ID):
		v.errorf(ep.add("id"), "is over %d bytes or not UTF-8; want a short template such as %q", maxIDTemplate, DefaultIDTemplate)
	case bad != "":
		v.errorf(ep.add("id"), "has the placeholder %s; the placeholders are {table}, {key} and {type}", bad)
	case !strings.Contains(e.ID, "{key}"):
		v.errorf(ep.add("id"), "is %q without {key}; every row needs its own ids, e.g. %q", e.ID, DefaultIDTemplate)
	}
	for _, fs := range fieldSpecs {
		f := fs.get(e)
		fp := ep.add(fs.name)
		common := fs.name == "po" || fs.name == "service_option" || fs.name == "ref"
		switch {
		case f == nil:
			if ok && slices.Contains(tf.required, fs.name) {
				v.errorf(fp, "is missing; a %s event needs %s", e.Type, strings.Join(tf.required, ", "))
			}
			continue
		case ok && !common && !slices.Contains(tf.allowed, fs.name):
			v.errorf(fp, "does not apply to %s; its fields are po, service_option, ref, %s", e.Type, strings.Join(tf.allowed, ", "))
			continue
		}
		f.validate(v, fp, fs, e.Type)
	}
}

func badPlaceholders(tmpl string) string {
	for _, p := range rePlace.FindAllString(tmpl, -1) {
		if p != "{table}" && p != "{key}" && p != "{type}" {
			return p
		}
	}
	return ""
}

func (f *Field) validate(v *validator, fp path, fs fieldSpec, evType string) {
	switch {
	case f.Column == "" && f.Value == "":
		v.errorf(fp, "has neither column nor value; want {column: NAME} (optionally with map) or {value: CONSTANT}")
		return
	case f.Column != "" && f.Value != "":
		v.errorf(fp, "has both column and value; want one: {column: NAME} or {value: CONSTANT}")
		return
	case f.Column != "":
		v.ident(fp.add("column"), f.Column, "column")
	}
	if fs.kind == kindTime {
		if f.Value != "" || f.Map != nil || f.Default != "" {
			v.errorf(fp, "is a time: only {column: NAME}, without map, default or value")
		}
		return
	}
	if f.Map != nil && f.Column == "" {
		v.errorf(fp.add("map"), "needs column; map translates a column's codes")
	}
	if f.Default != "" && f.Map == nil {
		v.errorf(fp.add("default"), "applies only with map (the value of a code missing from it)")
	}
	if f.Map != nil && len(f.Map) == 0 {
		v.errorf(fp.add("map"), "is empty; list the CRM's codes and their values, e.g. {EM: email}")
	}
	for _, code := range sortedKeys(f.Map) {
		if code == "" || len(code) > maxCodeBytes {
			v.errorf(fp.add("map"), "has an empty or over-long code; codes are the column's own values, 1 to %d bytes", maxCodeBytes)
		}
		if code != strings.TrimSpace(code) {
			v.errorf(fp.add("map", code), "has spaces around the code %q; column text is trimmed before it is looked up, so write %q",
				code, strings.TrimSpace(code))
		}
		v.value(fp.add("map", code), f.Map[code], fs, evType)
	}
	if f.Default != "" {
		v.value(fp.add("default"), f.Default, fs, evType)
	}
	if f.Value != "" {
		v.value(fp.add("value"), f.Value, fs, evType)
	}
}

// value checks a slawatch value (map value, default, constant) of a field.
func (v *validator) value(p path, val string, fs fieldSpec, evType string) {
	switch {
	case fs.kind == kindBool:
		if val != "true" && val != "false" {
			v.errorf(p, "is %q; %s is true or false", val, fs.name)
		}
	case fs.values != nil:
		if vals := fs.values(evType); !slices.Contains(vals, val) {
			v.errorf(p, "is %q; %s of %s is one of %s", val, fs.name, evType, strings.Join(vals, ", "))
		}
	case fs.name == "ref":
		if len(val) > maxCodeBytes || !utf8.ValidString(val) {
			v.errorf(p, "is over %d bytes or not UTF-8", maxCodeBytes)
		}
	default:
		if !reID.MatchString(val) {
			v.errorf(p, "is %q; %s is a catalogue id: lower-case letters, digits and _, starting with a letter", val, fs.name)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// columns lists the columns a table's query selects: the cursor, the key
// columns, then every other column the events read, each once.
func (t *Table) columns() {
	t.cols, t.colIndex = nil, map[string]int{}
	add := func(c string) {
		if _, ok := t.colIndex[c]; ok || c == "" {
			return
		}
		t.colIndex[c] = len(t.cols)
		t.cols = append(t.cols, c)
	}
	add(t.Cursor)
	t.tiebreak = nil
	for i, k := range t.Key {
		add(k)
		if k != t.Cursor {
			t.tiebreak = append(t.tiebreak, i)
		}
	}
	for i := range t.Events {
		e := &t.Events[i]
		add(e.Time)
		for _, fs := range fieldSpecs {
			if f := fs.get(e); f != nil {
				add(f.Column)
			}
		}
	}
}
