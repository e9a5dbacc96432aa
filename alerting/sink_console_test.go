package alerting

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

var sinkAt = time.Date(2026, 11, 20, 22, 4, 5, 0, time.UTC)

func sinkMessage() Message {
	return Message{Kind: MessagePage, PageID: 3, IncidentID: 7, Ref: "7", AckCode: "7A", Severity: "page", PO: "rbkc",
		ServiceOption: "major_emergencies", AlertName: "SLABreached", Summary: "61% within\n20 s", Since: sinkAt.Add(-time.Minute),
		To: Recipient{PersonID: "rbkc-duty-officer", Phone: catalog.NewPrivate("+447700900320")}}
}

// TestConsoleSender: one line per page naming the person by id, never by
// number; notices say who acknowledged; channel posts name the channel.
func TestConsoleSender(t *testing.T) {
	var buf bytes.Buffer
	c := NewConsoleSender(&buf, func() time.Time { return sinkAt })
	m := sinkMessage()
	ack := m
	ack.Kind, ack.By, ack.Via = MessageAcknowledged, "rbkc-duty-officer", "sms"
	post := m
	post.To = Recipient{SlackChannel: "#rbkc-ooh"}
	for _, x := range []Message{m, ack, post} {
		if rc, retry, err := c.Send(context.Background(), x); err != nil || retry || !rc.Delivered {
			t.Fatalf("Send = %+v, %v, %v", rc, retry, err)
		}
	}
	want := `2026-11-20T22:04:05Z PAGE #7 SLABreached rbkc/major_emergencies "61% within 20 s" -> rbkc-duty-officer (step 1, reply 7A)
2026-11-20T22:04:05Z ACKNOWLEDGED #7 SLABreached rbkc/major_emergencies "61% within 20 s" -> rbkc-duty-officer (by rbkc-duty-officer via sms)
2026-11-20T22:04:05Z PAGE #7 SLABreached rbkc/major_emergencies "61% within 20 s" -> #rbkc-ooh (step 1)
`
	if buf.String() != want {
		t.Errorf("console:\n%s\nwant:\n%s", buf.String(), want)
	}
	if strings.Contains(buf.String(), "+4477") {
		t.Error("the console shows a phone number")
	}
}

// TestFileSender: JSON lines, person ids only; a missing directory is a
// permanent failure.
func TestFileSender(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages.jsonl")
	f := NewFileSender(path, func() time.Time { return sinkAt })
	m := sinkMessage()
	res := m
	res.Kind = MessageResolved
	for _, x := range []Message{m, res} {
		if _, _, err := f.Send(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	var recs []PageRecord
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var r PageRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 || recs[0].Kind != "page" || recs[0].To != "rbkc-duty-officer" || recs[0].AckCode != "7A" ||
		recs[1].Kind != "resolved" || recs[1].IncidentID != 7 || recs[1].Summary != "61% within\n20 s" {
		t.Errorf("records %+v", recs)
	}
	if strings.Contains(string(data), "+4477") {
		t.Error("the file shows a phone number")
	}
	if _, retry, err := NewFileSender(filepath.Join(t.TempDir(), "missing", "x.jsonl"), nil).Send(context.Background(), m); err == nil || retry {
		t.Errorf("missing directory: retry %v err %v; want a permanent error", retry, err)
	}
}
