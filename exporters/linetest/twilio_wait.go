package linetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// twilioWait is one Dial waiting for its call's status callbacks.
// Callbacks are kept by CallSid, since they may come before the create
// call's answer names the SID (or, after a retried create, for a second
// call); the Dial's own call is sid once known. Guarded by the dialer's
// mu.
type twilioWait struct {
	run    int64
	token  string
	sid    string
	calls  map[string]*twilioCallState
	done   chan struct{}
	closed bool
}

// twilioCallState is what the callbacks told of one call so far.
type twilioCallState struct {
	last       string // latest status to arrive
	final      string // the first final status to arrive; later callbacks change nothing
	answeredBy string
	answeredAt time.Time  // when "in-progress" arrived
	result     DialResult // set with final
}

// twilioMaxCallsPerWait bounds the calls one Dial keeps callbacks for.
const twilioMaxCallsPerWait = 8

func newTwilioToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (d *TwilioDialer) register(run int64) *twilioWait {
	w := &twilioWait{run: run, token: newTwilioToken(), calls: map[string]*twilioCallState{}, done: make(chan struct{})}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.waiting[w.token] = w
	return w
}

func (d *TwilioDialer) unregister(w *twilioWait) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.waiting, w.token)
}

// record applies a verified callback; run is the Dial's run id, ok false
// when no Dial waits for its token (a late or stray callback).
func (d *TwilioDialer) record(s twilioStatus) (run int64, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	w := d.waiting[s.Token]
	if w == nil {
		return 0, false
	}
	cs := w.calls[s.CallSid]
	if cs == nil {
		if len(w.calls) >= twilioMaxCallsPerWait {
			return w.run, true
		}
		cs = &twilioCallState{}
		w.calls[s.CallSid] = cs
	}
	if cs.final != "" {
		return w.run, true // the first final status stands
	}
	cs.last = s.CallStatus
	if s.AnsweredBy != "" {
		cs.answeredBy = s.AnsweredBy
	}
	if s.CallStatus == "in-progress" && cs.answeredAt.IsZero() {
		cs.answeredAt = d.o.Now()
	}
	if twilioFinal(s.CallStatus) {
		cs.final = s.CallStatus
		cs.result = d.result(s.CallSid, cs, s)
	}
	w.check()
	return w.run, true
}

// check closes done once the Dial's own call has its final status.
func (w *twilioWait) check() {
	if cs := w.calls[w.sid]; !w.closed && w.sid != "" && cs != nil && cs.final != "" {
		w.closed = true
		close(w.done)
	}
}

// await waits for call sid's final status until ctx ends.
func (d *TwilioDialer) await(ctx context.Context, w *twilioWait, sid string) (DialResult, bool) {
	d.mu.Lock()
	w.sid = sid
	w.check()
	d.mu.Unlock()
	select {
	case <-w.done:
	case <-ctx.Done():
		select {
		case <-w.done: // both ready: the status came in time
		default:
			return DialResult{}, false
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return w.calls[sid].result, true
}

// result is the DialResult of call sid ending with fin; d.mu is held.
// Duration is the final callback's CallDuration, or else the time since
// the answer arrived.
func (d *TwilioDialer) result(sid string, cs *twilioCallState, fin twilioStatus) DialResult {
	r := DialResult{Status: fin.CallStatus, Connected: fin.CallStatus == DialCompleted, Ref: sid}
	switch {
	case fin.CallDuration >= 0:
		r.Duration = time.Duration(fin.CallDuration) * time.Second
	case r.Connected && !cs.answeredAt.IsZero():
		r.Duration = d.o.Now().Sub(cs.answeredAt).Truncate(time.Second)
	}
	var detail []string
	if cs.answeredBy != "" {
		detail = append(detail, "AnsweredBy "+cs.answeredBy)
	}
	if fin.SIPCode != 0 && fin.SIPCode != 200 {
		detail = append(detail, "SIP "+strconv.Itoa(fin.SIPCode))
	}
	r.Detail = strings.Join(detail, ", ")
	return r
}

// lastStatus is the latest status to arrive for call sid ("queued" when
// none did).
func (d *TwilioDialer) lastStatus(w *twilioWait, sid string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if cs := w.calls[sid]; cs != nil {
		return cs.last
	}
	return "queued"
}
