package store

import "time"

// SeriesKey identifies one telephony series (the labels of the exporter's
// metrics).
type SeriesKey struct{ PO, ServiceOption, AccessNumber, Standard string }

// Hist is a cumulative histogram: Buckets[i] = count with value <= bounds[i].
type Hist struct {
	Count   uint64
	Sum     float64
	Buckets []uint64
}

// SeriesTotals are all-time totals per series, used to restore exporter
// counters at start.
type SeriesTotals struct {
	SeriesKey
	Offered   uint64 // public answered + public abandoned (calls that reached the queue)
	IVROnly   uint64 // public ivr_only
	TestCalls uint64 // kind=test, any outcome
	Answered  Hist   // public answered calls, over WaitSeconds, bounds = waitBounds
	Abandoned Hist   // public abandoned calls, over WaitSeconds, bounds = waitBounds
	// Talk and AfterCallWork are over public answered calls, bounds = durationBounds.
	Talk, AfterCallWork Hist
}

// SummaryRow holds exact integers for one service option and standard over a
// period, by QueuedAt, public calls only (except TestCalls). Abandon bands:
// Under20 = wait <= 20 s, 20To60 = 20 < wait <= 60, Over60 = wait > 60.
// Offered = Answered + Abandoned; IVR-only calls are not offered.
type SummaryRow struct {
	ServiceOption, Standard string

	Offered, Answered, AnsweredWithinTarget, AnsweredWithinRest, Abandoned     uint64
	AbandonedUnder20, Abandoned20To60, AbandonedOver60, ShortAbandons, IVROnly uint64

	// TestCalls counts line-test calls (any outcome); they are never in any
	// other field.
	TestCalls uint64

	// Sums over answered calls, each call counted to the nanosecond so
	// that sums are exact and identical on SQLite and PostgreSQL.
	TalkSeconds, AfterCallWorkSeconds float64
	// AnswerWaitSeconds is the sum of WaitSeconds over answered calls
	// (average speed of answer = AnswerWaitSeconds / Answered).
	AnswerWaitSeconds float64
}

// IntervalRow is one 15-minute aggregate row: the counts of calls queued in
// [Start, Start+15m) for one access number, service option and standard.
type IntervalRow struct {
	Start        time.Time // UTC, on a 15-minute boundary
	AccessNumber string
	SummaryRow
}
