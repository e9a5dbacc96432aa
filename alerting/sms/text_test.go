package sms

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slawatch/slawatch/alerting"
)

// 02:14 BST on 14 July 2026 is 01:14 UTC; 02:14 GMT on 14 January is 02:14 UTC.
var (
	summer = time.Date(2026, 7, 14, 1, 14, 0, 0, time.UTC)
	winter = time.Date(2026, 1, 14, 2, 14, 0, 0, time.UTC)
)

func page() alerting.Message {
	return alerting.Message{
		Kind: alerting.MessagePage, PageID: 7, IncidentID: 12, Ref: "12", AckCode: "12A",
		Severity: "critical", PO: "rbkc", ServiceOption: "repairs",
		AlertName: "SLAAnsweredWithinTargetLow",
		Summary:   "Answered in 20s 61% (target 80%)",
		Since:     summer,
	}
}

func TestText(t *testing.T) {
	long := strings.Repeat("Calls are waiting far longer than the contract allows ", 6)
	tests := []struct {
		name string
		edit func(*alerting.Message)
		want string   // exact, or "" to check only contains
		has  []string // substrings that must be there
	}{
		{name: "page", edit: func(*alerting.Message) {},
			want: "CRIT #12 rbkc/repairs: Answered in 20s 61% (target 80%) since 02:14. Reply 12A to ack"},
		{name: "GMT", edit: func(m *alerting.Message) { m.Since = winter },
			has: []string{"since 02:14."}},
		{name: "escalated warning", edit: func(m *alerting.Message) { m.Escalated, m.Step, m.Severity = true, 1, "warning" },
			want: "WARN ESCALATED #12 rbkc/repairs: Answered in 20s 61% (target 80%) since 02:14. Reply 12A to ack"},
		{name: "provider alert without summary", edit: func(m *alerting.Message) {
			m.PO, m.ServiceOption, m.Summary, m.Severity = "", "", "", "page"
		},
			want: "PAGE #12 provider: SLAAnsweredWithinTargetLow since 02:14. Reply 12A to ack"},
		{name: "long summary cut, ack kept", edit: func(m *alerting.Message) { m.Summary = long },
			has: []string{"CRIT #12 rbkc/repairs: Calls are waiting", "... since 02:14. Reply 12A to ack"}},
		{name: "non-GSM replaced", edit: func(m *alerting.Message) { m.Summary = "Queue “Repairs” – 5 waiting… café ☎ [x] ç" },
			want: `CRIT #12 rbkc/repairs: Queue "Repairs" - 5 waiting... café ? (x) c since 02:14. Reply 12A to ack`},
		{name: "new lines folded", edit: func(m *alerting.Message) { m.Summary = "line one\n\tline two\r\n" },
			has: []string{": line one line two since"}},
		{name: "no since, no code", edit: func(m *alerting.Message) { m.Since, m.AckCode = time.Time{}, "" },
			want: "CRIT #12 rbkc/repairs: Answered in 20s 61% (target 80%)"},
		{name: "unknown severity", edit: func(m *alerting.Message) { m.Severity = "disaster-level" },
			has: []string{"DISASTER #12"}},
		{name: "long where", edit: func(m *alerting.Message) {
			m.PO, m.ServiceOption = "waltham_forest_and_beyond_the_river", strings.Repeat("emergency_repairs_", 5)
		},
			has: []string{"Reply 12A to ack", "waltham_forest_an..."}},
		{name: "acknowledged", edit: func(m *alerting.Message) {
			m.Kind, m.By, m.Via = alerting.MessageAcknowledged, "p-ann", "slack"
		},
			want: "#12 acked by p-ann via slack. rbkc/repairs: Answered in 20s 61% (target 80%)"},
		{name: "acknowledged long", edit: func(m *alerting.Message) {
			m.Kind, m.By, m.Via, m.Summary = alerting.MessageAcknowledged, "p-ann", "sms", long
		},
			has: []string{"#12 acked by p-ann via sms. rbkc/repairs: Calls are", "..."}},
		{name: "resolved", edit: func(m *alerting.Message) { m.Kind = alerting.MessageResolved },
			want: "#12 RESOLVED rbkc/repairs: Answered in 20s 61% (target 80%) (from 02:14)"},
		{name: "resolved long", edit: func(m *alerting.Message) { m.Kind, m.Summary = alerting.MessageResolved, long },
			has: []string{"#12 RESOLVED rbkc/repairs: Calls", "... (from 02:14)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := page()
			tc.edit(&m)
			got := Text(m)
			if tc.want != "" && got != tc.want {
				t.Errorf("Text =\n%q\nwant\n%q", got, tc.want)
			}
			for _, h := range tc.has {
				if !strings.Contains(got, h) {
					t.Errorf("Text = %q\nwant it to contain %q", got, h)
				}
			}
			n, gsm := septets(got)
			if !gsm || n > SegmentLen {
				t.Errorf("Text = %q: %d septets, GSM-7 %v; want one GSM-7 segment", got, n, gsm)
			}
		})
	}
}

// The summary is what gets cut: every other part survives a summary of
// any length.
func TestTextCutsSummaryFirst(t *testing.T) {
	for n := 0; n < 400; n += 7 {
		m := page()
		m.Summary = strings.Repeat("x", n)
		got := Text(m)
		if r := utf8.RuneCountInString(got); r > SegmentLen {
			t.Fatalf("summary of %d: %d characters: %q", n, r, got)
		}
		if !strings.HasPrefix(got, "CRIT #12 rbkc/repairs") || !strings.HasSuffix(got, " since 02:14. Reply 12A to ack") {
			t.Fatalf("summary of %d: lost a fixed part: %q", n, got)
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("page", "12", "12A", "critical", "rbkc", "repairs", "Alert", "Answered 61%", "", "", int64(1700000000), true)
	f.Add("acknowledged", "12", "", "page", "", "", "", strings.Repeat("é☎", 100), "p-ann", "slack", int64(0), false)
	f.Add("resolved", "99999", "99999ZZ", "", "x\x00y", "\xff", "", "[{~}]", "", "", int64(-1), false)
	f.Fuzz(func(t *testing.T, kind, ref, code, sev, po, so, alert, summary, by, via string, since int64, esc bool) {
		m := alerting.Message{Kind: kind, Ref: ref, AckCode: code, Severity: sev, PO: po, ServiceOption: so,
			AlertName: alert, Summary: summary, By: by, Via: via, Escalated: esc}
		if since != 0 {
			m.Since = time.Unix(since%(1<<40), 0)
		}
		got := Text(m)
		n, gsm := septets(got)
		if !gsm || !utf8.ValidString(got) {
			t.Fatalf("Text = %q: not GSM-7", got)
		}
		for _, r := range got {
			if !isGSM(r) {
				t.Fatalf("Text = %q: %q is outside the default alphabet", got, r)
			}
		}
		// The fixed parts fit whenever the reference and code are sane.
		if utf8.RuneCountInString(token(ref))+utf8.RuneCountInString(token(code)) <= 40 && n > SegmentLen {
			t.Fatalf("Text = %q: %d septets", got, n)
		}
		if kind != alerting.MessageAcknowledged && kind != alerting.MessageResolved {
			if c := token(code); c != "" && !strings.HasSuffix(got, ". Reply "+c+" to ack") {
				t.Fatalf("Text = %q: lost the ack instruction for %q", got, c)
			}
		}
		if r := token(ref); r != "" && !strings.Contains(got, "#"+r) {
			t.Fatalf("Text = %q: lost the reference %q", got, r)
		}
	})
}

func TestSeptets(t *testing.T) {
	for _, tc := range []struct {
		s   string
		n   int
		gsm bool
	}{
		{"hello", 5, true}, {"£5 @ café", 9, true}, {"[x]", 5, true}, {"€", 2, true}, {"☎", 1, false}, {"ç", 1, false},
	} {
		if n, gsm := septets(tc.s); n != tc.n || gsm != tc.gsm {
			t.Errorf("septets(%q) = %d, %v; want %d, %v", tc.s, n, gsm, tc.n, tc.gsm)
		}
	}
}
