package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// ConsoleSender writes one line per page or notice: the demo's pager, and
// the notifier's when no Slack or SMS credentials are set. It names the
// recipient by person id (never by name or number):
//
//	2026-11-22T01:04:05Z PAGE #7 SLABreached rbkc/major_emergencies "…" -> rbkc-duty-officer (step 1, reply 7A)
type ConsoleSender struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// NewConsoleSender writes to w; now stamps the lines (time.Now if nil).
func NewConsoleSender(w io.Writer, now func() time.Time) *ConsoleSender {
	if now == nil {
		now = time.Now
	}
	return &ConsoleSender{w: w, now: now}
}

// Channel is ChannelConsole.
func (c *ConsoleSender) Channel() string { return ChannelConsole }

// Send writes the line; the console is delivered when written. A failed
// write is not retried: the console is gone, not busy.
func (c *ConsoleSender) Send(_ context.Context, m Message) (Receipt, bool, error) {
	line := PageLine(c.now(), m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, line+"\n"); err != nil {
		return Receipt{}, false, fmt.Errorf("console: %w", err)
	}
	return Receipt{Ref: fmt.Sprintf("console/%d", m.PageID), Delivered: true}, false, nil
}

// PageLine is the console's line for m, without the newline.
func PageLine(at time.Time, m Message) string {
	to := m.To.PersonID
	if to == "" {
		to = m.To.SlackChannel
	}
	var tail string
	switch m.Kind {
	case MessagePage:
		tail = fmt.Sprintf("step %d, reply %s", m.Step+1, m.AckCode)
		if m.To.PersonID == "" {
			tail = fmt.Sprintf("step %d", m.Step+1)
		}
	case MessageAcknowledged:
		tail = "by " + m.By + " via " + m.Via
	case MessageResolved:
		tail = "cleared"
	}
	return fmt.Sprintf("%s %s #%s %s %s %q -> %s (%s)", at.UTC().Format(time.RFC3339), strings.ToUpper(m.Kind), m.Ref,
		orDash(m.AlertName), where(m.PO, m.ServiceOption), oneLine(m.Summary), to, tail)
}

// FileSender appends one JSON object per page or notice to a file (JSON
// lines), opened for each write so that log rotation needs no signal. It
// is a console-channel sink: person ids only, no contact details.
type FileSender struct {
	mu   sync.Mutex
	path string
	now  func() time.Time
}

// NewFileSender appends to path, creating it (mode 0640) if missing.
func NewFileSender(path string, now func() time.Time) *FileSender {
	if now == nil {
		now = time.Now
	}
	return &FileSender{path: path, now: now}
}

// Channel is ChannelConsole.
func (f *FileSender) Channel() string { return ChannelConsole }

// PageRecord is one line of the file sink.
type PageRecord struct {
	At            time.Time `json:"at"`
	Kind          string    `json:"kind"`
	IncidentID    int64     `json:"incident_id"`
	PageID        int64     `json:"page_id"`
	To            string    `json:"to"`
	AckCode       string    `json:"ack_code,omitempty"`
	Step          int       `json:"step"`
	AlertName     string    `json:"alertname"`
	PO            string    `json:"po,omitempty"`
	ServiceOption string    `json:"service_option,omitempty"`
	Severity      string    `json:"severity,omitempty"`
	Summary       string    `json:"summary,omitempty"`
	Since         time.Time `json:"since"`
	By            string    `json:"by,omitempty"`
	Via           string    `json:"via,omitempty"`
}

// Send appends the record. A missing directory or a permission problem
// is permanent; other write errors (disk full, I/O) are worth a retry.
func (f *FileSender) Send(_ context.Context, m Message) (Receipt, bool, error) {
	to := m.To.PersonID
	if to == "" {
		to = m.To.SlackChannel
	}
	line, err := json.Marshal(PageRecord{At: f.now().UTC(), Kind: m.Kind, IncidentID: m.IncidentID, PageID: m.PageID, To: to,
		AckCode: m.AckCode, Step: m.Step, AlertName: m.AlertName, PO: m.PO, ServiceOption: m.ServiceOption,
		Severity: m.Severity, Summary: m.Summary, Since: m.Since.UTC(), By: m.By, Via: m.Via})
	if err != nil {
		return Receipt{}, false, fmt.Errorf("file sink: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return Receipt{}, !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission), fmt.Errorf("file sink: %w", err)
	}
	_, werr := file.Write(append(line, '\n'))
	if err := errors.Join(werr, file.Close()); err != nil {
		return Receipt{}, true, fmt.Errorf("file sink %s: %w", f.path, err)
	}
	return Receipt{Ref: fmt.Sprintf("file/%d", m.PageID), Delivered: true}, false, nil
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
