package telephony

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
)

// Handler serves
//
//	POST /api/v1/calls[?source=NAME]
//	                    one JSON record or an array of them, stored under
//	                    source NAME (default DefaultSource; 1 to 64 of
//	                    a-z 0-9 _ . -, else 400) → with a JSON Result: 201
//	                    (some accepted), 200 (all duplicates, or empty),
//	                    422 (nothing accepted or duplicate and some rejected:
//	                    not delivered, the sender must not drop it silently);
//	                    400 with the reason (nothing stored) for a body that
//	                    is not JSON objects or has an unknown field; 413 over Options.MaxBodyBytes;
//	                    405 for any other method. Record errors are in the
//	                    Result (Line = position in the array, from 1).
//	POST /api/v1/queue  a live queue snapshot (see QueueSnapshot) that sets
//	                    telephony_calls_waiting, telephony_oldest_wait_seconds
//	                    and the channel gauges → 204. A snapshot counts for
//	                    Options.SnapshotTTL: without a newer one the gauges go
//	                    back to their state before the first snapshot (waiting
//	                    and oldest wait 0, channel gauges absent), so a dead
//	                    feed does not freeze them; its staleness shows in
//	                    telephony_source_last_event_timestamp_seconds{source="queue_snapshot"}.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/calls", e.postOnly(e.serveCalls))
	mux.HandleFunc("/api/v1/queue", e.postOnly(e.serveQueue))
	return mux
}

func (e *Exporter) postOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			httpError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed; use POST", r.Method))
			return
		}
		h(w, r)
	}
}

// readBody reads the whole body within the limit; it writes the error reply
// itself and returns ok=false.
func (e *Exporter) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, e.o.MaxBodyBytes))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over the limit of %d bytes; send fewer records per request", mbe.Limit))
		return nil, false
	case err != nil:
		httpError(w, http.StatusBadRequest, "reading body: "+err.Error())
		return nil, false
	}
	return body, true
}

func (e *Exporter) serveCalls(w http.ResponseWriter, r *http.Request) {
	source := DefaultSource
	if q := r.URL.Query(); q.Has("source") {
		source = q.Get("source")
		if !ValidSource(source) {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("source %q is not 1 to 64 of a-z 0-9 _ . -", truncate(source, 80)))
			return
		}
	}
	body, ok := e.readBody(w, r)
	if !ok {
		return
	}
	t := bytes.TrimSpace(body)
	var objs []json.RawMessage
	switch {
	case len(t) > 0 && t[0] == '{':
		objs = []json.RawMessage{t}
	case len(t) > 0 && t[0] == '[':
		if rerr := decodeOne(t, &objs); rerr != nil {
			httpError(w, http.StatusBadRequest, rerr.Reason)
			return
		}
	default:
		httpError(w, http.StatusBadRequest, "body must be one JSON call record object or an array of them")
		return
	}
	items := make([]item, 0, len(objs))
	var rejected []RecordError
	for i, o := range objs {
		rec, rerr := parseJSONRecord(o, i+1)
		if rerr != nil {
			if rerr.Code == ReasonSyntax || isUnknownField(rerr) {
				// The sender's format is wrong: refuse the whole body, store nothing.
				httpError(w, http.StatusBadRequest, fmt.Sprintf("record %d: %s", i+1, rerr.Reason))
				return
			}
			rejected = append(rejected, *rerr)
			continue
		}
		items = append(items, item{line: i + 1, rec: rec})
	}
	res, err := e.ingest(r.Context(), TransportHTTP, source, items, rejected)
	if err != nil {
		e.log.Error("storing posted calls", "err", err)
		httpError(w, http.StatusServiceUnavailable, "the event store is unavailable; retry later")
		return
	}
	status := http.StatusOK
	switch {
	case res.Accepted > 0:
		status = http.StatusCreated
	case res.Duplicate == 0 && res.Rejected > 0:
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, res)
}

func isUnknownField(r *RecordError) bool { return strings.HasPrefix(r.Reason, "unknown field") }

// QueueSnapshot is the body of POST /api/v1/queue.
type QueueSnapshot struct {
	Queues []struct {
		PO                string  `json:"po"`
		ServiceOption     string  `json:"service_option"`
		Waiting           float64 `json:"waiting"`
		OldestWaitSeconds float64 `json:"oldest_wait_seconds"`
	} `json:"queues"`
	ChannelsInUse    *float64 `json:"channels_in_use,omitempty"`
	ChannelsCapacity *float64 `json:"channels_capacity,omitempty"`
}

func (e *Exporter) serveQueue(w http.ResponseWriter, r *http.Request) {
	body, ok := e.readBody(w, r)
	if !ok {
		return
	}
	var s QueueSnapshot
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		httpError(w, http.StatusBadRequest, "queue snapshot: "+err.Error()+
			`; want {"queues":[{"po","service_option","waiting","oldest_wait_seconds"}],"channels_in_use","channels_capacity"}`)
		return
	}
	live := map[WaitKey]liveWait{}
	for i, q := range s.Queues {
		po, ok := e.o.Catalog.PO(q.PO)
		if !ok {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("queues[%d]: unknown po %q", i, q.PO))
			return
		}
		if _, ok := po.Option(q.ServiceOption); !ok {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("queues[%d]: po %q has no service option %q", i, q.PO, q.ServiceOption))
			return
		}
		if !nonNeg(q.Waiting) || !nonNeg(q.OldestWaitSeconds) {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("queues[%d]: waiting and oldest_wait_seconds must be numbers >= 0", i))
			return
		}
		live[WaitKey{q.PO, q.ServiceOption}] = liveWait{Calls: q.Waiting, OldestSeconds: q.OldestWaitSeconds}
	}
	for _, p := range []*float64{s.ChannelsInUse, s.ChannelsCapacity} {
		if p != nil && !nonNeg(*p) {
			httpError(w, http.StatusBadRequest, "channels_in_use and channels_capacity must be numbers >= 0")
			return
		}
	}
	e.calls.setSnapshot(live, s.ChannelsInUse, s.ChannelsCapacity)
	e.self.seen(TransportQueueSnapshot, e.o.Now())
	w.WriteHeader(http.StatusNoContent)
}

func nonNeg(f float64) bool { return f >= 0 && !math.IsInf(f, 0) }

func httpError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
