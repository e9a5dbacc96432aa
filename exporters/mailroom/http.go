package mailroom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ItemsPath is where scanners and sorting stations post item events.
const ItemsPath = "/api/v1/mailroom/items"

// Handler serves
//
//	POST /api/v1/mailroom/items   one JSON Item or an array of them → a JSON
//	    Result: 201 (some accepted), 200 (all duplicates, or empty), 422
//	    (some rejected and none accepted or duplicate: the sender must not
//	    drop them silently), each rejected item with its position, field and
//	    reason; 400 (nothing stored) for a body that is not a JSON object or
//	    array; 413 over Options.MaxBodyBytes; 503 when the store fails
//	    (nothing counted: retry); 405 for any other method.
//
// Items are independent: a bad one is rejected alone, the others count.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(ItemsPath, e.serveItems)
	return mux
}

func (e *Exporter) serveItems(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed; use POST", r.Method))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, e.o.MaxBodyBytes))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over the limit of %d bytes; send fewer items per request", mbe.Limit))
		return
	case err != nil:
		httpError(w, http.StatusBadRequest, "reading body: "+err.Error())
		return
	}
	items, decodeErrs, err := DecodeItems(body)
	if err != nil {
		e.m.itemRejections.WithLabelValues(ReasonItemJSON).Inc()
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := e.Ingest(r.Context(), items, decodeErrs)
	if err != nil {
		e.log.Error("storing mail-room items", "err", err)
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
