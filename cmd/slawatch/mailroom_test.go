package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/exporters/mailroom"
	"github.com/slawatch/slawatch/store"
)

var reMailroomServing = regexp.MustCompile(`slawatch mailroom serving on http://(\S+) `)

// mailroomCSV is a daily count file of one row with every count 0 except
// inbound_royal_mail and harmful.
func mailroomCSV(bu, region, day, inbound, harmful string) string {
	cells := []string{"daily", bu, region, day}
	for _, col := range store.MailroomCountColumns() {
		switch col {
		case "inbound_royal_mail":
			cells = append(cells, inbound)
		case "harmful":
			cells = append(cells, harmful)
		default:
			cells = append(cells, "0")
		}
	}
	return strings.Join(mailroom.Header(), ",") + "\n" + strings.Join(cells, ",") + "\n"
}

// TestMailroomServe runs `slawatch mailroom serve` on the example catalogue:
// a daily count file dropped in the folder and an item posted to the API
// reach /metrics; a file naming an unknown business unit goes to
// rejected/ with its reason.
func TestMailroomServe(t *testing.T) {
	drop := t.TempDir()
	day := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(drop, name)
		if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Minute)
		os.Chtimes(p, old, old)
	}
	write("good.csv", mailroomCSV("benefits", "wales", day, "321", "1"))
	write("bad.csv", mailroomCSV("tax", "wales", day, "1", "0"))

	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, []string{"mailroom", "serve",
			"--catalog", "../../examples/london-ooh.yaml", "--store", "sqlite:" + filepath.Join(t.TempDir(), "events.db"),
			"--listen", "127.0.0.1:0", "--drop", drop, "--poll", "50ms"})
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("mailroom serve exited %d:\n%s", code, errb.String())
		}
	}()
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := reMailroomServing.FindStringSubmatch(out.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		t.Fatalf("mailroom serve did not start:\n%s\n%s", out.String(), errb.String())
	}
	at := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	resp, err := http.Post(base+mailroom.ItemsPath, "application/json", strings.NewReader(
		`{"id":"sort-1:1","at":"`+at+`","business_unit":"passports","region":"north_east","kind":"inbound","route":"courier","count":7}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST items: %d %s", resp.StatusCode, b)
	}
	wants := []string{
		`mailroom_items_total{business_unit="benefits",direction="inbound",region="wales",route="royal_mail",source="daily"} 321`,
		`mailroom_harmful_items_total{business_unit="benefits",region="wales",source="daily"} 1`,
		`mailroom_items_total{business_unit="passports",direction="inbound",region="north_east",route="courier",source="api"} 7`,
		`mailroom_exporter_files_total{outcome="rejected"} 1`,
		`mailroom_daily_count_missing{business_unit="corporate",region="london"}`,
	}
	var metrics string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metrics = string(b)
		all := true
		for _, w := range wants {
			all = all && strings.Contains(metrics, w)
		}
		if all {
			break
		}
	}
	for _, w := range wants {
		if !strings.Contains(metrics, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	if _, err := os.Stat(filepath.Join(drop, "done", "good.csv")); err != nil {
		t.Errorf("good.csv not in done/: %v", err)
	}
	reason, err := os.ReadFile(filepath.Join(drop, "rejected", "bad.csv.reason.txt"))
	if err != nil || !strings.Contains(string(reason), `line 2, column business_unit: "tax" is not a business unit of the catalogue; valid: benefits, passports, licensing, corporate`) {
		t.Errorf("reason file: %s %v", reason, err)
	}
}

func TestMailroomServeUsage(t *testing.T) {
	var out, errb syncBuffer
	e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}
	if code := run(context.Background(), e, []string{"mailroom", "serve", "--help"}); code != 0 {
		t.Errorf("--help exited %d", code)
	}
	for _, want := range []string{"Usage: slawatch mailroom serve --drop DIR", "NAME.reason.txt", "-poll duration", "/api/v1/mailroom/items"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, errb.String())
		}
	}
	if code := run(context.Background(), e, []string{"mailroom", "serve"}); code != 2 || !strings.Contains(errb.String(), "--drop DIR is required") {
		t.Errorf("no --drop: exit %d\n%s", code, errb.String())
	}
	if code := run(context.Background(), e, []string{"mailroom", "watch"}); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
