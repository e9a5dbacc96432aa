package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/store"
)

func TestCRMCheckMapping(t *testing.T) {
	var out, errb syncBuffer
	e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}
	if code := run(context.Background(), e, []string{"crm", "check-mapping", "../../examples/crm/mapping.yaml", "--batch", "250"}); code != 0 {
		t.Fatalf("check-mapping of the example exited %d:\n%s", code, errb.String())
	}
	if want := `FROM "complaints" WHERE ("updated_at", "id") > ($1, $2) AND "updated_at" <= $3 AND "id" IS NOT NULL ORDER BY "updated_at", "id" LIMIT 250;`; !strings.Contains(out.String(), want) {
		t.Errorf("check-mapping output lacks %s:\n%s", want, out.String())
	}
	if want := `-- its later pages ($1… the last row read, then the saved position):`; !strings.Contains(out.String(), want) {
		t.Errorf("check-mapping output lacks the lag continuation query %s", want)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("tables:\n  - name: complaints\n    key: [id]\n    cursor: updated_at\n    events:\n      - {type: complaint_opened, time: t}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errb = syncBuffer{}
	if code := run(context.Background(), e, []string{"crm", "check-mapping", bad}); code != 1 {
		t.Errorf("check-mapping of a bad mapping exited %d, want 1", code)
	}
	if want := bad + `:6: tables[0].events[0].type: is "complaint_opened"; want one of request_created,`; !strings.Contains(errb.String(), want) {
		t.Errorf("stderr lacks %s:\n%s", want, errb.String())
	}
	if code := run(context.Background(), e, []string{"crm", "serve", "--mapping", "../../examples/crm/mapping.yaml"}); code != 2 {
		t.Errorf("serve --mapping without a database exited %d, want 2 (usage)", code)
	}
}

var reCRMServing = regexp.MustCompile(`slawatch crm serving on http://(\S+) `)

// TestCRMServe runs `slawatch crm serve` on the example mapping against a
// real PostgreSQL holding examples/crm/schema.sql: rows the CRM writes,
// before and after the start, and a webhook event all reach /metrics.
func TestCRMServe(t *testing.T) {
	crmDSN := crmPostgres(t)
	admin, err := sql.Open("pgx", crmDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := admin.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ddl, err := os.ReadFile("../../examples/crm/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(string(ddl))
	at := time.Now().Add(-time.Hour).UTC()
	exec(`INSERT INTO complaints (complaint_ref, org_code, priority, received_at) VALUES ('K-1', 'HGY', 'U', $1)`, at)
	t.Setenv(envCRMDSN, crmDSN)

	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, []string{"crm", "serve",
			"--catalog", "../../examples/london-ooh.yaml", "--store", "sqlite:" + filepath.Join(t.TempDir(), "events.db"),
			"--listen", "127.0.0.1:0", "--mapping", "../../examples/crm/mapping.yaml", "--poll", "50ms", "--log-level", "debug"})
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("crm serve exited %d:\n%s", code, errb.String())
		}
	}()
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := reCRMServing.FindStringSubmatch(out.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		t.Fatalf("crm serve did not start:\n%s\n%s", out.String(), errb.String())
	}
	exec(`UPDATE complaints SET acknowledged_at = $1`, at.Add(5*time.Minute))
	body := fmt.Sprintf(`{"id":"w-1","type":"contact_received","at":%q,"po":"barnet","ref":"M-1","channel":"webform"}`, at.Format(time.RFC3339))
	resp, err := http.Post(base+"/api/v1/crm/events", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d %s", resp.StatusCode, b)
	}
	wants := []string{
		`crm_exporter_events_total{outcome="accepted",transport="sql"} 2`,
		`crm_exporter_events_total{outcome="accepted",transport="webhook"} 1`,
		`crm_complaints_received_total{po="haringey",service_option="",urgency="urgent"} 1`,
		`crm_exporter_source_errors_total{table="complaints"} 0`,
		`crm_exporter_source_rows_total{table="complaints"}`,
		`crm_exporter_source_last_success_timestamp_seconds`,
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
	if t.Failed() {
		t.Logf("/metrics:\n%s\nstderr:\n%s", grepLines(metrics, "crm_"), errb.String())
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// crmPostgres is a fresh schema on the test PostgreSQL (dropped after the
// test), as a DSN whose search_path points at it.
func crmPostgres(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("SLAWATCH_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("SLAWATCH_SKIP_POSTGRES") == "1" {
			t.Skip("SLAWATCH_SKIP_POSTGRES=1")
		}
		t.Fatal("this test needs SLAWATCH_TEST_POSTGRES_DSN: run `make test` (which starts PostgreSQL), or " +
			"`eval \"$(deploy/local/postgres.sh start)\"`; SLAWATCH_SKIP_POSTGRES=1 skips it")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("crm_cmd_%d_%d", time.Now().UnixNano(), rand.Uint32())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// TestCRMResetCursor: reset-cursor deletes a table's saved position from
// the store (and says so), and says when there was none.
func TestCRMResetCursor(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "events.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c := store.SourceCursor{Cursor: "2026-11-20T14:00:00Z", Key: `["1"]`, Columns: `{"cursor":"updated_at"}`}
	for _, n := range []string{"crm-sql/complaints", "crm-sql/contacts"} {
		if err := st.SaveSourceCursor(ctx, n, c, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	reset := func() string {
		t.Helper()
		var out, errb syncBuffer
		e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}
		if code := run(ctx, e, []string{"crm", "reset-cursor", "--store", dsn, "--table", "complaints"}); code != 0 {
			t.Fatalf("reset-cursor exited %d:\n%s", code, errb.String())
		}
		return out.String()
	}
	if out := reset(); !strings.Contains(out, "cursor crm-sql/complaints reset: the next start reads complaints from its oldest row") {
		t.Errorf("first reset said %q", out)
	}
	if out := reset(); !strings.Contains(out, "no cursor crm-sql/complaints was saved") {
		t.Errorf("second reset said %q", out)
	}
	st, err = store.Open(ctx, dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok, _ := st.SourceCursor(ctx, "crm-sql/complaints"); ok {
		t.Error("the complaints cursor is still saved")
	}
	if _, ok, _ := st.SourceCursor(ctx, "crm-sql/contacts"); !ok {
		t.Error("reset-cursor --table complaints removed the contacts cursor too")
	}
	var out, errb syncBuffer
	if code := run(ctx, &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, []string{"crm", "reset-cursor", "--store", dsn}); code != 2 {
		t.Errorf("reset-cursor without --table exited %d, want 2", code)
	}
}
