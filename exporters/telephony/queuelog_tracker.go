package telephony

import (
	"strconv"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// QueueTracker turns queue_log events into call records: one record per
// queue visit at its final event, with call id uniqueid@queue@enter, enter
// being the Unix second of the visit's ENTERQUEUE (for a visit whose
// ENTERQUEUE was not seen, the final event's time less the holdtime and
// calltime, or the waittime: the queued_at of the record). A caller who
// leaves a queue and enters it again (timeout, announcement, back in the
// queue) makes two visits with two ids; replaying the same lines gives the
// same ids. Open visits are kept in
// memory for the live gauges. It does no I/O and is not safe for
// concurrent use (the exporter guards it).
type QueueTracker struct {
	cat  *catalog.Catalog
	open map[visitKey]*visit
}

type visitKey struct{ uniqueID, queue string }

type visit struct {
	enter      time.Time // queued_at: ENTERQUEUE, after the greeting
	answered   bool
	answeredAt time.Time
	caller     catalog.Private // ENTERQUEUE's caller id, for Resolve only
}

// last is the time of the visit's latest event.
func (v *visit) last() time.Time {
	if v.answeredAt.After(v.enter) {
		return v.answeredAt
	}
	return v.enter
}

// NewQueueTracker maps queues to PO, service option and number through cat.
func NewQueueTracker(cat *catalog.Catalog) *QueueTracker {
	return &QueueTracker{cat: cat, open: map[visitKey]*visit{}}
}

// Apply feeds one event. When it ends a visit, Apply returns the record
// (done) or, for a queue not in the catalogue, an error; line is used in the
// error. Abandon-like exits (ABANDON, EXITWITHTIMEOUT, EXITEMPTY,
// EXITWITHKEY) are abandoned, as app_queue counts them; COMPLETEAGENT,
// COMPLETECALLER and the transfers end an answered visit.
func (t *QueueTracker) Apply(ev QueueEvent, line int) (Record, bool, *RecordError) {
	if ev.UniqueID == "" || ev.Queue == "" || ev.Queue == "NONE" {
		return Record{}, false, nil
	}
	k := visitKey{ev.UniqueID, ev.Queue}
	v := t.open[k]
	switch ev.Event {
	case evEnter:
		t.open[k] = &visit{enter: ev.Time, caller: ev.CallerNumber}
		return Record{}, false, nil
	case evConnect:
		if v == nil {
			v = &visit{enter: ev.Time.Add(-secs(ev.Hold))}
			t.open[k] = v
		}
		v.answered = true
		v.answeredAt = ev.Time
		if ev.Hold >= 0 {
			v.answeredAt = v.enter.Add(secs(ev.Hold)) // wait = app_queue's holdtime, exactly
		}
		if v.answeredAt.Before(v.enter) {
			v.answeredAt = v.enter
		}
		return Record{}, false, nil
	case evCompleteAgent, evCompleteCaller, evTransfer, evBlindTransfer, evAttTransfer:
		if v == nil {
			v = &visit{}
		}
		if !v.answered {
			v.answered = true
			v.answeredAt = ev.Time.Add(-secs(ev.Talk))
			if v.enter.IsZero() {
				v.enter = v.answeredAt.Add(-secs(ev.Hold))
			}
			if v.answeredAt.Before(v.enter) { // a clock step back between the lines
				v.answeredAt = v.enter
			}
		}
		end := ev.Time
		if ev.Talk >= 0 {
			end = v.answeredAt.Add(secs(ev.Talk))
		}
		if end.Before(v.answeredAt) {
			end = v.answeredAt
		}
		delete(t.open, k)
		return t.record(k, line, v, v.answeredAt, end, store.OutcomeAnswered)
	case evAbandon, evExitTimeout, evExitEmpty, evExitKey:
		if v == nil {
			v = &visit{enter: ev.Time.Add(-secs(ev.Wait))}
		}
		end := ev.Time
		if ev.Wait >= 0 {
			end = v.enter.Add(secs(ev.Wait))
		}
		if end.Before(v.enter) {
			end = v.enter
		}
		delete(t.open, k)
		return t.record(k, line, v, time.Time{}, end, store.OutcomeAbandoned)
	}
	return Record{}, false, nil
}

func secs(n int) time.Duration {
	if n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// record is the record of a finished visit. Kind is left empty: Resolve
// makes it test when the caller id is a line-test caller, public otherwise.
func (t *QueueTracker) record(k visitKey, line int, v *visit, answered, ended time.Time, outcome string) (Record, bool, *RecordError) {
	id := k.uniqueID + "@" + k.queue + "@" + strconv.FormatInt(v.enter.Unix(), 10)
	q, ok := t.cat.Queue(k.queue)
	if !ok {
		return Record{}, false, recErr(line, id, ReasonUnknownQueue, "queue %q is not in the catalogue (add it under the PO's queues)", k.queue)
	}
	return Record{
		CallID: id, PO: q.PO().ID, AccessNumber: q.AccessNumber, ServiceOption: q.ServiceOption,
		QueuedAt: v.enter, AnsweredAt: answered, EndedAt: ended, Outcome: outcome, CallerNumber: v.caller,
	}, true, nil
}

// Expire drops visits whose latest event (ENTERQUEUE, or CONNECT once
// answered) is before cutoff, still without a final event (a lost line, a
// crash of Asterisk), and returns the latest event time of each dropped visit.
func (t *QueueTracker) Expire(cutoff time.Time) []time.Time {
	var dropped []time.Time
	for k, v := range t.open {
		if v.last().Before(cutoff) {
			delete(t.open, k)
			dropped = append(dropped, v.last())
		}
	}
	return dropped
}

// WaitKey is a po and service option.
type WaitKey struct{ PO, ServiceOption string }

// Waiting is the live queue per po and service option: calls waiting (open
// and not answered) and the queued_at of the oldest.
type Waiting struct {
	Calls  int
	Oldest time.Time
}

// Waiting summarises the open, unanswered visits of known queues.
func (t *QueueTracker) Waiting() map[WaitKey]Waiting {
	out := map[WaitKey]Waiting{}
	for k, v := range t.open {
		if v.answered {
			continue
		}
		q, ok := t.cat.Queue(k.queue)
		if !ok {
			continue
		}
		wk := WaitKey{q.PO().ID, q.ServiceOption}
		w := out[wk]
		w.Calls++
		if w.Oldest.IsZero() || v.enter.Before(w.Oldest) {
			w.Oldest = v.enter
		}
		out[wk] = w
	}
	return out
}
