package linetest_test

import (
	"fmt"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/linetest"
)

// The schedule of a number on a Monday evening (default hours: the
// provider answers from 17:00): the handover test, then a low-demand test
// every 30 minutes while fewer than 2 calls an hour arrive.
func ExampleDecide() {
	c, err := catalog.Parse("example.yaml", []byte(`
organisations:
  - id: acme
    name: Acme Borough
    service_options: [{id: noise_patrol, standards: [{standard: gold, from: "2026-01-01"}]}]
    access_numbers: [{number: "+442079460999", service_options: ["*"]}]
`))
	if err != nil {
		panic(err)
	}
	n, _ := c.Number("+442079460999")
	loc := c.Location()
	var s linetest.State
	for _, step := range []struct {
		clock string
		calls int // public calls in the last 15 minutes
	}{{"16:30", 0}, {"17:00", 0}, {"17:10", 0}, {"17:30", 3}, {"17:45", 0}} {
		now, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-23 "+step.clock, loc)
		d := linetest.Decide(c, "acme", n, now, linetest.CallsPerHour(step.calls), s)
		fmt.Printf("%s in service %-5v required %-5v test %q\n", step.clock, d.InService, d.Required, d.Trigger)
		if d.Trigger != "" {
			s.LastStarted = now
			if d.Trigger == linetest.TriggerHandover {
				s.LastHandoverStarted = now
			}
		}
	}
	// Output:
	// 16:30 in service false required false test ""
	// 17:00 in service true  required true  test "handover"
	// 17:10 in service true  required true  test ""
	// 17:30 in service true  required false test ""
	// 17:45 in service true  required true  test "low_demand"
}
