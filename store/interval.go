package store

import "time"

// IntervalLength is the length of one aggregate interval.
const IntervalLength = 15 * time.Minute

// intervalStart is t truncated to the 15-minute interval, in UTC unix ns.
func intervalStart(t time.Time) int64 {
	ns := t.UnixNano()
	step := int64(IntervalLength)
	m := ns % step
	if m < 0 {
		m += step
	}
	return ns - m
}

// aggKey keys one row of call_intervals.
type aggKey struct{ seriesID, start int64 }

// counts are the exact figures of a set of calls. The same fields make up
// SummaryRow; sums are integer nanoseconds so that they add exactly.
type counts struct {
	offered, answered, answeredWithinTarget, answeredWithinRest   uint64
	abandoned, abandonedUnder20, abandoned20To60, abandonedOver60 uint64
	shortAbandons, ivrOnly, testCalls                             uint64
	answerWaitNS, talkNS, acwNS                                   int64
}

// add counts one call. Keep in step with callCountsSQL (summary.go).
func (n *counts) add(c *Call) {
	if c.Kind == KindTest {
		n.testCalls++
		return
	}
	switch c.Outcome {
	case OutcomeAnswered:
		n.offered++
		n.answered++
		if c.WithinTarget {
			n.answeredWithinTarget++
		}
		if c.WithinRest {
			n.answeredWithinRest++
		}
		n.answerWaitNS += nanos(c.WaitSeconds)
		n.talkNS += nanos(c.TalkSeconds)
		n.acwNS += nanos(c.AfterCallWorkSeconds)
	case OutcomeAbandoned:
		n.offered++
		n.abandoned++
		switch w := nanos(c.WaitSeconds); {
		case w <= 20e9:
			n.abandonedUnder20++
		case w <= 60e9:
			n.abandoned20To60++
		default:
			n.abandonedOver60++
		}
		if c.ShortAbandon {
			n.shortAbandons++
		}
	case OutcomeIVROnly:
		n.ivrOnly++
	}
}

// merge adds m to n.
func (n *counts) merge(m *counts) {
	n.offered += m.offered
	n.answered += m.answered
	n.answeredWithinTarget += m.answeredWithinTarget
	n.answeredWithinRest += m.answeredWithinRest
	n.abandoned += m.abandoned
	n.abandonedUnder20 += m.abandonedUnder20
	n.abandoned20To60 += m.abandoned20To60
	n.abandonedOver60 += m.abandonedOver60
	n.shortAbandons += m.shortAbandons
	n.ivrOnly += m.ivrOnly
	n.testCalls += m.testCalls
	n.answerWaitNS += m.answerWaitNS
	n.talkNS += m.talkNS
	n.acwNS += m.acwNS
}

// row converts counts to the exported form.
func (n *counts) row(serviceOption, standard string) SummaryRow {
	return SummaryRow{
		ServiceOption:        serviceOption,
		Standard:             standard,
		Offered:              n.offered,
		Answered:             n.answered,
		AnsweredWithinTarget: n.answeredWithinTarget,
		AnsweredWithinRest:   n.answeredWithinRest,
		Abandoned:            n.abandoned,
		AbandonedUnder20:     n.abandonedUnder20,
		Abandoned20To60:      n.abandoned20To60,
		AbandonedOver60:      n.abandonedOver60,
		ShortAbandons:        n.shortAbandons,
		IVROnly:              n.ivrOnly,
		TestCalls:            n.testCalls,
		TalkSeconds:          seconds(n.talkNS),
		AfterCallWorkSeconds: seconds(n.acwNS),
		AnswerWaitSeconds:    seconds(n.answerWaitNS),
	}
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }
