package telephony

import (
	"strings"
	"testing"
)

// slawatch_po_in_service follows the exporter's clock at each scrape: out
// of service on a weekday at noon, in service that evening, and in service
// at noon on a bank holiday (which PromQL alone could not know). Tower
// Hamlets starts at 17:30, so at 17:15 it is still out while Ealing is in.
func TestInServiceGaugeFollowsClock(t *testing.T) {
	cat := referenceCatalog(t)
	clock := &fixedClock{}
	_, reg := newExporter(t, cat, openStore(t, t.TempDir()), clock.now)
	for _, tc := range []struct {
		at   string // UTC; London is on BST (UTC+1) in May
		po   string
		want string
	}{
		{"2026-05-05T11:00:00Z", "ealing", "0"},        // Tuesday 12:00
		{"2026-05-05T17:00:00Z", "ealing", "1"},        // Tuesday 18:00
		{"2026-05-04T11:00:00Z", "ealing", "1"},        // Early May bank holiday, 12:00
		{"2026-05-05T16:15:00Z", "ealing", "1"},        // Tuesday 17:15
		{"2026-05-05T16:15:00Z", "tower_hamlets", "0"}, // Tuesday 17:15, starts 17:30
	} {
		clock.t = mustTime(t, tc.at)
		text := exposition(t, reg, "slawatch_po_in_service")
		line := `slawatch_po_in_service{po="` + tc.po + `"} ` + tc.want + "\n"
		if !strings.Contains(text, line) {
			t.Errorf("at %s: want %q in\n%s", tc.at, line, text)
		}
		if n := strings.Count(text, "slawatch_po_in_service{"); n != len(cat.Organisations) {
			t.Errorf("at %s: %d series, want one per PO (%d)", tc.at, n, len(cat.Organisations))
		}
	}
}
