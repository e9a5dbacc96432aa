package linetest

import (
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// Numbers of the test catalogue.
const (
	mainNumber  = "+442079460101" // every service option of "borough"
	noiseNumber = "+442079460102" // noise only: closed 03:00-08:00 daily
	testCaller  = "+442079460990"
)

// testCatalogYAML: one PO in service 17:00-08:00 every day (so there is a
// handover on Sundays too, the days the clocks change), 24 hours on bank
// holidays; a number with threshold 2/h, interval 30m, grace 5m.
const testCatalogYAML = `
version: 1
time_zone: Europe/London
defaults:
  hours:
    weekly:
      - {from: "mon 17:00", to: "tue 08:00"}
      - {from: "tue 17:00", to: "wed 08:00"}
      - {from: "wed 17:00", to: "thu 08:00"}
      - {from: "thu 17:00", to: "fri 08:00"}
      - {from: "fri 17:00", to: "sat 08:00"}
      - {from: "sat 17:00", to: "sun 08:00"}
      - {from: "sun 17:00", to: "mon 08:00"}
    bank_holidays_24h: true
    christmas_working_days_24h: true
organisations:
  - id: borough
    name: Test Borough
    service_options:
      - id: housing_repairs
        standards: [{standard: gold, from: "2026-01-01"}]
      - id: noise_patrol
        standards: [{standard: silver, from: "2026-01-01"}]
        closed_daily: [{from: "03:00", to: "08:00"}]
    access_numbers:
      - number: "` + mainNumber + `"
        service_options: ["*"]
        line_test: {threshold_calls_per_hour: 2, interval: 30m, grace: 5m, handover_test: true}
      - number: "` + noiseNumber + `"
        service_options: [noise_patrol]
        line_test: {threshold_calls_per_hour: 2, interval: 30m, grace: 5m, handover_test: false}
provider:
  line_test_callers: ["` + testCaller + `"]
`

func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Parse("test-catalogue.yaml", []byte(testCatalogYAML))
	if err != nil {
		t.Fatalf("test catalogue: %v", err)
	}
	return c
}

func testNumber(t testing.TB, c *catalog.Catalog, e164 string) *catalog.AccessNumber {
	t.Helper()
	n, ok := c.Number(e164)
	if !ok {
		t.Fatalf("number %s is not in the test catalogue", e164)
	}
	return n
}

// at parses a London wall-clock time "2006-01-02 15:04" (or with seconds).
// An ambiguous time (the repeated hour in October) is the first one.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if v, err := time.ParseInLocation(layout, s, loc); err == nil {
			return v
		}
	}
	t.Fatalf("bad test time %q", s)
	return time.Time{}
}
