package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestNeverPrints(t *testing.T) {
	s := New("xoxb-very-secret")
	holder := struct {
		Name  string
		Token Secret
	}{"slack", s}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, holder))
	}
	j, _ := json.Marshal(holder)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "token", s, "holder", holder)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "token", s)
	all := strings.Join(out, "\n") + string(j) + logs.String()
	if strings.Contains(all, "very-secret") {
		t.Errorf("secret printed:\n%s", all)
	}
	if !strings.Contains(all, "[redacted]") || s.Reveal() != "xoxb-very-secret" {
		t.Errorf("want [redacted] shown and Reveal to give the value:\n%s", all)
	}
	if z := New(""); !z.IsZero() || z.String() != "" || z.Reveal() != "" {
		t.Error("an empty secret is zero and prints nothing")
	}
}
