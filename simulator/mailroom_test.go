package simulator

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/mailroom"
	"github.com/slawatch/slawatch/store"
)

func mailroomCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("../exporters/mailroom/testdata/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var mrStart = time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC)

// The same seed gives the same items whatever instants Advance is called
// at; another seed gives others.
func TestMailroomSimDeterministic(t *testing.T) {
	cat := mailroomCatalog(t)
	a, err := NewMailroom(MailroomOptions{Catalog: cat, Seed: 7, Start: mrStart})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewMailroom(MailroomOptions{Catalog: cat, Seed: 7, Start: mrStart})
	c, _ := NewMailroom(MailroomOptions{Catalog: cat, Seed: 8, Start: mrStart})
	var fromA, fromB []mailroom.Item
	for m := 1; m <= 180; m++ {
		fromA = append(fromA, a.Advance(mrStart.Add(time.Duration(m)*time.Minute+17*time.Second))...)
	}
	fromB = append(fromB, b.Advance(mrStart.Add(90*time.Minute+30*time.Second))...)
	fromB = append(fromB, b.Advance(mrStart.Add(180*time.Minute+59*time.Second))...)
	if len(fromA) < 50 || !reflect.DeepEqual(fromA, fromB) {
		t.Fatalf("%d items by the minute, %d in two steps; equal: %v", len(fromA), len(fromB), reflect.DeepEqual(fromA, fromB))
	}
	if reflect.DeepEqual(fromA, c.Advance(mrStart.Add(180*time.Minute))) {
		t.Error("another seed gave the same items")
	}
	if got := a.Advance(mrStart.Add(180 * time.Minute)); len(got) != 0 {
		t.Errorf("advancing to the past gave %d items", len(got))
	}
	if string(a.DailyCounts(mrStart)) != string(b.DailyCounts(mrStart)) {
		t.Error("daily counts differ between equal simulations")
	}
	office, _ := NewMailroom(MailroomOptions{Catalog: cat, Seed: 7, Start: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC), OfficeHoursOnly: true})
	if got := office.Advance(time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)); len(got) != 0 {
		t.Errorf("%d items on a Saturday with office hours only", len(got))
	}
}

// What the simulator makes passes the exporter's validation: every item,
// and the daily count file; posted through MailroomFeed to the exporter's
// handler, every item is accepted once.
func TestMailroomSimPassesValidation(t *testing.T) {
	cat := mailroomCatalog(t)
	s, _ := NewMailroom(MailroomOptions{Catalog: cat, Seed: 42, Start: mrStart, Harmful: []string{"benefits"}})
	items := s.Advance(mrStart.Add(24 * time.Hour))
	kinds := map[string]bool{}
	now := mrStart.Add(25 * time.Hour)
	for i := range items {
		if _, ierr := items[i].Validate(cat.MailRoom, now, i+1); ierr != nil {
			t.Fatalf("item %+v: %v", items[i], ierr)
		}
		kinds[items[i].Kind] = true
		if items[i].Kind == mailroom.KindHarmful && items[i].BusinessUnit != "benefits" {
			t.Errorf("harmful item in %s: only the Harmful units have them", items[i].BusinessUnit)
		}
	}
	if len(kinds) != len(mailroom.Kinds()) {
		t.Errorf("a day of traffic has kinds %v, want all of %v", kinds, mailroom.Kinds())
	}
	f, ferr := mailroom.ParseCountFile(s.DailyCounts(mrStart), cat.MailRoom, now)
	if ferr != nil || len(f.Rows) != 3 || f.Period != store.MailroomDaily || f.Rows[0].Day != "2026-11-16" {
		t.Fatalf("daily counts: %+v %v", f, ferr)
	}

	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "s.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	exp, err := mailroom.New(context.Background(), mailroom.Options{Catalog: cat, Store: st, Logger: slog.New(slog.DiscardHandler),
		Registerer: prometheus.NewRegistry(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp.Handler())
	defer srv.Close()
	feed := &MailroomFeed{Feed{BaseURL: srv.URL, Client: srv.Client(), Logger: slog.New(slog.DiscardHandler)}}
	if err := feed.PostItems(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if err := feed.PostItems(context.Background(), items[:5]); err != nil { // a replay: 200, all duplicates
		t.Fatal(err)
	}
	totals, err := st.MailroomItemTotals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var stored, sent int64
	for _, x := range totals {
		stored += x.Quantity
	}
	for _, it := range items {
		sent += max(it.Count, 1)
	}
	if stored != sent {
		t.Errorf("stored %d items, sent %d", stored, sent)
	}

	dir := t.TempDir()
	p, err := s.DropDailyCounts(dir, mrStart)
	if err != nil || filepath.Base(p) != "daily-2026-11-16.csv" {
		t.Fatalf("drop: %s %v", p, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("drop folder holds %d entries, want the one file", len(ents))
	}
}
