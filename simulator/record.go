// Package simulator drives realistic call traffic for the catalogue's POs:
// evening peaks, quiet nights, weekend days, and scenarios such as a surge
// at one PO. It is a client of the exporter: it speaks the canonical call
// record over HTTP like any telephony source would.
package simulator

import "time"

// Record is the canonical call record on the wire (JSON field names as the
// exporter's POST /api/v1/calls expects).
type Record struct {
	CallID               string     `json:"call_id"`
	PO                   string     `json:"po"`
	AccessNumber         string     `json:"access_number"`
	ServiceOption        string     `json:"service_option"`
	QueuedAt             time.Time  `json:"queued_at"`
	AnsweredAt           *time.Time `json:"answered_at,omitempty"`
	EndedAt              time.Time  `json:"ended_at"`
	Outcome              string     `json:"outcome"`
	AfterCallWorkSeconds float64    `json:"after_call_work_seconds"`
	Kind                 string     `json:"kind"`

	leftQueue time.Time // answered or abandoned; queue-exit for IVR-only is queued_at
}

// Waiting is the live queue of one PO service option.
type Waiting struct {
	PO                string  `json:"po"`
	ServiceOption     string  `json:"service_option"`
	Waiting           int     `json:"waiting"`
	OldestWaitSeconds float64 `json:"oldest_wait_seconds"`
}
