package board

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

// The CRM, mail-room and KPI lines: figures from their metrics, the bad
// news in capitals, nothing at all when a source has no metrics.
func TestBoardCRMMailroomKPILines(t *testing.T) {
	one := func(k, v string) map[string]string { return map[string]string{k: v} }
	src := fakeSource{results: map[string][]Sample{
		qCRMRequests:    {{nil, 57.4}},
		qCRMReferrals:   {{nil, 21}},
		qCRMUndelivered: {{nil, 2}},
		qCRMOpen:        {{nil, 4}},
		qCRMOverdue:     {{one("stage", "callback"), 1}, {one("stage", "report"), 0}},
		qCRMContactsDue: {{nil, 3}},
		qMailItems:      {{one("direction", "inbound"), 1234}, {one("direction", "outbound"), 567}},
		qMailHarmful:    {{nil, 1}},
		qMailMissing:    {{one("business_unit", "passports"), 2}, {one("business_unit", "visas"), 0}},
		qKPIOutturn: {{one("kpi", "answered_20s"), 83.1}, {one("kpi", "abandoned"), 6.2}, {one("kpi", "fcr"), 61},
			{one("kpi", "satisfaction"), 90}, {one("kpi", "volumes"), 100}},
		qKPIRAG: {{one("kpi", "answered_20s"), 2}, {one("kpi", "abandoned"), 1}, {one("kpi", "fcr"), 0}, {one("kpi", "satisfaction"), 2}},
	}}
	snap, err := Take(context.Background(), src, time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	snap.Render(&b, 0)
	for _, want := range []string{
		"CRM last hour: 57 requests, 21 referred to on-call staff; referrals 2 UNDELIVERED; complaints 4 open (1 callback OVERDUE); contacts 3 overdue",
		"mail room last hour: 1234 items in, 567 out; 1 HARMFUL in 24h; daily counts MISSING: passports 2",
		"KPIs: 2 green, 1 amber (abandoned 6.2%), 1 RED (fcr 61.0%), 1 information only",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("board:\n%s\nwant the line %q", b.String(), want)
		}
	}
}

func TestBoardWithoutCRMMailroomKPIs(t *testing.T) {
	src := fakeSource{results: map[string][]Sample{qCRMRequests: {{nil, math.NaN()}}}}
	snap, err := Take(context.Background(), src, time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	snap.Render(&b, 0)
	for _, no := range []string{"CRM", "mail room", "KPIs"} {
		if strings.Contains(b.String(), no) {
			t.Errorf("board shows %q without its metrics:\n%s", no, b.String())
		}
	}
}
