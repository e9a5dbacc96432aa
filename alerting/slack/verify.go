package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRequestAge is how far a callback's X-Slack-Request-Timestamp may be
// from now before it is refused as a possible replay (Slack's advice).
const MaxRequestAge = 5 * time.Minute

// verifySignature checks Slack's v0 request signature: X-Slack-Signature is
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + X-Slack-Request-Timestamp + ":" +
// body)), and the timestamp is within MaxRequestAge of now.
//
// It is slack-go's SecretsVerifier scheme (the tests check that both accept
// and refuse the same requests), written out here because slack-go's
// NewSecretsVerifier measures the age against the machine's clock and the
// handler must use its injected one.
func verifySignature(h http.Header, body []byte, secret string, now time.Time) error {
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp header")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("X-Slack-Request-Timestamp %q is not Unix seconds", clip(ts, 20))
	}
	if age := now.Sub(time.Unix(sec, 0)); age > MaxRequestAge || age < -MaxRequestAge {
		return fmt.Errorf("X-Slack-Request-Timestamp is %s from now; requests more than %s old are refused", age.Round(time.Second), MaxRequestAge)
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil || len(got) != sha256.Size {
		return errors.New("X-Slack-Signature is not v0=<64 hex digits>")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), got) {
		return errors.New("X-Slack-Signature does not match the body (wrong signing secret, or the body was changed)")
	}
	return nil
}
