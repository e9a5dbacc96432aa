package mailroom

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

func post(t *testing.T, srv *httptest.Server, body string) (int, Result, string) {
	t.Helper()
	resp, err := http.Post(srv.URL+ItemsPath, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	var res Result
	json.Unmarshal(buf.Bytes(), &res)
	return resp.StatusCode, res, buf.String()
}

func TestItemsAPI(t *testing.T) {
	c := &clock{afterSample(t)}
	e, reg := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), c.now)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()

	status, res, raw := post(t, srv, `{"id":"sort-1:1","at":"2026-11-23T09:00:00Z","business_unit":"benefits","region":"london","kind":"harmful"}`)
	if status != http.StatusCreated || res.Accepted != 1 {
		t.Fatalf("one object: %d %s", status, raw)
	}
	// A batch: one duplicate, good ones, and bad ones each with its reason.
	status, res, raw = post(t, srv, `[
	 {"id":"sort-1:1","at":"2026-11-23T09:00:00Z","business_unit":"benefits","region":"london","kind":"harmful"},
	 {"id":"sort-1:2","at":"2026-11-23T09:05:00Z","business_unit":"benefits","region":"wales","kind":"outbound","route":"royal_mail","count":250},
	 {"id":"sort-1:3","at":"2026-11-23T09:05:00Z","business_unit":"benefits","region":"wales","kind":"outbound","route":"pigeon"},
	 {"id":"sort-1:4","at":"2026-11-23T09:05:00Z","business_unit":"tax","region":"wales","kind":"missing"},
	 {"id":"sort-1:5","at":"2026-11-23T09:05:00Z","business_unit":"passports","region":"wales","kind":"missing"},
	 {"id":"sort-1:6","at":"2026-11-23T15:00:00Z","business_unit":"passports","region":"london","kind":"missing"},
	 {"id":"sort-1:7","at":"2026-11-23T09:05:00Z","business_unit":"passports","region":"london","kind":"misdirected","colour":"red"},
	 {"id":"sort-1:8","at":"2026-11-23T09:05:00Z","business_unit":"passports","region":"london","kind":"typing_job","state":"completed","pages":3},
	 {"id":"sort-1:9","at":"2026-11-23T09:05:00Z","business_unit":"passports","region":"london","kind":"typing_job","state":"completed","count":-2},
	 {"id":"","at":"2026-11-23T09:05:00Z","business_unit":"passports","region":"london","kind":"harmful"},
	 {"id":"sort-1:10","at":"2026-11-23T09:05:00Z","business_unit":"passports","region":"london","kind":"parcel"}
	]`)
	if status != http.StatusCreated || res.Accepted != 1 || res.Duplicate != 1 || res.Rejected != 9 {
		t.Fatalf("batch: %d %s", status, raw)
	}
	want := []string{
		`item 3: route: "pigeon"; kind outbound needs route: royal_mail, courier, other`,
		`item 4: business_unit: "tax" is not a business unit of the catalogue; valid: benefits, passports`,
		`item 5: region: "wales" is not a region of business unit passports; valid: london`,
		`item 6: at: 2026-11-23T15:00:00Z is ahead of the exporter's clock (2026-11-23T13:00:00Z) by over 5m0s`,
		`item 7: json: unknown field "colour"`,
		`item 8: pages: does not apply to kind typing_job`,
		`item 9: count: -2; want 1 to 999999999`,
		`item 10: id: missing`,
		`item 11: kind: "parcel"; valid: inbound, outbound, valuable`,
	}
	for i, w := range want {
		if i >= len(res.Errors) || !strings.HasPrefix(res.Errors[i].Error(), w) {
			t.Errorf("error %d: want %q\nall: %s", i, w, raw)
		}
	}
	// All duplicates: 200; all rejected: 422; not JSON: 400; GET: 405.
	if status, _, raw := post(t, srv, `[{"id":"sort-1:2","at":"2026-11-23T09:05:00Z","business_unit":"benefits","region":"wales","kind":"outbound","route":"royal_mail","count":250}]`); status != http.StatusOK {
		t.Errorf("replay: %d %s", status, raw)
	}
	if status, _, raw := post(t, srv, `[{"id":"x","kind":"harmful"}]`); status != http.StatusUnprocessableEntity {
		t.Errorf("all rejected: %d %s", status, raw)
	}
	if status, _, raw := post(t, srv, `harmful`); status != http.StatusBadRequest || !strings.Contains(raw, "one JSON item object or an array") {
		t.Errorf("not JSON: %d %s", status, raw)
	}
	if resp, err := http.Get(srv.URL + ItemsPath); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp, err)
	}
	text := exposition(t, reg, "mailroom_")
	for series, want := range map[string]string{
		`mailroom_harmful_items_total{business_unit="benefits",region="london",source="api"}`:                                "1",
		`mailroom_items_total{business_unit="benefits",direction="outbound",region="wales",route="royal_mail",source="api"}`: "250",
		`mailroom_exporter_items_total{outcome="accepted"}`:                                                                  "2",
		`mailroom_exporter_items_total{outcome="duplicate"}`:                                                                 "2",
		`mailroom_exporter_items_total{outcome="rejected"}`:                                                                  "10",
		`mailroom_exporter_item_rejections_total{reason="unknown_region"}`:                                                   "1",
		`mailroom_exporter_item_rejections_total{reason="detail"}`:                                                           "2",
		`mailroom_source_last_event_timestamp_seconds{transport="api"}`:                                                      "1.7954388e+09",
	} {
		if got := sample(t, text, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
}

// The decoder never panics and never loses an item's place: one result
// (an item or an error) per array element, or a whole-body error.
func FuzzDecodeItems(f *testing.F) {
	f.Add([]byte(`{"id":"a","at":"2026-11-23T09:00:00Z","business_unit":"benefits","region":"london","kind":"harmful"}`))
	f.Add([]byte(`[{"id":"a","kind":"scan_job","pages":3},{"count":"x"},1,null,[]]`))
	f.Add([]byte(`[`))
	mr := testCatalog(f).MailRoom
	now := afterSample(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		items, errs, err := DecodeItems(body)
		if err != nil {
			return
		}
		if len(items) != len(errs) {
			t.Fatalf("%d items, %d error slots", len(items), len(errs))
		}
		for i := range items {
			if errs[i] != nil {
				continue
			}
			si, ierr := items[i].Validate(mr, now, i+1)
			if ierr != nil {
				if ierr.Code == "" || ierr.Reason == "" {
					t.Fatalf("error without code or reason: %+v", ierr)
				}
				continue
			}
			if si.Quantity < 1 || si.Pages < 0 || si.ID == "" {
				t.Fatalf("accepted %+v", si)
			}
		}
	})
}

// promtool lints the exposition: every family, series initialised at zero,
// after files and items.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool is not on PATH: install Debian's prometheus package, or run make test")
	}
	dir, c := t.TempDir(), &clock{afterSample(t)}
	e, reg := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), c.now)
	drop(t, dir, "d.csv", csvFile("daily,benefits,london,2026-11-16,100,1"), c.t)
	mustProcess(t, e, dir)
	text := exposition(t, reg)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\n%s", err, out.String(), text)
	}
	if n := strings.Count(text, "mailroom_items_total{"); n != 3*3*6 {
		t.Errorf("%d mailroom_items_total series, want 3 units/regions x 3 sources x 6 direction/route", n)
	}
}
