package alerting

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ConsoleNotifier writes one short line per notification, for the demo and
// for a notifier without Slack or SMS credentials:
//
//	2025-01-06T23:04:05Z OPENED po-rbkc SLABreached rbkc/major_emergencies "summary" - would page on-call of rbkc (incident 7)
type ConsoleNotifier struct {
	mu sync.Mutex
	w  io.Writer
}

// NewConsoleNotifier writes to w (os.Stdout in `slawatch notify --console`).
func NewConsoleNotifier(w io.Writer) *ConsoleNotifier { return &ConsoleNotifier{w: w} }

// Notify writes the line. A failed write is not retried: the console is
// gone, not busy.
func (c *ConsoleNotifier) Notify(_ context.Context, n Notification) (bool, error) {
	line := ConsoleLine(n)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, line+"\n"); err != nil {
		return false, fmt.Errorf("console notifier: %w", err)
	}
	return false, nil
}

// ConsoleLine is the console's line for n, without the newline.
func ConsoleLine(n Notification) string {
	inc := &n.Incident
	where := inc.PO
	if inc.ServiceOption != "" {
		where += "/" + inc.ServiceOption
	}
	if where == "" {
		where = "-"
	}
	verb := "would page"
	if n.Event != "opened" {
		verb = "would tell"
	}
	return fmt.Sprintf("%s %s %s %s %s %q - %s %s (incident %d)",
		n.At.UTC().Format(time.RFC3339), strings.ToUpper(n.Event), n.Receiver, orDash(inc.AlertName), where,
		oneLine(inc.Summary()), verb, n.Target(), inc.ID)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a summary on one line and short.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}
