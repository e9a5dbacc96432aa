package linetest

import (
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// DemandWindow is how far back demand is measured: the public calls
// queued on a number in the last 15 minutes, times four, are its calls per
// hour. A dead line that was busy therefore looks quiet (and gets tested)
// within 15 minutes instead of an hour.
const DemandWindow = 15 * time.Minute

// CallsPerHour is the demand of a number that had publicCalls public calls
// queued in the last DemandWindow.
func CallsPerHour(publicCalls int) int { return publicCalls * int(time.Hour/DemandWindow) }

// State is what the schedule needs from a number's history of runs.
type State struct {
	// LastStarted is when the latest run of any trigger started.
	LastStarted time.Time
	// LastHandoverStarted is when the latest handover-triggered run started.
	LastHandoverStarted time.Time
}

// Decision is the schedule's answer for one number at one instant.
type Decision struct {
	// InService: one of the number's service options is in service.
	InService bool
	// Required: in service and demand under the number's threshold
	// (the linetest_required gauge).
	Required bool
	// LastHandover is the latest handover at or before now at which the
	// number was in service, when its handover test is on; zero otherwise.
	LastHandover time.Time
	// Trigger is the test due now: TriggerHandover, TriggerLowDemand, or ""
	// for none.
	Trigger string
}

// Decide is the schedule of access number n of PO po at now, with demand
// callsPerHour (see CallsPerHour) and its history s. It is pure: the same
// arguments give the same answer.
//
//   - No test is due outside hours of service: the number is in service
//     when any of its service options is (catalog.InService: the PO's
//     hours, 24-hour bank holidays and Christmas working days, daily
//     closures of an option).
//   - A handover test is due when the number's handover test is on, the
//     latest handover (the start of the PO's service) is at or before now
//     and less than the grace ago, and no handover test has started since.
//   - A low-demand test is due when the test is required (demand under the
//     threshold) and no run of any trigger started within the interval.
//
// A handover test takes precedence; it also restarts the interval.
func Decide(c *catalog.Catalog, po string, n *catalog.AccessNumber, now time.Time, callsPerHour int, s State) Decision {
	return decide(c, po, n, now, 0, callsPerHour, s)
}

// decide is Decide with the hours of service read offset from now (the
// demo shows an evening at any time of day; see Options.ServiceOffset).
// LastHandover is given back on the real clock.
func decide(c *catalog.Catalog, po string, n *catalog.AccessNumber, now time.Time, offset time.Duration, callsPerHour int, s State) Decision {
	lt := n.LineTest
	var d Decision
	sv := now.Add(offset)
	d.InService = numberInService(c, po, n, sv)
	d.Required = d.InService && lt.ThresholdCallsPerHour != nil && callsPerHour < *lt.ThresholdCallsPerHour
	if lt.HandoverTest != nil && *lt.HandoverTest {
		if h, ok := c.LastHandover(po, sv); ok && numberInService(c, po, n, h) {
			d.LastHandover = h.Add(-offset)
		}
	}
	if !d.InService {
		return d
	}
	if h := d.LastHandover; !h.IsZero() && now.Before(h.Add(lt.Grace.D)) && s.LastHandoverStarted.Before(h) {
		d.Trigger = TriggerHandover
		return d
	}
	if d.Required && (s.LastStarted.IsZero() || !now.Before(s.LastStarted.Add(lt.Interval.D))) {
		d.Trigger = TriggerLowDemand
	}
	return d
}

// numberInService reports whether any service option of n is in service at t.
func numberInService(c *catalog.Catalog, po string, n *catalog.AccessNumber, t time.Time) bool {
	for _, so := range n.Options() {
		if c.InService(po, so, t) {
			return true
		}
	}
	return false
}
