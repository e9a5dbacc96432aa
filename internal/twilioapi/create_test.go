package twilioapi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCreateOK(t *testing.T) {
	f := newFakeAPI(t, answer{status: 201})
	c := newTestClient(t, f, func(c *Config) { c.BaseURL += "/twilio/" })
	msg, n, err := Create(context.Background(), c, createMessage, nil)
	if err != nil || n != 1 || msg == nil || msg.Sid == nil || *msg.Sid != "SM0001" {
		t.Fatalf("Create = %v, %d, %v; want SM0001 at the first attempt", msg, n, err)
	}
	want := "/twilio/2010-04-01/Accounts/" + testSID + "/Messages.json"
	if got := f.requests(); len(got) != 1 || got[0] != want {
		t.Errorf("fake saw %q, want [%q] (BaseURL's path before twilio-go's)", got, want)
	}
}

func TestCreateRetriesTransient(t *testing.T) {
	f := newFakeAPI(t, answer{status: 503, code: 20503}, answer{status: 429, code: CodeTooManyRequests, retryAfter: "0"}, answer{status: 201})
	var seen []int
	_, n, err := Create(context.Background(), newTestClient(t, f, nil), createMessage, func(attempt int, e *Error) {
		if !e.Retry {
			t.Errorf("attempt %d: %v not transient", attempt, e)
		}
		seen = append(seen, e.Status)
	})
	if err != nil || n != 3 {
		t.Fatalf("Create = %d attempts, %v; want success at the third", n, err)
	}
	if len(seen) != 2 || seen[0] != 503 || seen[1] != 429 {
		t.Errorf("failed attempts saw %v, want [503 429]", seen)
	}
}

func TestCreateGivesUp(t *testing.T) {
	f := newFakeAPI(t, answer{status: 500, code: 20500})
	_, n, err := Create(context.Background(), newTestClient(t, f, nil), createMessage, nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != 500 || e.Code != 20500 || !e.Retry || n != 3 {
		t.Fatalf("Create = %d attempts, %v; want 3 and a transient 500", n, err)
	}
	if !strings.Contains(err.Error(), "attempt 3 of 3") || strings.Contains(err.Error(), testPhone) {
		t.Errorf("error %q: want the attempt count and no number", err)
	}
}

func TestCreatePermanentAtOnce(t *testing.T) {
	f := newFakeAPI(t, answer{status: 400, code: CodeInvalidTo})
	_, n, err := Create(context.Background(), newTestClient(t, f, nil), createMessage, nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalidTo || e.Retry || n != 1 || len(f.requests()) != 1 {
		t.Fatalf("Create = %d attempts, %v; want one permanent 21211", n, err)
	}
	if strings.Contains(err.Error(), testPhone) || strings.Contains(errors.Unwrap(e).Error(), testPhone) {
		t.Errorf("error chain names the number: %v / %v", err, errors.Unwrap(e))
	}
}

func TestCreateBadCredentials(t *testing.T) {
	f := newFakeAPI(t, answer{status: 201})
	c := newTestClient(t, f, func(c *Config) { c.AuthToken = secretOf("wrong123") })
	_, _, err := Create(context.Background(), c, createMessage, nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeAuthenticate || e.Status != 401 || e.Retry {
		t.Fatalf("Create = %v; want a permanent 20003", err)
	}
}

func TestCreateTimeoutPerAttempt(t *testing.T) {
	f := newFakeAPI(t, answer{hang: true})
	c := newTestClient(t, f, func(c *Config) { c.Timeout = 50 * time.Millisecond; c.Attempts = 2 })
	_, n, err := Create(context.Background(), c, createMessage, nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 || !e.Retry || n != 2 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Create = %d attempts, %v; want 2 attempts without an answer", n, err)
	}
}

func TestCreateNoTimeLeftForBackoff(t *testing.T) {
	f := newFakeAPI(t, answer{status: 503, code: 20503})
	c := newTestClient(t, f, func(c *Config) { c.Backoff = time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // less than MaxRetryWait
	defer cancel()
	_, n, err := Create(ctx, c, createMessage, nil)
	if err == nil || n != 1 || !strings.Contains(err.Error(), "no time left") {
		t.Fatalf("Create = %d attempts, %v; want to stop after one, no wait", n, err)
	}
}

// A ctx that ended during an attempt is not waited on for another.
func TestCreateStopsWhenCtxEnds(t *testing.T) {
	f := newFakeAPI(t, answer{status: 503, code: 20503})
	c := newTestClient(t, f, func(c *Config) { c.Backoff = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	_, n, err := Create(ctx, c, createMessage, func(int, *Error) { cancel() })
	var e *Error
	if !errors.As(err, &e) || !e.Retry || n != 1 || len(f.requests()) != 1 {
		t.Fatalf("Create = %d attempts, %v; want one transient failure, no wait", n, err)
	}
}
