package crmsql

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

const examplePath = "../../../examples/crm/mapping.yaml"

func TestExampleMappingLoads(t *testing.T) {
	m, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if m.Source != "crm-sql" || m.Location().String() != "Europe/London" || len(m.Tables) != 5 {
		t.Fatalf("source %q, zone %s, %d tables; want crm-sql, Europe/London, 5", m.Source, m.Location(), len(m.Tables))
	}
	var types []string
	for _, tb := range m.Tables {
		for _, e := range tb.Events {
			types = append(types, e.Type)
		}
	}
	if strings.Join(types, " ") != strings.Join(eventTypes, " ") {
		t.Errorf("the example maps %v; want every event type once, in order: %v", types, eventTypes)
	}
	rr := m.Tables[2]
	if rr.CursorType != CursorInteger || rr.lagCount != 50 || m.Tables[0].lag != 30*time.Second {
		t.Errorf("receipts cursor %s lag %d, requests lag %s; want integer 50 and 30s", rr.CursorType, rr.lagCount, m.Tables[0].lag)
	}
	var b strings.Builder
	m.Explain(&b, 500)
	for _, want := range []string{
		`SELECT "updated_at", "id", "created_at", "org_code", "service_code", "case_ref", "outcome_code", "oos_category" FROM "service_requests" WHERE ("updated_at", "id") > ($1, $2) AND "updated_at" <= $3 AND "id" IS NOT NULL ORDER BY "updated_at", "id" LIMIT 500;`,
		// An integer key that is its own cursor needs no tiebreak, and an
		// integer cursor no horizon.
		`FROM "slawatch_referral_receipts" WHERE ("id") > ($1) ORDER BY "id" LIMIT 500;`,
		// The lag re-read's later pages.
		`FROM "complaints" WHERE ("updated_at", "id") > ($1, $2) AND ("updated_at", "id") <= ($3, $4) AND "id" IS NOT NULL ORDER BY "updated_at", "id" LIMIT 500;`,
		`-- event complaint_called_back at called_back_at, id {table}:{key}:{type}, po=org_code (11 codes mapped), ref=complaint_ref, urgent=priority (2 codes mapped)`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Explain lacks\n%s\ngot:\n%s", want, b.String())
		}
	}
}

// minimal is a valid mapping the bad configs below change one thing of.
const minimal = `source: crm-sql
tables:
  - name: crm.complaints
    key: [id]
    cursor: updated_at
    events:
      - type: complaint_received
        time: received_at
        po: {column: org_code}
        ref: {column: complaint_ref}
`

func TestMinimalMapping(t *testing.T) {
	m, err := Parse("m.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	tb := m.Tables[0]
	if tb.CursorType != CursorTimestamp || tb.Events[0].ID != DefaultIDTemplate || m.TimeZone != "UTC" || tb.lag != 0 {
		t.Errorf("defaults not applied: %+v", tb)
	}
	if got := tb.query(queryAfter, 10); got != `SELECT "updated_at", "id", "received_at", "org_code", "complaint_ref" FROM "crm"."complaints" `+
		`WHERE ("updated_at", "id") > ($1, $2) AND "updated_at" <= $3 AND "id" IS NOT NULL ORDER BY "updated_at", "id" LIMIT 10` {
		t.Errorf("query = %s", got)
	}
}

func TestBadMappings(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           string
	}{
		{"unknown top field", "source: crm-sql", "sourse: crm-sql",
			"m.yaml:1: sourse: unknown field; valid here: source, time_zone, lag, tables"},
		{"unknown event field", "        po: {column: org_code}", "        borough: {column: org_code}",
			"m.yaml:9: borough: unknown field; valid here: type, time, id, po, service_option, ref, action, category, channel, outcome, call_ended_at, urgent, callback_required, member_enquiry"},
		{"unknown field key", "{column: org_code}", "{colum: org_code}",
			"m.yaml:9: colum: unknown field; valid here: column, map, default, value"},
		{"bad source", "source: crm-sql", "source: CRM SQL",
			`m.yaml:1: source: is "CRM SQL"; want lower-case letters, digits, _ or -, starting with a letter (default "crm-sql")`},
		{"bad zone", "source: crm-sql", "source: crm-sql\ntime_zone: Mars/Olympus",
			`m.yaml:2: time_zone: is "Mars/Olympus"; want an IANA zone such as Europe/London or UTC`},
		{"bad lag", "source: crm-sql", "source: crm-sql\nlag: soon",
			`m.yaml:2: lag: is "soon"; want a duration from 0s to 24h, e.g. 30s or 2m`},
		{"no tables", minimal, "source: x\ntables: []\n",
			"m.yaml:2: tables: is empty; list at least one table with name, key, cursor and events"},
		{"injection in table name", "name: crm.complaints", `name: "complaints; DROP TABLE complaints"`,
			`m.yaml:3: tables[0].name: is "complaints; DROP TABLE complaints"; want table or schema.table, each part a plain identifier: a letter or _, then letters, digits or _, at most 63 characters`},
		{"three-part name", "name: crm.complaints", "name: db.crm.complaints",
			`m.yaml:3: tables[0].name: is "db.crm.complaints"; want table or schema.table`},
		{"quote in column", "cursor: updated_at", `cursor: 'updated_at" --'`,
			`m.yaml:5: tables[0].cursor: is "updated_at\" --"; want a plain identifier`},
		{"no cursor", "    cursor: updated_at\n", "",
			"m.yaml:3: tables[0].cursor: is missing; name the cursor column, e.g. updated_at (it must grow on every insert and update)"},
		{"no key", "key: [id]", "key: []",
			"m.yaml:4: tables[0].key: has 0 columns; list the 1 to 4 columns of the row's primary key, e.g. [id]"},
		{"key twice", "key: [id]", "key: [id, id]",
			`m.yaml:4: tables[0].key[1]: "id" is listed twice; list each key column once`},
		{"cursor type", "cursor: updated_at", "cursor: updated_at\n    cursor_type: uuid",
			`m.yaml:6: tables[0].cursor_type: is "uuid"; want timestamp (e.g. updated_at) or integer (a sequence)`},
		{"integer lag", "cursor: updated_at", "cursor: seq\n    cursor_type: integer\n    lag: 30s",
			`m.yaml:7: tables[0].lag: is "30s"; an integer cursor's lag is a count of cursor values from 0 to 1000000, e.g. 100`},
		{"integer lag too large", "cursor: updated_at", "cursor: seq\n    cursor_type: integer\n    lag: \"100000000000\"",
			`m.yaml:7: tables[0].lag: is "100000000000"; an integer cursor's lag is a count of cursor values from 0 to 1000000`},
		{"bad type", "type: complaint_received", "type: complaint_opened",
			`m.yaml:7: tables[0].events[0].type: is "complaint_opened"; want one of request_created, referral_dispatched, referral_delivery, complaint_received,`},
		{"no time", "        time: received_at\n", "",
			"m.yaml:7: tables[0].events[0].time: is missing; name the column holding when the event happened (NULL: not yet)"},
		{"field not of type", "        ref: {column: complaint_ref}", "        ref: {column: complaint_ref}\n        outcome: {value: delivered}",
			"m.yaml:11: tables[0].events[0].outcome: does not apply to complaint_received; its fields are po, service_option, ref, urgent, callback_required"},
		{"required missing", "        ref: {column: complaint_ref}\n", "",
			"m.yaml:7: tables[0].events[0].ref: is missing; a complaint_received event needs po, ref"},
		{"column and value", "po: {column: org_code}", "po: {column: org_code, value: barnet}",
			"m.yaml:9: tables[0].events[0].po: has both column and value; want one: {column: NAME} or {value: CONSTANT}"},
		{"neither", "po: {column: org_code}", "po: {map: {B: barnet}}",
			"m.yaml:9: tables[0].events[0].po: has neither column nor value"},
		{"bad map value", "po: {column: org_code}", "po: {column: org_code, map: {BAR: Barnet Council}}",
			`m.yaml:9: tables[0].events[0].po.map.BAR: is "Barnet Council"; po is a catalogue id: lower-case letters, digits and _, starting with a letter`},
		{"bad bool map", "ref: {column: complaint_ref}", "ref: {column: complaint_ref}\n        urgent: {column: priority, map: {U: yes}}",
			`m.yaml:11: tables[0].events[0].urgent.map.U: is "yes"; urgent is true or false`},
		{"default without map", "po: {column: org_code}", "po: {column: org_code, default: barnet}",
			"m.yaml:9: tables[0].events[0].po.default: applies only with map (the value of a code missing from it)"},
		{"bad channel value", "ref: {column: complaint_ref}", "ref: {column: complaint_ref}\n      - type: referral_dispatched\n        time: t\n        po: {column: o}\n        channel: {value: fax}\n        call_ended_at: {column: e, map: {A: b}}",
			`m.yaml:14: tables[0].events[1].channel.value: is "fax"; channel of referral_dispatched is one of phone, email, sms, pager`},
		{"time with map", "ref: {column: complaint_ref}", "ref: {column: complaint_ref}\n      - type: referral_dispatched\n        time: t\n        po: {column: o}\n        channel: {value: fax}\n        call_ended_at: {column: e, map: {A: b}}",
			`m.yaml:15: tables[0].events[1].call_ended_at: is a time: only {column: NAME}, without map, default or value`},
		{"id without key", "        time: received_at", "        time: received_at\n        id: \"complaint:{type}\"",
			`m.yaml:9: tables[0].events[0].id: is "complaint:{type}" without {key}; every row needs its own ids, e.g. "{table}:{key}:{type}"`},
		{"id placeholder", "        time: received_at", "        time: received_at\n        id: \"{table}:{id}\"",
			"m.yaml:9: tables[0].events[0].id: has the placeholder {id}; the placeholders are {table}, {key} and {type}"},
		{"ids collide", "        ref: {column: complaint_ref}\n", "        ref: {column: complaint_ref}\n        id: \"c:{key}\"\n      - type: complaint_resolved\n        time: resolved_at\n        id: \"c:{key}\"\n        po: {column: org_code}\n        ref: {column: complaint_ref}\n",
			"m.yaml:14: tables[0].events[1].id: gives the same ids as tables[0].events[0]; put {type} (and {table}) in the template so each event has its own id"},
		{"table twice", minimal, minimal + strings.Join(strings.Split(minimal, "\n")[2:], "\n"),
			`m.yaml:11: tables[1].name: "crm.complaints" is already mapped by tables[0]; map each table once, with all its events`},
		{"syntax", "key: [id]", "key: [id",
			"m.yaml:3: did not find expected ',' or ']'"},
		{"wrong shape", "key: [id]", "key: {id: 1}",
			"m.yaml:4: tables[0].key: cannot unmarshal !!map into []string"},
		{"wrong shape deeper", "time: received_at", "time: [received_at]",
			"m.yaml:8: tables[0].events[0].time: cannot unmarshal !!seq into string"},
		{"second document", minimal, minimal + "---\nsource: other\n",
			"m.yaml:11: a second YAML document (after ---); a mapping file holds one document"},
		{"code with spaces", "po: {column: org_code}", `po: {column: org_code, map: {" BAR": barnet}}`,
			`m.yaml:9: tables[0].events[0].po.map. BAR: has spaces around the code " BAR"; column text is trimmed before it is looked up, so write "BAR"`},
		{"two tables, id without table", minimal, minimal + "  - name: contacts\n    key: [id]\n    cursor: updated_at\n    events:\n      - type: contact_received\n        time: received_at\n        id: \"x:{key}:{type}\"\n        po: {column: org_code}\n        ref: {column: contact_ref}\n        channel: {value: email}\n",
			`m.yaml:17: tables[1].events[0].id: is "x:{key}:{type}"; with more than one table mapped an id must start with {table} and a separator`},
		{"two tables, table glued to key", minimal, strings.Replace(minimal, "        time: received_at\n", "        time: received_at\n        id: \"{table}{key}\"\n", 1) + "  - name: contacts\n    key: [id]\n    cursor: updated_at\n    events:\n      - type: contact_received\n        time: received_at\n        po: {column: org_code}\n        ref: {column: contact_ref}\n        channel: {value: email}\n",
			`m.yaml:9: tables[0].events[0].id: is "{table}{key}"; with more than one table mapped`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(minimal, tc.old, tc.new, 1)
			if src == minimal && tc.old != minimal {
				t.Fatalf("%q not found in the minimal mapping", tc.old)
			}
			_, err := Parse("m.yaml", []byte(src))
			var ps catalog.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v (%T), want catalog.Problems", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("mapping:\n%s\nerr:\n%v\nwant it to contain:\n%s", src, err, tc.want)
			}
		})
	}
}

func TestEmptyAndMissingFile(t *testing.T) {
	if _, err := Parse("e.yaml", []byte("# nothing\n")); err == nil || !strings.Contains(err.Error(), "e.yaml:1: the file is empty") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzParse: any input either parses into a mapping whose queries use
// only quoted plain identifiers, or fails with problems; never a panic.
func FuzzParse(f *testing.F) {
	ex, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ex)
	f.Add([]byte(minimal))
	f.Add([]byte("tables: [{name: a, key: [k], cursor: c, events: [{type: request_created, time: t, po: {value: x}, action: {value: refer}}]}]"))
	f.Add([]byte("tables:\n  - name: &a x\n    key: [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("f.yaml", data)
		if err != nil {
			var ps catalog.Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %v is not catalog.Problems", err)
			}
			return
		}
		for i := range m.Tables {
			tb := &m.Tables[i]
			for _, c := range append([]string{tb.Name}, tb.cols...) {
				for _, part := range strings.Split(c, ".") {
					if !reIdent.MatchString(part) {
						t.Fatalf("identifier %q passed validation", c)
					}
				}
			}
			for _, k := range []queryKind{queryStart, queryAfter, queryLagStart, queryLagAfter} {
				// The only literal is the start's '-infinity'.
				if q := tb.query(k, 10); strings.ContainsAny(strings.ReplaceAll(q, "'-infinity'", ""), ";'\\") {
					t.Fatalf("query holds ; ' or \\: %s", q)
				}
			}
			for _, e := range tb.Events {
				if _, ok := typeFields[e.Type]; !ok || !strings.Contains(e.ID, "{key}") {
					t.Fatalf("event %+v passed validation", e)
				}
			}
		}
	})
}

// TestMappingWarnings: check-mapping (Explain) warns of a defaulted
// time_zone and of a timestamp cursor without lag.
func TestMappingWarnings(t *testing.T) {
	m, err := Parse("m.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	m.Explain(&b, 10)
	for _, want := range []string{"# warning: time_zone is not set: times without a zone", "# warning: tables crm.complaints: lag is 0s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Explain lacks %q:\n%s", want, b.String())
		}
	}
	ex, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if w := ex.Warnings(); len(w) != 0 {
		t.Errorf("the example mapping has warnings: %v", w)
	}
}
