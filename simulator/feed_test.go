package simulator

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestFeedRetriesTransientNotPermanent(t *testing.T) {
	var calls atomic.Int32
	status := []int{http.StatusServiceUnavailable, http.StatusCreated}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		var recs []Record
		if err := json.NewDecoder(r.Body).Decode(&recs); err != nil || len(recs) != 1 || recs[0].CallID != "c1" {
			t.Errorf("body: %v %+v", err, recs)
		}
		if r.URL.Path == "/api/v1/calls" && int(n) <= len(status) {
			w.WriteHeader(status[n-1])
			return
		}
		http.Error(w, `{"error":"bad"}`, http.StatusBadRequest)
	}))
	defer srv.Close()
	f := &Feed{BaseURL: srv.URL, Client: srv.Client(), Logger: slog.New(slog.DiscardHandler), Retries: 3}
	rec := []Record{{CallID: "c1", QueuedAt: time.Now(), EndedAt: time.Now()}}
	if err := f.PostCalls(context.Background(), rec); err != nil {
		t.Fatalf("a 503 then 201 should succeed: %v", err)
	}
	if calls.Load() != 2 {
		t.Fatalf("posts = %d, want 2", calls.Load())
	}
	err := f.PostCalls(context.Background(), rec)
	if err == nil || !strings.Contains(err.Error(), "400") || calls.Load() != 3 {
		t.Fatalf("a 400 must fail at once: err=%v posts=%d", err, calls.Load())
	}
}
