package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestIncidentsSQLite(t *testing.T) { runIncidentSuite(t, sqliteBackend()) }

func TestIncidentsPostgres(t *testing.T) {
	postgresDSN(t)
	runIncidentSuite(t, postgresBackend())
}

func runIncidentSuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s *Store)
	}{
		{"OpenResolveReopen", testIncidentLifecycle},
		{"SameWebhookTwiceChangesNothing", testIncidentIdempotent},
		{"LateFiringNeverReopens", testIncidentLateFiring},
		{"AnnotationsUpdate", testIncidentUpdate},
		{"FirstSeenResolved", testIncidentFirstResolved},
		{"ListFilters", testIncidentList},
		{"InvalidBatchWritesNothing", testIncidentInvalid},
		{"EventsAndNotified", testIncidentEvents},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, mustOpen(t, b.fresh(t))) })
	}
}

var incBase = time.Date(2025, 3, 29, 23, 0, 0, 123456789, time.UTC)

func breach(status string, starts time.Time) IncidentAlert {
	a := IncidentAlert{
		Receiver: "po-rbkc", GroupKey: `{}/{po="rbkc"}:{alertname="SLABreached", po="rbkc", service_option="major_emergencies"}`,
		Fingerprint: "a1b2c3d4e5f60718", Status: status,
		Labels:      map[string]string{"alertname": "SLABreached", "po": "rbkc", "service_option": "major_emergencies", "severity": "page"},
		Annotations: map[string]string{"summary": "RBKC major emergencies under 80% within 20 s"},
		StartsAt:    starts,
	}
	if status == IncidentResolved {
		a.EndsAt = starts.Add(30 * time.Minute)
	}
	return a
}

func upsert(t *testing.T, s *Store, now time.Time, alerts ...IncidentAlert) []AlertResult {
	t.Helper()
	r, err := s.UpsertAlerts(context.Background(), alerts, now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func events(t *testing.T, s *Store, id int64) []string {
	t.Helper()
	ev, err := s.IncidentEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range ev {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

func testIncidentLifecycle(t *testing.T, s *Store) {
	r := upsert(t, s, incBase, breach(IncidentFiring, incBase))
	if r[0].Change != EventOpened || r[0].Incident.ID == 0 || r[0].Incident.Status != IncidentFiring {
		t.Fatalf("firing: %+v, want an opened firing incident", r[0])
	}
	inc := r[0].Incident
	if inc.PO != "rbkc" || inc.ServiceOption != "major_emergencies" || inc.Severity != "page" || inc.AlertName != "SLABreached" ||
		!inc.StartsAt.Equal(incBase) || !inc.EndsAt.IsZero() {
		t.Errorf("opened incident %+v", inc)
	}
	r = upsert(t, s, incBase.Add(31*time.Minute), breach(IncidentResolved, incBase))
	if r[0].Change != EventResolved || r[0].Incident.ID != inc.ID || !r[0].Incident.EndsAt.Equal(incBase.Add(30*time.Minute)) {
		t.Fatalf("resolved: %+v, want incident %d resolved at endsAt", r[0], inc.ID)
	}
	// Fires again later: a new episode, a new incident; the first keeps its end.
	again := incBase.Add(2 * time.Hour)
	r = upsert(t, s, again, breach(IncidentFiring, again))
	if r[0].Change != EventOpened || r[0].Incident.ID == inc.ID {
		t.Fatalf("refiring: %+v, want a new incident", r[0])
	}
	old, err := s.Incident(context.Background(), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if old.Status != IncidentResolved || !old.EndsAt.Equal(incBase.Add(30*time.Minute)) || old.Events != 2 {
		t.Errorf("first incident after refiring: %+v, want resolved with 2 events", old)
	}
	if got := events(t, s, r[0].Incident.ID); !reflect.DeepEqual(got, []string{EventOpened}) {
		t.Errorf("new incident events %v", got)
	}
	ev, _ := s.IncidentEvents(context.Background(), r[0].Incident.ID)
	if len(ev) != 1 || !strings.Contains(ev[0].Detail, "resolved") {
		t.Errorf("reopening event %+v should say which incident resolved before", ev)
	}
}

func testIncidentIdempotent(t *testing.T, s *Store) {
	batch := []IncidentAlert{breach(IncidentFiring, incBase), breach(IncidentFiring, incBase)}
	batch[1].Fingerprint, batch[1].Labels = "ffff000011112222", map[string]string{"alertname": "SLABreached", "po": "rbkc", "service_option": "parking"}
	first := upsert(t, s, incBase, batch...)
	second := upsert(t, s, incBase.Add(time.Minute), batch...)
	for i := range batch {
		if first[i].Change != EventOpened || second[i].Change != "" || second[i].Incident.ID != first[i].Incident.ID {
			t.Errorf("alert %d: first %q second %q (ids %d, %d), want opened then nothing on the same incident",
				i, first[i].Change, second[i].Change, first[i].Incident.ID, second[i].Incident.ID)
		}
		if got := events(t, s, first[i].Incident.ID); len(got) != 1 {
			t.Errorf("alert %d: events %v, want one", i, got)
		}
	}
	all, err := s.ListIncidents(context.Background(), IncidentFilter{})
	if err != nil || len(all) != 2 {
		t.Fatalf("ListIncidents = %d incidents (%v), want 2", len(all), err)
	}
	// Resolved twice: one resolved event.
	upsert(t, s, incBase.Add(time.Hour), breach(IncidentResolved, incBase))
	r := upsert(t, s, incBase.Add(time.Hour+time.Minute), breach(IncidentResolved, incBase))
	if r[0].Changed() {
		t.Errorf("second resolve changed %q", r[0].Change)
	}
	if got := events(t, s, first[0].Incident.ID); !reflect.DeepEqual(got, []string{EventOpened, EventResolved}) {
		t.Errorf("events %v, want opened, resolved", got)
	}
}

// A retried firing webhook that arrives after the resolve must not reopen.
func testIncidentLateFiring(t *testing.T, s *Store) {
	upsert(t, s, incBase, breach(IncidentFiring, incBase))
	upsert(t, s, incBase.Add(time.Hour), breach(IncidentResolved, incBase))
	r := upsert(t, s, incBase.Add(time.Hour+time.Second), breach(IncidentFiring, incBase))
	if r[0].Changed() || r[0].Incident.Status != IncidentResolved {
		t.Fatalf("late firing: %+v, want no change to the resolved incident", r[0])
	}
	// A resolve of an earlier episode does not close the current one.
	later := incBase.Add(3 * time.Hour)
	cur := upsert(t, s, later, breach(IncidentFiring, later))[0].Incident
	r = upsert(t, s, later.Add(time.Minute), breach(IncidentResolved, incBase))
	if r[0].Changed() {
		t.Errorf("stale resolve changed %+v", r[0])
	}
	got, _ := s.Incident(context.Background(), cur.ID)
	if got.Status != IncidentFiring {
		t.Errorf("current incident %+v, want still firing", got)
	}
}

func testIncidentUpdate(t *testing.T, s *Store) {
	a := breach(IncidentFiring, incBase)
	id := upsert(t, s, incBase, a)[0].Incident.ID
	a.Annotations = map[string]string{"summary": "RBKC major emergencies at 61%"}
	r := upsert(t, s, incBase.Add(time.Minute), a)
	if r[0].Change != EventUpdated || r[0].Incident.Summary() != "RBKC major emergencies at 61%" {
		t.Fatalf("changed annotations: %+v, want updated", r[0])
	}
	got, _ := s.Incident(context.Background(), id)
	if got.Summary() != "RBKC major emergencies at 61%" || !got.Updated.Equal(incBase.Add(time.Minute)) || !got.FirstSeen.Equal(incBase) {
		t.Errorf("stored %+v", got)
	}
}

func testIncidentFirstResolved(t *testing.T, s *Store) {
	a := breach(IncidentResolved, incBase)
	a.EndsAt = time.Time{} // none given: now
	now := incBase.Add(time.Hour)
	r := upsert(t, s, now, a)
	if r[0].Change != EventResolved || r[0].Incident.Status != IncidentResolved || !r[0].Incident.EndsAt.Equal(now) {
		t.Fatalf("first seen resolved: %+v", r[0])
	}
}

func testIncidentList(t *testing.T, s *Store) {
	ctx := context.Background()
	a := breach(IncidentFiring, incBase)
	b := breach(IncidentFiring, incBase.Add(time.Minute))
	b.Receiver, b.GroupKey, b.Fingerprint = "po-ealing", "{}/{po=\"ealing\"}:{}", "0000aaaa0000bbbb"
	b.Labels = map[string]string{"alertname": "SLAAtRisk", "po": "ealing", "severity": "warning"}
	upsert(t, s, incBase, a, b)
	upsert(t, s, incBase.Add(time.Hour), breach(IncidentResolved, incBase)) // rbkc ends at +30m
	for _, tc := range []struct {
		f    IncidentFilter
		want []string
	}{
		{IncidentFilter{}, []string{"ealing", "rbkc"}},
		{IncidentFilter{PO: "rbkc"}, []string{"rbkc"}},
		{IncidentFilter{Status: IncidentFiring}, []string{"ealing"}},
		{IncidentFilter{Status: IncidentResolved}, []string{"rbkc"}},
		{IncidentFilter{Since: incBase.Add(30 * time.Minute)}, []string{"ealing", "rbkc"}},
		{IncidentFilter{Since: incBase.Add(31 * time.Minute)}, []string{"ealing"}},
		{IncidentFilter{Limit: 1}, []string{"ealing"}},
		{IncidentFilter{PO: "camden"}, nil},
	} {
		got, err := s.ListIncidents(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var pos []string
		for _, inc := range got {
			pos = append(pos, inc.PO)
		}
		if !reflect.DeepEqual(pos, tc.want) {
			t.Errorf("ListIncidents(%+v) = %v, want %v", tc.f, pos, tc.want)
		}
	}
	if _, err := s.ListIncidents(ctx, IncidentFilter{Status: "open"}); err == nil || !strings.Contains(err.Error(), "firing") {
		t.Errorf("bad status filter: err = %v", err)
	}
	all, _ := s.ListIncidents(ctx, IncidentFilter{PO: "rbkc"})
	if all[0].Events != 2 || all[0].Labels["service_option"] != "major_emergencies" {
		t.Errorf("listed %+v, want 2 events and the labels", all[0])
	}
}

func testIncidentInvalid(t *testing.T, s *Store) {
	bad := breach(IncidentFiring, incBase)
	bad.Status = "pending"
	if _, err := s.UpsertAlerts(context.Background(), []IncidentAlert{breach(IncidentFiring, incBase), bad}, incBase); err == nil ||
		!strings.Contains(err.Error(), "alert 1") || !strings.Contains(err.Error(), `"pending"`) {
		t.Fatalf("err = %v, want alert 1's status named", err)
	}
	if all, _ := s.ListIncidents(context.Background(), IncidentFilter{}); len(all) != 0 {
		t.Errorf("an invalid batch wrote %d incidents", len(all))
	}
}

func testIncidentEvents(t *testing.T, s *Store) {
	ctx := context.Background()
	id := upsert(t, s, incBase, breach(IncidentFiring, incBase))[0].Incident.ID
	if err := s.AddIncidentEvent(ctx, id, incBase.Add(time.Second), EventNotified, "console: would page on-call of rbkc"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddIncidentEvent(ctx, id, incBase, "paged", ""); err == nil || !strings.Contains(err.Error(), EventNotified) {
		t.Errorf("unknown kind: err = %v", err)
	}
	if err := s.AddIncidentEvent(ctx, id+100, incBase, EventNotified, ""); !errors.Is(err, ErrNoIncident) {
		t.Errorf("unknown incident: err = %v, want ErrNoIncident", err)
	}
	if _, err := s.IncidentEvents(ctx, id+100); !errors.Is(err, ErrNoIncident) {
		t.Errorf("events of unknown incident: err = %v", err)
	}
	ev, err := s.IncidentEvents(ctx, id)
	if err != nil || len(ev) != 2 || ev[1].Kind != EventNotified || !ev[1].At.Equal(incBase.Add(time.Second)) || ev[1].IncidentID != id {
		t.Fatalf("events %+v (%v)", ev, err)
	}
}
