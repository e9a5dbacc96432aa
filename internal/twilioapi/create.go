package twilioapi

import (
	"context"
	"fmt"
	"time"

	twilio "github.com/twilio/twilio-go"
)

// Create makes one create request (call, e.g. rc.Api.CreateMessage) and
// tries transient failures again within ctx: up to Attempts in all, each
// bounded by Timeout, waiting Backoff (doubled each time, at least a
// Retry-After, at most MaxRetryWait) between them. failed, if not nil,
// hears of each failed attempt (to log it). Create returns the result and
// the number of attempts made, or an error wrapping the last attempt's
// *Error: "attempt N of M: …", with why it stopped early when a wait did
// not fit in ctx or ctx ended during one. Whether the caller may retry
// later is that *Error's Retry.
func Create[T any](ctx context.Context, c *Client, call func(*twilio.RestClient) (T, error), failed func(attempt int, e *Error)) (T, int, error) {
	wait := c.cfg.Backoff
	for attempt := 1; ; attempt++ {
		v, ans, err := once(ctx, c, call)
		if err == nil {
			return v, attempt, nil
		}
		f := Classify(ctx, err, ans, c.cfg.What)
		if failed != nil {
			failed(attempt, f)
		}
		err = fmt.Errorf("attempt %d of %d: %w", attempt, c.cfg.Attempts, f)
		if !f.Retry || attempt >= c.cfg.Attempts || ctx.Err() != nil {
			return v, attempt, err
		}
		d := min(max(wait, f.RetryAfter), MaxRetryWait)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return v, attempt, fmt.Errorf("%w (no time left in ctx for another attempt)", err)
		}
		if serr := sleep(ctx, d); serr != nil {
			return v, attempt, fmt.Errorf("%w (then, waiting to try again: %w)", err, serr)
		}
		wait *= 2
	}
}

// once makes one request bounded by Timeout and ctx, and says what
// the transport saw (the HTTP status, which twilio-go's errors do not
// always keep).
func once[T any](ctx context.Context, c *Client, call func(*twilio.RestClient) (T, error)) (T, Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	rc, rt := c.rest(ctx)
	v, err := call(rc)
	return v, rt.Answer, err
}

// sleep waits d or until ctx ends, whose cause it then returns.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
