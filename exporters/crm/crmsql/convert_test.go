package crmsql

import (
	"strings"
	"testing"
	"time"
)

func spec(name string) fieldSpec {
	for _, fs := range fieldSpecs {
		if fs.name == name {
			return fs
		}
	}
	panic(name)
}

func TestFieldConvert(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	channel := &Field{Column: "c", Map: map[string]string{"EM": "email", "WF": "webform"}}
	for _, tc := range []struct {
		name   string
		f      *Field
		field  string
		evType string
		raw    any
		want   any
		code   string
		msg    string
	}{
		{"mapped code, char(n) padding", channel, "channel", "contact_received", "EM  ", "email", "", ""},
		{"unknown code echoed", channel, "channel", "contact_received", "FAX", nil, ReasonUnknownCode, `holds "FAX", a code missing`},
		{"free text not echoed", channel, "channel", "contact_received", "Jane Doe, 12 Acacia Avenue", nil, ReasonUnknownCode, "holds a text of 26 characters"},
		{"default", &Field{Column: "c", Map: map[string]string{"A": "x"}, Default: "other"}, "category", "request_created", "ZZ", "other", "", ""},
		{"NULL text", channel, "channel", "contact_received", nil, "", "", ""},
		{"unmapped enum checked", &Field{Column: "c"}, "channel", "contact_received", "pager", nil, ReasonBadValue, `holds "pager"; want one of email, webform`},
		{"number as code", &Field{Column: "c", Map: map[string]string{"7": "barnet"}}, "po", "request_created", int64(7), "barnet", "", ""},
		{"time in a text field", &Field{Column: "c"}, "po", "request_created", time.Now(), nil, ReasonBadValue, "holds a timestamp; want a catalogue id"},
		{"unmapped free text not passed on", &Field{Column: "c"}, "po", "contact_received", "Jane Doe", nil, ReasonBadValue,
			"holds a text of 8 characters; want a catalogue id"},
		{"unmapped upper-case code", &Field{Column: "c"}, "category", "request_created", "PRIV", nil, ReasonBadValue, `holds "PRIV"; want a catalogue id`},
		{"unmapped id passed on", &Field{Column: "c"}, "service_option", "request_created", " noise_patrol ", "noise_patrol", "", ""},
		{"ref passed on as it is", &Field{Column: "c"}, "ref", "complaint_received", "K/2026 7", "K/2026 7", "", ""},
		{"bool from boolean", &Field{Column: "c"}, "urgent", "complaint_received", true, true, "", ""},
		{"bool from Y", &Field{Column: "c"}, "urgent", "complaint_received", "Y", true, "", ""},
		{"bool from 0", &Field{Column: "c"}, "urgent", "complaint_received", int64(0), false, "", ""},
		{"bool nonsense", &Field{Column: "c"}, "urgent", "complaint_received", "maybe", nil, ReasonBadValue, `holds "maybe"; want a boolean`},
		{"bool NULL", &Field{Column: "c"}, "urgent", "complaint_received", nil, false, "", ""},
		{"bool map", &Field{Column: "c", Map: map[string]string{"U": "true", "N": "false"}}, "urgent", "complaint_received", "U", true, "", ""},
		{"constant", &Field{Value: "barnet"}, "po", "request_created", nil, "barnet", "", ""},
		{"constant bool", &Field{Value: "true"}, "member_enquiry", "contact_received", nil, true, "", ""},
		{"time text with offset", &Field{Column: "c"}, "call_ended_at", "referral_dispatched", "2026-07-01 10:00:00+01",
			time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC), "", ""},
		{"time text local", &Field{Column: "c"}, "call_ended_at", "referral_dispatched", "2026-07-01T10:00:00",
			time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC), "", ""},
		{"time nonsense", &Field{Column: "c"}, "call_ended_at", "referral_dispatched", "tomorrow-ish", nil, ReasonBadTime,
			"holds a text of 12 characters that is not a time; want a timestamp"},
		{"time number", &Field{Column: "c"}, "call_ended_at", "referral_dispatched", int64(1700000000), nil, ReasonBadTime, "holds a number"},
	} {
		got, code, msg := tc.f.convert(spec(tc.field), tc.evType, tc.raw, false, london)
		if code != tc.code || !strings.Contains(msg, tc.msg) || (tc.code == "" && msg != "") {
			t.Errorf("%s: code %q msg %q; want %q containing %q", tc.name, code, msg, tc.code, tc.msg)
			continue
		}
		if tc.code != "" {
			continue
		}
		if gt, ok := got.(time.Time); ok {
			if !gt.Equal(tc.want.(time.Time)) {
				t.Errorf("%s: %s, want %s", tc.name, gt, tc.want)
			}
		} else if got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNaiveTimestampInZone(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	// pgx reads a timestamp without time zone as that wall clock in UTC.
	wall := time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 15, 23, 30, 0, 0, time.UTC)
	if got, _ := toTime(wall, true, london); !got.Equal(wall) {
		t.Errorf("winter: %s, want %s (GMT)", got, wall)
	}
	if got, _ := toTime(summer, true, london); !got.Equal(summer.Add(-time.Hour)) {
		t.Errorf("summer: %s, want %s (BST)", got, summer.Add(-time.Hour))
	}
	if got, _ := toTime(summer, false, london); !got.Equal(summer) {
		t.Errorf("timestamptz must not shift: %s", got)
	}
}
