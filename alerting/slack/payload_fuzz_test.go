package slack

import (
	"net/url"
	"testing"

	"github.com/slawatch/slawatch/alerting"
)

func form(payload string) []byte { return []byte(url.Values{"payload": {payload}}.Encode()) }

func TestParsePress(t *testing.T) {
	p, err := parsePress(form(`{"type":"block_actions","user":{"id":"U0RBKCN01"},
		"container":{"type":"message","message_ts":"1700000000.000100","channel_id":"C0RBKC001"},
		"message":{"ts":"1700000000.000100","blocks":[{"type":"header","text":{"type":"plain_text","text":"x"}},
			{"type":"actions","block_id":"incident_actions","elements":[{"type":"button","action_id":"ack","value":"12","text":{"type":"plain_text","text":"Acknowledge"}}]}]},
		"actions":[{"block_id":"incident_actions","action_id":"escalate","value":"12","type":"button"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.IncidentID != 12 || p.Action != alerting.ActionEscalate || p.User != "U0RBKCN01" ||
		p.Channel != "C0RBKC001" || p.TS != "1700000000.000100" || len(p.Blocks) != 2 {
		t.Errorf("press = %+v", p)
	}
	// Without a container, the channel and message name the message.
	p, err = parsePress(form(`{"type":"block_actions","user":{"id":"U1"},"channel":{"id":"D1"},"message":{"ts":"1.2"},
		"actions":[{"block_id":"b","action_id":"ack","value":"7"}]}`))
	if err != nil || p.Channel != "D1" || p.TS != "1.2" || p.Action != alerting.ActionAcknowledge {
		t.Errorf("press = %+v, %v", p, err)
	}
}

// FuzzParsePress: any body parses or fails with an error, never a panic,
// and what parses is a press of one of our buttons on a real incident.
func FuzzParsePress(f *testing.F) {
	f.Add(form(`{"type":"block_actions","user":{"id":"U1"},"actions":[{"block_id":"b","action_id":"ack","value":"12"}]}`))
	f.Add(form(`{"type":"block_actions","user":{"id":"U1"},"container":{"channel_id":"C1","message_ts":"1.1"},"message":{"blocks":[{"type":"actions","elements":[{"type":"button"}]}]},"actions":[{"block_id":"b","action_id":"escalate","value":"3"}]}`))
	f.Add(form(`{"type":"view_submission"}`))
	f.Add(form(`{"actions":[{"action_id":"ack"}],"state":{"values":{}}}`))
	f.Add([]byte("payload=%7B"))
	f.Add([]byte("%zz"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parsePress(body)
		if err != nil {
			return
		}
		if p.IncidentID <= 0 || p.User == "" ||
			(p.Action != alerting.ActionAcknowledge && p.Action != alerting.ActionEscalate) {
			t.Errorf("accepted %q as %+v", body, p)
		}
		// Redrawing from whatever blocks came must not panic either.
		_ = afterAction(p.Blocks, "line", p.Action == alerting.ActionEscalate)
	})
}
