package telephony

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// QueueEvent is one queue_log line, reduced to what the SLA needs. The
// agent is deliberately not kept. The caller id of ENTERQUEUE (data2) is
// kept only as a catalog.Private, which prints as [redacted]: it travels to
// Resolve, which uses it to recognise line-test calls, and no further.
type QueueEvent struct {
	Time     time.Time
	UniqueID string
	Queue    string
	Event    string
	// Hold, Talk and Wait are seconds from the event's data fields, -1 when
	// the event does not carry them.
	Hold, Talk, Wait int
	// CallerNumber is the caller id of an ENTERQUEUE (zero for other events).
	CallerNumber catalog.Private
}

// Queue_log events the tracker acts on.
const (
	evEnter          = "ENTERQUEUE"
	evConnect        = "CONNECT"
	evCompleteAgent  = "COMPLETEAGENT"
	evCompleteCaller = "COMPLETECALLER"
	evAbandon        = "ABANDON"
	evExitTimeout    = "EXITWITHTIMEOUT"
	evExitEmpty      = "EXITEMPTY"
	evExitKey        = "EXITWITHKEY"
	evTransfer       = "TRANSFER"
	evBlindTransfer  = "BLINDTRANSFER"
	evAttTransfer    = "ATTENDEDTRANSFER"
)

// dataFields says which data field (1-based) holds hold, talk and wait
// seconds for each event, as Asterisk's app_queue writes them; 0 = none.
func dataFields(event string) (hold, talk, wait int) {
	switch event {
	case evConnect:
		return 1, 0, 0 // holdtime|bridgedchanneluniqueid|ringtime
	case evCompleteAgent, evCompleteCaller:
		return 1, 2, 0 // holdtime|calltime|origposition
	case evAbandon, evExitTimeout, evExitEmpty:
		return 0, 0, 3 // position|origposition|waittime
	case evExitKey:
		return 0, 0, 4 // key|position|origposition|waittime
	case evTransfer, evBlindTransfer:
		return 3, 4, 0 // extension|context|holdtime|calltime|origposition
	}
	return 0, 0, 0
}

// ParseQueueLogLine parses `epoch|uniqueid|queuename|agent|event|data1|...`.
// Events the tracker does not use are returned with their name only. A
// data field that should hold seconds but does not is an error; a missing
// one (older Asterisk) is -1. ParseQueueLogLine is pure.
func ParseQueueLogLine(line string) (QueueEvent, error) {
	f := strings.Split(strings.TrimRight(line, "\r\n"), "|")
	if len(f) < 5 {
		return QueueEvent{}, fmt.Errorf("want epoch|uniqueid|queuename|agent|event|data..., got %d field(s)", len(f))
	}
	sec, err := strconv.ParseFloat(f[0], 64)
	if err != nil || math.IsNaN(sec) || sec < 0 || sec > 1<<40 {
		return QueueEvent{}, fmt.Errorf("epoch %q is not a Unix time in seconds", truncate(f[0], 24))
	}
	whole, frac := math.Modf(sec)
	ev := QueueEvent{
		Time:     time.Unix(int64(whole), int64(math.Round(frac*1e9))).UTC(),
		UniqueID: f[1], Queue: f[2], Event: f[4],
		Hold: -1, Talk: -1, Wait: -1,
	}
	if ev.Event == "" {
		return QueueEvent{}, fmt.Errorf("empty event name")
	}
	data := f[5:]
	hold, talk, wait := dataFields(ev.Event)
	if hold+talk+wait > 0 && (ev.UniqueID == "" || ev.Queue == "" || ev.Queue == "NONE") {
		return QueueEvent{}, fmt.Errorf("%s without a uniqueid and queue", ev.Event)
	}
	if ev.Event == evEnter && len(data) >= 2 { // ENTERQUEUE|url|callerid|position
		ev.CallerNumber = catalog.NewPrivate(strings.TrimSpace(data[1]))
	}
	var perr error
	ev.Hold, perr = seconds(data, hold, "holdtime", perr)
	ev.Talk, perr = seconds(data, talk, "calltime", perr)
	ev.Wait, perr = seconds(data, wait, "waittime", perr)
	if perr != nil {
		return QueueEvent{}, fmt.Errorf("%s: %w", ev.Event, perr)
	}
	return ev, nil
}

// seconds reads data field i (1-based) as whole seconds; -1 when absent.
func seconds(data []string, i int, name string, prev error) (int, error) {
	if prev != nil || i == 0 || i > len(data) || data[i-1] == "" {
		return -1, prev
	}
	v, err := strconv.Atoi(strings.TrimSpace(data[i-1]))
	if err != nil || v < 0 || v > 1<<31 {
		return -1, fmt.Errorf("data%d (%s) %q is not whole seconds >= 0", i, name, truncate(data[i-1], 24))
	}
	return v, nil
}
