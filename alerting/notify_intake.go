package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/slawatch/slawatch/store"
)

// MaxWebhookBytes bounds a webhook body (413 above it). Alertmanager's
// largest groups are a few hundred alerts of about 1 KB.
const MaxWebhookBytes = 1 << 20

// IncidentStore is what the intake needs of the event store
// (*store.Store).
type IncidentStore interface {
	UpsertAlerts(ctx context.Context, alerts []store.IncidentAlert, now time.Time) ([]store.AlertResult, error)
	AddIncidentEvent(ctx context.Context, id int64, at time.Time, kind, detail string) error
}

// IntakeOptions configure NewIntake. Store and Logger are required.
type IntakeOptions struct {
	Store  IncidentStore
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Notifiers get every opened and resolved incident, in order.
	Notifiers []Notifier
	// NotifyTimeout bounds the delivery of one webhook's notifications,
	// retries included; default 30 s.
	NotifyTimeout time.Duration
	// Attempts per notification and notifier when failures are transient;
	// default 3.
	Attempts int
	// Backoff is the wait before the second attempt, doubled after each;
	// default 200 ms.
	Backoff time.Duration
}

// Intake is the http.Handler of Alertmanager's webhook (POST WebhookPath).
//
// It answers 2xx only after the store has committed every alert of the
// message, 400 for a body that is not a version 4 webhook (with the
// reason), 413 above MaxWebhookBytes, 405 for other methods and 503 when
// the store fails, so that Alertmanager retries. Once stored, the opened
// and resolved incidents are delivered to the notifiers before the answer:
// a retry of the webhook finds them stored and changes nothing, so a page
// is never sent twice because Alertmanager retried. Watchdog alerts are
// stored (their last_seen shows the alert path is alive) but page nobody.
type Intake struct {
	opts IntakeOptions
}

// NewIntake checks the options and fills in defaults.
func NewIntake(opts IntakeOptions) (*Intake, error) {
	if opts.Store == nil {
		return nil, errors.New("alerting.NewIntake: Store is nil; pass the event store")
	}
	if opts.Logger == nil {
		return nil, errors.New("alerting.NewIntake: Logger is nil; pass a *slog.Logger")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NotifyTimeout <= 0 {
		opts.NotifyTimeout = 30 * time.Second
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 3
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 200 * time.Millisecond
	}
	return &Intake{opts: opts}, nil
}

// IntakeResult is the JSON answer to a stored webhook.
type IntakeResult struct {
	Alerts    int `json:"alerts"`
	Opened    int `json:"opened"`
	Updated   int `json:"updated"`
	Resolved  int `json:"resolved"`
	Unchanged int `json:"unchanged"`
}

func (in *Intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := in.opts.Logger
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST with an Alertmanager webhook (payload version 4)", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBytes))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			http.Error(w, fmt.Sprintf("body over %d bytes", MaxWebhookBytes), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	msg, err := ParseWebhook(body)
	if err != nil {
		log.Warn("alertmanager webhook rejected", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	results, err := in.opts.Store.UpsertAlerts(r.Context(), msg.IncidentAlerts(), in.opts.Now())
	if err != nil {
		log.Error("alertmanager webhook not stored; Alertmanager will retry", "receiver", msg.Receiver, "alerts", len(msg.Alerts), "err", err)
		http.Error(w, "the event store failed; retry later", http.StatusServiceUnavailable)
		return
	}
	res := IntakeResult{Alerts: len(results)}
	var notes []Notification
	for _, rr := range results {
		switch rr.Change {
		case store.EventOpened:
			res.Opened++
		case store.EventResolved:
			res.Resolved++
		case store.EventUpdated:
			res.Updated++
		default:
			res.Unchanged++
		}
		if (rr.Change == store.EventOpened || rr.Change == store.EventResolved) && msg.Receiver != WatchdogReceiver {
			notes = append(notes, Notification{Event: rr.Change, Incident: rr.Incident, Receiver: msg.Receiver, PO: poOfReceiver(msg.Receiver)})
		}
	}
	log.Info("alertmanager webhook stored", "receiver", msg.Receiver, "alerts", res.Alerts,
		"opened", res.Opened, "resolved", res.Resolved, "updated", res.Updated, "unchanged", res.Unchanged)
	// Delivery must not stop because Alertmanager hung up: the incidents
	// are stored and a retried webhook would not notify again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), in.opts.NotifyTimeout)
	defer cancel()
	for _, n := range notes {
		in.deliver(ctx, n)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(res)
}

// deliver hands n to every notifier, retrying transient failures, and
// records each outcome in the incident's audit trail.
func (in *Intake) deliver(ctx context.Context, n Notification) {
	log := in.opts.Logger.With("incident", n.Incident.ID, "event", n.Event, "receiver", n.Receiver)
	for i, nf := range in.opts.Notifiers {
		name := fmt.Sprintf("%T", nf)
		var err error
		backoff := in.opts.Backoff
		for attempt := 1; ; attempt++ {
			n.At = in.opts.Now()
			var retry bool
			if retry, err = nf.Notify(ctx, n); err == nil || !retry || attempt >= in.opts.Attempts || !sleep(ctx, backoff) {
				break
			}
			log.Warn("notification failed; retrying", "notifier", name, "attempt", attempt, "err", err)
			backoff *= 2
		}
		kind, detail := store.EventNotified, fmt.Sprintf("%s took the %s incident (%s)", name, n.Event, n.Target())
		if err != nil {
			kind, detail = store.EventNotifyFailed, fmt.Sprintf("%s %s: %v", name, n.Event, err)
			log.Error("notification not delivered", "notifier", name, "index", i, "err", err)
		}
		if rerr := in.opts.Store.AddIncidentEvent(ctx, n.Incident.ID, in.opts.Now(), kind, detail); rerr != nil {
			log.Error("notification outcome not recorded", "notifier", name, "outcome", kind, "err", rerr)
		}
	}
}

// sleep waits d or until ctx ends; false if ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
