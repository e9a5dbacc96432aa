package telephony

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

func TestParseQueueLogLine(t *testing.T) {
	for _, tc := range []struct {
		line             string
		event            string
		hold, talk, wait int
		err              string
	}{
		{line: "1769900400|1769900395.12|alpha-noise|NONE|ENTERQUEUE||07700900123|1", event: "ENTERQUEUE", hold: -1, talk: -1, wait: -1},
		{line: "1769900412|1769900395.12|alpha-noise|PJSIP/agent7|CONNECT|12|1769900412.13|3", event: "CONNECT", hold: 12, talk: -1, wait: -1},
		{line: "1769900507|1769900395.12|alpha-noise|PJSIP/agent7|COMPLETECALLER|12|95|1", event: "COMPLETECALLER", hold: 12, talk: 95, wait: -1},
		{line: "1769900507|u|q|a|COMPLETEAGENT|7|40|2", event: "COMPLETEAGENT", hold: 7, talk: 40, wait: -1},
		{line: "1769900430|u|q|NONE|ABANDON|1|1|30", event: "ABANDON", hold: -1, talk: -1, wait: 30},
		{line: "1769900430|u|q|NONE|EXITWITHTIMEOUT|1|1|300", event: "EXITWITHTIMEOUT", hold: -1, talk: -1, wait: 300},
		{line: "1769900430|u|q|NONE|EXITWITHTIMEOUT|1", event: "EXITWITHTIMEOUT", hold: -1, talk: -1, wait: -1}, // old Asterisk
		{line: "1769900430|u|q|NONE|EXITEMPTY|1|1|4", event: "EXITEMPTY", hold: -1, talk: -1, wait: 4},
		{line: "1769900430|u|q|NONE|EXITWITHKEY|5|1|1|17", event: "EXITWITHKEY", hold: -1, talk: -1, wait: 17},
		{line: "1769900430|u|q|a|TRANSFER|200|default|9|61|1", event: "TRANSFER", hold: 9, talk: 61, wait: -1},
		{line: "1769900430|NONE|NONE|NONE|QUEUESTART|", event: "QUEUESTART", hold: -1, talk: -1, wait: -1},
		{line: "1769900430|u|q|a|RINGNOANSWER|15000", event: "RINGNOANSWER", hold: -1, talk: -1, wait: -1},
		{line: "1769900430|u|q|a", err: "got 4 field(s)"},
		{line: "soon|u|q|a|ABANDON|1|1|3", err: `epoch "soon" is not a Unix time`},
		{line: "1769900430|u|q|NONE|ABANDON|1|1|3s", err: `ABANDON: data3 (waittime) "3s" is not whole seconds`},
		{line: "1769900430|u|q|a|CONNECT|-4|x|1", err: `data1 (holdtime) "-4"`},
		{line: "1769900430|||a|CONNECT|4|x|1", err: "CONNECT without a uniqueid and queue"},
		{line: "1769900430|u|q|a||", err: "empty event name"},
	} {
		ev, err := ParseQueueLogLine(tc.line)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if ev.Event != tc.event || ev.Hold != tc.hold || ev.Talk != tc.talk || ev.Wait != tc.wait {
			t.Errorf("%q: got %s hold %d talk %d wait %d", tc.line, ev.Event, ev.Hold, ev.Talk, ev.Wait)
		}
		if epoch := strings.SplitN(tc.line, "|", 2)[0]; strconv.FormatInt(ev.Time.Unix(), 10) != epoch {
			t.Errorf("%q: time %v, want epoch %s", tc.line, ev.Time, epoch)
		}
	}
}

// The agent must not survive parsing; the caller id of ENTERQUEUE survives
// only as a catalog.Private (for Resolve), which never prints.
func TestQueueEventKeepsNoPersonalData(t *testing.T) {
	ev, err := ParseQueueLogLine("1769900400|1769900395.12|alpha-noise|Jane Agent|ENTERQUEUE||07700900123|1")
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(ev)
	for i := 0; i < v.NumField(); i++ {
		if s, ok := v.Field(i).Interface().(string); ok && (strings.Contains(s, "07700900123") || strings.Contains(s, "Jane")) {
			t.Errorf("field %s holds personal data %q", v.Type().Field(i).Name, s)
		}
	}
	js, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, shown := range []string{fmt.Sprintf("%v", ev), fmt.Sprintf("%+v", ev), fmt.Sprintf("%#v", ev), string(js)} {
		if strings.Contains(shown, "07700900123") || strings.Contains(shown, "Jane") {
			t.Errorf("the event prints personal data: %s", shown)
		}
	}
	if ev.CallerNumber.Reveal() != "07700900123" {
		t.Errorf("caller number = %q, want ENTERQUEUE's data2 for Resolve", ev.CallerNumber.Reveal())
	}
	if ev.Time != time.Unix(1769900400, 0).UTC() {
		t.Errorf("time = %v", ev.Time)
	}
	// Only ENTERQUEUE carries a caller id; CONNECT's data2 is a channel id.
	if ev, err := ParseQueueLogLine("1769900412|1769900395.12|alpha-noise|PJSIP/a|CONNECT|12|07700900123|3"); err != nil || !ev.CallerNumber.IsZero() {
		t.Errorf("CONNECT: %v, caller number set: %v", err, !ev.CallerNumber.IsZero())
	}
	if ev, err := ParseQueueLogLine("1769900400|u|alpha-noise|NONE|ENTERQUEUE|"); err != nil || !ev.CallerNumber.IsZero() {
		t.Errorf("ENTERQUEUE without a caller id: %v, caller number set: %v", err, !ev.CallerNumber.IsZero())
	}
}

// feed runs queue_log lines through a tracker and returns what it emits.
func feed(t *testing.T, tr *QueueTracker, lines ...string) ([]Record, []RecordError) {
	t.Helper()
	var recs []Record
	var errs []RecordError
	for i, l := range lines {
		err := queueLogLine(tr, l, i+1, func(_ int, r Record, e *RecordError) error {
			if e != nil {
				errs = append(errs, *e)
			} else {
				recs = append(recs, r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return recs, errs
}

func TestQueueTrackerVisits(t *testing.T) {
	cat := testCatalog(t)
	tr := NewQueueTracker(cat)
	at := func(s int64) time.Time { return time.Unix(s, 0).UTC() }
	recs, errs := feed(t, tr,
		"1000|u1|alpha-noise|NONE|ENTERQUEUE||07700900123|1",
		"1001|u2|alpha-housing|NONE|ENTERQUEUE||07700900124|1",
		"1002|u3|alpha-noise|NONE|ENTERQUEUE||07700900125|2",
		"1003|u9|mystery-queue|NONE|ENTERQUEUE||07700900126|1",
		"1012|u1|alpha-noise|PJSIP/a|CONNECT|12|x|3",
		"1030|u2|alpha-housing|NONE|ABANDON|1|1|29",
		"1107|u1|alpha-noise|PJSIP/a|COMPLETECALLER|12|95|1",
		// u3 leaves the noise queue by key and enters housing: two visits.
		"1010|u3|alpha-noise|NONE|EXITWITHKEY|2|2|1|8",
		"1011|u3|alpha-housing|NONE|ENTERQUEUE||07700900125|1",
		"1050|u3|alpha-housing|NONE|EXITWITHTIMEOUT|1|1|39",
		"1060|u9|mystery-queue|NONE|ABANDON|1|1|57",
		// A visit whose ENTERQUEUE and CONNECT were in the previous file.
		"2000|u4|alpha-noise|PJSIP/b|COMPLETEAGENT|15|60|1",
		// Exit from a queue with nobody logged in, on an old Asterisk without waittime.
		"2100|u5|alpha-noise|NONE|ENTERQUEUE||07700900127|1",
		"2104|u5|alpha-noise|NONE|EXITEMPTY|1|1",
	)
	want := []Record{
		{CallID: "u2@alpha-housing@1001", PO: "alpha", AccessNumber: "+442079460102", ServiceOption: "housing", QueuedAt: at(1001), EndedAt: at(1030), Outcome: "abandoned", CallerNumber: catalog.NewPrivate("07700900124")},
		{CallID: "u1@alpha-noise@1000", PO: "alpha", AccessNumber: "+442079460101", ServiceOption: "noise", QueuedAt: at(1000), AnsweredAt: at(1012), EndedAt: at(1107), Outcome: "answered", CallerNumber: catalog.NewPrivate("07700900123")},
		{CallID: "u3@alpha-noise@1002", PO: "alpha", AccessNumber: "+442079460101", ServiceOption: "noise", QueuedAt: at(1002), EndedAt: at(1010), Outcome: "abandoned", CallerNumber: catalog.NewPrivate("07700900125")},
		{CallID: "u3@alpha-housing@1011", PO: "alpha", AccessNumber: "+442079460102", ServiceOption: "housing", QueuedAt: at(1011), EndedAt: at(1050), Outcome: "abandoned", CallerNumber: catalog.NewPrivate("07700900125")},
		{CallID: "u4@alpha-noise@1925", PO: "alpha", AccessNumber: "+442079460101", ServiceOption: "noise", QueuedAt: at(1925), AnsweredAt: at(1940), EndedAt: at(2000), Outcome: "answered"},
		{CallID: "u5@alpha-noise@2100", PO: "alpha", AccessNumber: "+442079460101", ServiceOption: "noise", QueuedAt: at(2100), EndedAt: at(2104), Outcome: "abandoned", CallerNumber: catalog.NewPrivate("07700900127")},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("records:\n got %+v\nwant %+v", recs, want)
	}
	if len(errs) != 1 || errs[0].Code != ReasonUnknownQueue || errs[0].Line != 11 || errs[0].CallID != "u9@mystery-queue@1003" {
		t.Errorf("errors = %+v, want one unknown_queue at line 11", errs)
	}
	if openVisits(tr) != 0 {
		t.Errorf("%d visits still open", openVisits(tr))
	}
}

func TestQueueTrackerWaitingAndExpiry(t *testing.T) {
	tr := NewQueueTracker(testCatalog(t))
	recs, _ := feed(t, tr,
		"1000|a|alpha-noise|NONE|ENTERQUEUE||x|1",
		"1005|b|alpha-noise|NONE|ENTERQUEUE||x|2",
		"1007|c|alpha-housing|NONE|ENTERQUEUE||x|1",
		"1008|a|alpha-noise|PJSIP/a|CONNECT|8|x|1", // a is talking, no longer waiting
		"1009|d|mystery|NONE|ENTERQUEUE||x|1",
	)
	if len(recs) != 0 {
		t.Fatalf("records before any final event: %+v", recs)
	}
	got := tr.Waiting()
	want := map[WaitKey]Waiting{
		{"alpha", "noise"}:   {Calls: 1, Oldest: time.Unix(1005, 0).UTC()},
		{"alpha", "housing"}: {Calls: 1, Oldest: time.Unix(1007, 0).UTC()},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("waiting = %+v, want %+v", got, want)
	}
	// a entered at 1000 but was answered at 1008: its latest event counts.
	if got := tr.Expire(time.Unix(1006, 0)); !reflect.DeepEqual(got, []time.Time{time.Unix(1005, 0).UTC()}) {
		t.Errorf("expired %v, want b (1005) only", got)
	}
	if openVisits(tr) != 3 {
		t.Errorf("open = %d, want 3 (a, c and d)", openVisits(tr))
	}
	if n := len(tr.Expire(time.Unix(1008, 500))); n != 2 { // a (1008) and c (1007)
		t.Errorf("expired %d, want 2", n)
	}
	if openVisits(tr) != 1 {
		t.Errorf("open = %d, want 1 (d)", openVisits(tr))
	}
}

// A caller who times out of a queue, hears an announcement and re-enters
// it makes two visits: both are stored, and a replay stores neither again.
func TestQueueLogReentryIsTwoVisits(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, _ := newExporter(t, testCatalog(t), openStore(t, dir), nil)
	path := writeFile(t, dir, "queue_log", strings.Join([]string{
		"1769900400|u1|alpha-noise|NONE|ENTERQUEUE||07700900123|1",
		"1769900430|u1|alpha-noise|NONE|EXITWITHTIMEOUT|1|1|30",
		"1769900440|u1|alpha-noise|NONE|ENTERQUEUE||07700900123|1",
		"1769900445|u1|alpha-noise|PJSIP/a|CONNECT|5|x|2",
		"1769900500|u1|alpha-noise|PJSIP/a|COMPLETEAGENT|5|55|1",
		"1769900510|u2|alpha-noise|NONE|ENTERQUEUE||07700900124|1", // still waiting at the end
	}, "\n")+"\n")
	res, err := e.IngestFile(ctx, TransportQueueLog, path, nil)
	if err != nil || res.Accepted != 2 || res.Duplicate != 0 || res.Open != 1 {
		t.Fatalf("first read: %+v %v, want 2 accepted, 1 open", res, err)
	}
	res, err = e.IngestFile(ctx, TransportQueueLog, path, nil)
	if err != nil || res.Accepted != 0 || res.Duplicate != 2 || res.Open != 1 {
		t.Fatalf("replay: %+v %v, want 2 duplicates", res, err)
	}
}

func TestQueueTrackerVisitIDs(t *testing.T) {
	tr := NewQueueTracker(testCatalog(t))
	recs, _ := feed(t, tr,
		"1000|u1|alpha-noise|NONE|ENTERQUEUE||x|1",
		"1030|u1|alpha-noise|NONE|EXITWITHTIMEOUT|1|1|30",
		"1040|u1|alpha-noise|NONE|ENTERQUEUE||x|1",
		"1100|u1|alpha-noise|PJSIP/a|COMPLETEAGENT|5|55|1",
		// Rebuilt without ENTERQUEUE: enter = 2000 - 60 talk - 15 hold, and 3000 - 20 wait.
		"2000|u2|alpha-noise|PJSIP/b|COMPLETEAGENT|15|60|1",
		"3000|u3|alpha-noise|NONE|ABANDON|1|1|20",
	)
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.CallID)
	}
	want := []string{"u1@alpha-noise@1000", "u1@alpha-noise@1040", "u2@alpha-noise@1925", "u3@alpha-noise@2980"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
}
