package store

import (
	"fmt"
	"time"
)

// Incident statuses.
const (
	IncidentFiring   = "firing"
	IncidentResolved = "resolved"
)

// Incident event kinds (the audit trail, incident_events.kind).
const (
	EventOpened       = "opened"
	EventUpdated      = "updated"
	EventResolved     = "resolved"
	EventNotified     = "notified"
	EventNotifyFailed = "notify_failed"
)

// IncidentAlert is one alert of an Alertmanager webhook, as the notifier
// stores it.
type IncidentAlert struct {
	Receiver    string // Alertmanager receiver, e.g. "po-rbkc"
	GroupKey    string
	Fingerprint string
	Status      string // IncidentFiring or IncidentResolved
	Labels      map[string]string
	Annotations map[string]string
	StartsAt    time.Time
	EndsAt      time.Time // zero while firing
}

// Incident is one alert episode: (GroupKey, Fingerprint, StartsAt).
type Incident struct {
	ID                              int64
	Receiver, GroupKey, Fingerprint string
	AlertName, PO, ServiceOption    string
	Severity                        string
	Labels, Annotations             map[string]string
	Status                          string
	StartsAt                        time.Time
	EndsAt                          time.Time // zero while firing
	FirstSeen, LastSeen, Updated    time.Time
	Events                          int // audit events recorded (ListIncidents only)
}

// Summary is the alert's "summary" annotation, or its description.
func (i *Incident) Summary() string {
	if s := i.Annotations["summary"]; s != "" {
		return s
	}
	return i.Annotations["description"]
}

// IncidentEvent is one row of an incident's audit trail.
type IncidentEvent struct {
	ID, IncidentID int64
	At             time.Time
	Kind           string
	Detail         string
}

// AlertResult is what UpsertAlerts did with one alert. Change is
// EventOpened, EventUpdated, EventResolved, or "" when the alert told
// nothing new (a repeated or late delivery).
type AlertResult struct {
	Incident Incident
	Change   string
}

// Changed reports whether the alert changed the incident.
func (r AlertResult) Changed() bool { return r.Change != "" }

// IncidentFilter selects incidents; zero fields select everything.
type IncidentFilter struct {
	PO string
	// GroupKey and Fingerprint select one alert's episodes.
	GroupKey, Fingerprint string
	Status                string // "", IncidentFiring or IncidentResolved
	// Since keeps incidents open at some time at or after Since: still
	// firing, or ended at or after Since.
	Since time.Time
	Limit int // 0: no limit
}

func validateIncidentAlert(i int, a *IncidentAlert) error {
	bad := func(field, msg string) error {
		return fmt.Errorf("store: alert %d (fingerprint %q): %s %s", i, a.Fingerprint, field, msg)
	}
	switch {
	case a.Receiver == "":
		return bad("receiver", "is empty; want the Alertmanager receiver name such as po-rbkc")
	case a.GroupKey == "":
		return bad("group key", "is empty")
	case a.Fingerprint == "":
		return bad("fingerprint", "is empty")
	case a.Status != IncidentFiring && a.Status != IncidentResolved:
		return bad("status", fmt.Sprintf("%q: want %q or %q", a.Status, IncidentFiring, IncidentResolved))
	case a.StartsAt.IsZero():
		return bad("startsAt", "is missing")
	}
	return nil
}
