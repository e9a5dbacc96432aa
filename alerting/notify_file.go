package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// FileNotifier appends one JSON object per notification to a file (JSON
// lines), opened for each write so that log rotation needs no signal.
type FileNotifier struct {
	mu   sync.Mutex
	path string
}

// NewFileNotifier appends to path, creating it (mode 0640) if missing.
func NewFileNotifier(path string) *FileNotifier { return &FileNotifier{path: path} }

// FileRecord is one line of the file sink.
type FileRecord struct {
	At            time.Time         `json:"at"`
	Event         string            `json:"event"`
	Receiver      string            `json:"receiver"`
	Target        string            `json:"target"`
	IncidentID    int64             `json:"incident_id"`
	AlertName     string            `json:"alertname"`
	PO            string            `json:"po,omitempty"`
	ServiceOption string            `json:"service_option,omitempty"`
	Severity      string            `json:"severity,omitempty"`
	Status        string            `json:"status"`
	StartsAt      time.Time         `json:"starts_at"`
	EndsAt        *time.Time        `json:"ends_at,omitempty"`
	Summary       string            `json:"summary,omitempty"`
	Labels        map[string]string `json:"labels"`
}

// Notify appends the record. A missing directory or a permission problem
// is permanent; other write errors (disk full, I/O) are worth a retry.
func (f *FileNotifier) Notify(_ context.Context, n Notification) (bool, error) {
	inc := &n.Incident
	rec := FileRecord{At: n.At.UTC(), Event: n.Event, Receiver: n.Receiver, Target: n.Target(), IncidentID: inc.ID,
		AlertName: inc.AlertName, PO: inc.PO, ServiceOption: inc.ServiceOption, Severity: inc.Severity,
		Status: inc.Status, StartsAt: inc.StartsAt, Summary: inc.Summary(), Labels: inc.Labels}
	if !inc.EndsAt.IsZero() {
		rec.EndsAt = &inc.EndsAt
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return false, fmt.Errorf("file notifier: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission), fmt.Errorf("file notifier: %w", err)
	}
	_, werr := file.Write(append(line, '\n'))
	cerr := file.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return true, fmt.Errorf("file notifier %s: %w", f.path, err)
	}
	return false, nil
}
