package slack_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/alerting/slack"
)

func TestSecretNeverPrints(t *testing.T) {
	s := slack.NewSecret("xoxb-very-secret")
	o := slack.Options{Token: s}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, o))
	}
	j, _ := json.Marshal(o)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "token", s, "opts", o)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "token", s)
	all := strings.Join(out, "\n") + string(j) + logs.String()
	if strings.Contains(all, "very-secret") {
		t.Errorf("secret printed:\n%s", all)
	}
	if !strings.Contains(all, "[redacted]") || s.Reveal() != "xoxb-very-secret" {
		t.Errorf("want [redacted] shown and Reveal to give the value")
	}
	if !slack.NewSecret("").IsZero() || slack.NewSecret("").String() != "" {
		t.Error("an empty secret is zero and prints nothing")
	}
}
