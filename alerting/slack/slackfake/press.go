package slackfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Press builds the block_actions payload Slack sends when user presses the
// button with actionID on the message channel/ts as it is now: the
// button's value and block id, the message's blocks, the container.
func (s *Server) Press(channel, ts, actionID, user string) (string, error) {
	m, ok := s.Message(channel, ts)
	if !ok {
		return "", fmt.Errorf("slackfake: no message %s/%s", channel, ts)
	}
	var blocks []block
	if len(m.Blocks) > 0 {
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
			return "", err
		}
	}
	for _, b := range blocks {
		if b.Type != "actions" {
			continue
		}
		for _, raw := range b.Elements {
			var e element
			if err := json.Unmarshal(raw, &e); err != nil {
				return "", err
			}
			if e.ActionID == actionID {
				return buttonPayload(m, b.BlockID, e, user, s.srv.URL)
			}
		}
	}
	return "", fmt.Errorf("slackfake: message %s/%s has no button with action_id %q", channel, ts, actionID)
}

func buttonPayload(m Message, blockID string, e element, user, base string) (string, error) {
	msg := shape(m)
	p := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": "someone", "team_id": TeamID},
		"api_app_id": AppID,
		"token":      "deprecated-verification-token",
		"container": map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel,
			"is_ephemeral": false},
		"trigger_id":   "1700000000.1.fake",
		"team":         map[string]any{"id": TeamID, "domain": "slawatch-fake"},
		"channel":      map[string]any{"id": m.Channel, "name": "fake"},
		"message":      msg,
		"response_url": base + "/actions/" + m.Channel + "/" + m.TS,
		"actions": []map[string]any{{
			"action_id": e.ActionID, "block_id": blockID, "text": e.Text, "value": e.Value,
			"type": e.Type, "action_ts": "1700000001.000001",
		}},
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// Sign signs body as Slack does: timestamp is at in Unix seconds and
// signature "v0=" + hex(HMAC-SHA256(secret, "v0:<timestamp>:<body>")).
func Sign(secret string, at time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", timestamp)
	mac.Write(body)
	return timestamp, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// CallbackBody is the form body Slack posts for an interaction payload.
func CallbackBody(payload string) []byte {
	return []byte(url.Values{"payload": {payload}}.Encode())
}

// NewCallbackRequest is Slack's POST of payload to target (the app's
// Interactivity Request URL), signed with secret at time at.
func NewCallbackRequest(ctx context.Context, target, secret string, at time.Time, payload string) (*http.Request, error) {
	body := CallbackBody(payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts, sig := Sign(secret, at, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	return req, nil
}
