package slack

import (
	"errors"
	"fmt"
	"strconv"

	slackgo "github.com/slack-go/slack"
)

// transientCodes are Slack `ok:false` error codes worth trying again; every
// other code (channel_not_found, not_in_channel, invalid_auth,
// account_inactive, user_not_found, is_archived, ...) is permanent.
var transientCodes = map[string]bool{
	"ratelimited":         true,
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
}

// classify is the one place that decides whether a Web API failure is
// transient: network errors and timeouts, HTTP 5xx and 429 (slack-go's
// *RateLimitedError and StatusCodeError) and Slack's transient codes are
// retried; Slack's other `ok:false` codes and other HTTP 4xx are not. code
// is what the error says in words: Slack's error code, "http_503",
// "rate_limited" or "network".
func classify(err error) (retry bool, code string) {
	if rl, ok := errors.AsType[*slackgo.RateLimitedError](err); ok {
		return true, "rate_limited (retry after " + rl.RetryAfter.String() + ")"
	}
	if sc, ok := errors.AsType[slackgo.StatusCodeError](err); ok {
		return sc.Retryable(), "http_" + strconv.Itoa(sc.Code)
	}
	if se, ok := errors.AsType[slackgo.SlackErrorResponse](err); ok {
		return transientCodes[se.Err], se.Err
	}
	// Everything else failed before Slack answered with a status or
	// answered with something that is not Slack's JSON: a refused
	// connection, a timeout, a proxy's page. Try again.
	return true, "network"
}

// codeOf is the Slack error code of err, "" when it is not an `ok:false`.
func codeOf(err error) string {
	if se, ok := errors.AsType[slackgo.SlackErrorResponse](err); ok {
		return se.Err
	}
	return ""
}

// sendError is the error a Sender returns: the Web API method, the kind of
// destination (never a member id), the Slack error code and whether it
// will be retried.
func sendError(method string, d dest, err error) (bool, error) {
	retry, code := classify(err)
	kind := "permanent"
	if retry {
		kind = "transient"
	}
	return retry, fmt.Errorf("slack: %s to %s: %s (%s): %w", method, d, code, kind, err)
}
