package mailroom

import (
	"os"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// The shipped examples are valid against the example catalogue, and the
// daily one covers every business unit and region of it.
func TestExampleCountFiles(t *testing.T) {
	cat, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cat.MailRoom == nil {
		t.Fatal("examples/london-ooh.yaml has no mail_room: section")
	}
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	units := 0
	for _, bu := range cat.MailRoom.BusinessUnits {
		units += len(bu.Regions)
	}
	for file, period := range map[string]string{
		"../../examples/mailroom/daily-2026-11-16.csv": store.MailroomDaily,
		"../../examples/mailroom/monthly-2026-10.csv":  store.MailroomMonthly,
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, ferr := ParseCountFile(data, cat.MailRoom, today)
		if ferr != nil {
			t.Errorf("%s: %v", file, ferr)
			continue
		}
		if f.Period != period || len(f.Rows) != units {
			t.Errorf("%s: %s with %d rows, want %s with one per business unit and region (%d)", file, f.Period, len(f.Rows), period, units)
		}
	}
}
