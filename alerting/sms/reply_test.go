package sms

import (
	"strings"
	"testing"
)

func TestParseReply(t *testing.T) {
	tests := []struct {
		body string
		want Reply
	}{
		{"12A", Reply{ReplyAck, "12A"}},
		{"12a", Reply{ReplyAck, "12A"}},
		{" 12 a ", Reply{ReplyAck, "12A"}},
		{"#12A", Reply{ReplyAck, "12A"}},
		{"# 12A.", Reply{ReplyAck, "12A"}},
		{"ack 12a", Reply{ReplyAck, "12A"}},
		{"ACK #12A!", Reply{ReplyAck, "12A"}},
		{"Ack: 12A", Reply{ReplyAck, "12A"}},
		{"ack12a", Reply{ReplyAck, "12A"}},
		{"ok 7b", Reply{ReplyAck, "7B"}},
		{"Acknowledged 4501xyz", Reply{ReplyAck, "4501XYZ"}},
		{"STOP", Reply{Kind: ReplyStop}},
		{"stop", Reply{Kind: ReplyStop}},
		{" Stop. ", Reply{Kind: ReplyStop}},
		{"STOPALL", Reply{Kind: ReplyStop}},
		{"unsubscribe", Reply{Kind: ReplyStop}},
		{"Cancel", Reply{Kind: ReplyStop}},
		{"end", Reply{Kind: ReplyStop}},
		{"QUIT", Reply{Kind: ReplyStop}},
		{"START", Reply{Kind: ReplyStart}},
		{"yes", Reply{Kind: ReplyStart}},
		{"Unstop", Reply{Kind: ReplyStart}},
		// Not understood: help.
		{"", Reply{}},
		{"12", Reply{}},
		{"A12", Reply{}},
		{"12ABCD", Reply{}},
		{"1234567890A", Reply{}},
		{"stop paging me", Reply{}},
		{"please stop", Reply{}},
		{"ack", Reply{}},
		{"okay 12A", Reply{}},
		{"12A 13B", Reply{}},
		{"１２A", Reply{}}, // full-width digits are not a code
		{"12É", Reply{}},
		{"HELP", Reply{}},
	}
	for _, tc := range tests {
		if got := ParseReply(tc.body); got != tc.want {
			t.Errorf("ParseReply(%q) = %+v, want %+v", tc.body, got, tc.want)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"12A", "ack #12a", "STOP", "start", "hello", "", "ACK", "# 1 2 a .!", "\xff12A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := ParseReply(body)
		switch r.Kind {
		case ReplyAck:
			if !isCode(r.Code) {
				t.Fatalf("ParseReply(%q) = code %q, not digits then letters", body, r.Code)
			}
			if r.Code != strings.ToUpper(r.Code) {
				t.Fatalf("ParseReply(%q) = code %q, not upper case", body, r.Code)
			}
			// The code's characters all came from the body, in order.
			up := strings.ToUpper(body)
			i := 0
			for _, c := range r.Code {
				j := strings.IndexRune(up[i:], c)
				if j < 0 {
					t.Fatalf("ParseReply(%q) = code %q not in the body", body, r.Code)
				}
				i += j + 1
			}
		case ReplyHelp, ReplyStop, ReplyStart:
			if r.Code != "" {
				t.Fatalf("ParseReply(%q) = %v with code %q", body, r.Kind, r.Code)
			}
		default:
			t.Fatalf("ParseReply(%q) = kind %d", body, r.Kind)
		}
	})
}
