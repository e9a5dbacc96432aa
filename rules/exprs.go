package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slawatch/slawatch/catalog"
)

// Input metrics of the metric contract (DESIGN.md).
const (
	mOffered      = "telephony_calls_offered_total"
	mAnswerBucket = "telephony_answer_wait_seconds_bucket"
	mAnswerCount  = "telephony_answer_wait_seconds_count"
	mAbandonBkt   = "telephony_abandon_wait_seconds_bucket"
	mAbandonCount = "telephony_abandon_wait_seconds_count"
)

// level is an aggregation level of the recorded figures.
type level struct {
	prefix string // level part of the rule name
	by     string // the labels kept
}

var (
	levelOption = level{prefix: "po_service_option", by: "po, service_option"}
	levelNumber = level{prefix: "po_access_number", by: "po, access_number"}
)

func levels() []level { return []level{levelOption, levelNumber} }

// name builds level:metric:operation.
func (l level) name(metric, op string) string { return l.prefix + ":" + metric + ":" + op }

// sel is a selector of one PO's series of the metric, with extra matchers.
func sel(metric, po string, extra ...string) string {
	m := append([]string{fmt.Sprintf("po=%q", po)}, extra...)
	return metric + "{" + strings.Join(m, ",") + "}"
}

// leMatcher matches the bucket bound whether the engine stored it as "20"
// (Prometheus 2, VictoriaMetrics) or "20.0" (Prometheus 3 normalises le on
// ingestion), so one rule file works on all of them.
func leMatcher(seconds int) string {
	return `le=~"` + strconv.Itoa(seconds) + `(\\.0)?"`
}

// counterExpr is fn(metric{po}[window]) summed to the level.
func counterExpr(l level, fn, metric, po, window string, extra ...string) string {
	return fmt.Sprintf("sum by (%s) (%s(%s[%s]))", l.by, fn, sel(metric, po, extra...), window)
}

// withinExpr counts calls answered within target: for each tier the PO has
// ever used, the bucket at THAT tier's target, so a call is judged by the
// standard in force when it arrived (its standard label).
func withinExpr(l level, fn string, p *catalog.PO, window string) string {
	var parts []string
	for _, tier := range p.TiersUsed() {
		s, _ := p.Standard(tier)
		parts = append(parts, fmt.Sprintf("    %s(%s[%s])", fn,
			sel(mAnswerBucket, p.ID, fmt.Sprintf("standard=%q", tier), leMatcher(s.TargetSeconds)), window))
	}
	return fmt.Sprintf("sum by (%s) (\n%s\n)", l.by, strings.Join(parts, "\n  or\n"))
}

// denominatorExpr is the PO's SLA formula denominator.
func denominatorExpr(l level, fn string, p *catalog.PO, window string) string {
	f := p.Formula()
	offered := counterExpr(l, fn, mOffered, p.ID, window)
	switch f.Denominator {
	case catalog.DenomAnswered:
		return counterExpr(l, fn, mAnswerCount, p.ID, window)
	case catalog.DenomOfferedMinusShortAbandons:
		short := counterExpr(l, fn, mAbandonBkt, p.ID, window, leMatcher(f.ShortAbandonSeconds))
		// No abandon series yet means no short abandons, not no denominator.
		return fmt.Sprintf("%s\n-\n(\n  %s\n  or\n  0 * %s\n)", offered, short, offered)
	default:
		return offered
	}
}

// ratioExpr divides two recorded series of the same PO; a missing
// numerator counts as zero and a zero denominator gives no sample.
func ratioExpr(num, den, po string) string {
	n, d := sel(num, po), sel(den, po)
	return fmt.Sprintf("(%s or 0 * %s)\n/\n(%s > 0)", n, d, d)
}

// num formats a threshold without float noise (0.9, not 0.9000000000000001).
func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
