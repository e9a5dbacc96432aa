package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/exporters/kpi"
)

// kpiCLI runs `slawatch kpi ...` on the example catalogue and a fresh store.
type kpiCLI struct {
	t     *testing.T
	store string
}

func newKPICLI(t *testing.T) *kpiCLI {
	return &kpiCLI{t: t, store: "sqlite:" + filepath.Join(t.TempDir(), "events.db")}
}

func (c *kpiCLI) run(args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	args = append(append([]string{"kpi"}, args[0], "--catalog", "../../"+defaultCatalog, "--store", c.store), args[1:]...)
	if args[1] == "list" {
		args = []string{"kpi", "list", "--catalog", "../../" + defaultCatalog}
	}
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, args)
	return code, out.String(), errb.String()
}

func (c *kpiCLI) ok(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("slawatch kpi %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// fakePrometheus answers /api/v1/query as Prometheus does: 7600 for the
// 20 s bucket, 800 abandoned, 10000 offered; no series for anything else.
func fakePrometheus(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		q := r.Form.Get("query")
		v := ""
		switch {
		case strings.Contains(q, "telephony_answer_wait_seconds_bucket"):
			v = "7600"
		case strings.Contains(q, "telephony_abandon_wait_seconds_count"):
			v = "800"
		case strings.Contains(q, "telephony_calls_offered_total"):
			v = "10000"
		}
		w.Header().Set("Content-Type", "application/json")
		if v == "" {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
			return
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%s,"%s"]}]}}`, r.Form.Get("time"), v)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestKPICommandReturnMitigateStatus(t *testing.T) {
	c := newKPICLI(t)
	if out := c.ok("return", "--kpi", "care_visits_missed", "--period", "2026-07", "--numerator", "10", "--denominator", "400", "--by", "ooh-dm-1"); out != "return 1 stored: care_visits_missed 2026-07 10 / 400 = 2.50% (amber), entered by ooh-dm-1\n" {
		t.Errorf("return: %q", out)
	}
	c.ok("return", "--kpi", "care_visits_missed", "--period", "2026-08", "--numerator", "30", "--denominator", "400", "--by", "ooh-dm-1")
	c.ok("return", "--kpi", "care_visits_missed", "--period", "2026-08", "--numerator", "12", "--denominator", "400", "--by", "ooh-dm-2", "--note", "corrected")
	if out := c.ok("mitigate", "--kpi", "calls_answered_20s", "--period", "2026-08", "--reason", "storm surge 14 August",
		"--agreed-by", "contract board", "--by", "ooh-dm-1"); out != "mitigation 1 stored: calls_answered_20s 2026-08, agreed by contract board, entered by ooh-dm-1\n" {
		t.Errorf("mitigate: %q", out)
	}
	prom := fakePrometheus(t)
	out := c.ok("status", "--period", "2026-Q3", "--prometheus", prom.URL)
	for _, want := range []string{
		"KPI status for 2026-Q3",
		// The raw RAG (amber: 76% is short of 80), the mitigation beside it.
		"calls_answered_20s        2026-Q3            7600 / 10000 = 76.00%                      >=80%   >=75%    amber             mitigated: storm surge 14 August (agreed by contract board, 2026-08)",
		"calls_abandoned           2026-Q3            800 / 10000 = 8.00%                        <=5%    <=8%     amber",
		"emails_resolved_10_days   2026-Q3            nothing counted in the denominator in the period",
		"out_of_scope_calls        2026-Q3            nothing counted in the denominator in the period  -       -        information only",
		"care_visits_missed        2026-Q3            22 / 800 = 2.75% (2 of 3 monthly returns)  <=2%    <=5%     amber",
		"caller_satisfaction       2026-H2 (to date)  no return entered",
		"% of scheduled care visits missed",
	} {
		if !hasKPIRow(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	out = c.ok("status", "--period", "2026-Q3", "--prometheus", prom.URL, "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 10 || recs[0][0] != "kpi" || recs[1][0] != "calls_answered_20s" || recs[1][10] != "76" || recs[1][13] != "amber" || recs[1][14] != "true" {
		t.Errorf("csv (%v):\n%s", err, out)
	}
	out = c.ok("status", "--period", "2026-Q3", "--prometheus", prom.URL, "--format", "json")
	var st kpi.StatusJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Period != "2026-Q3" || len(st.Rows) != 9 || st.Rows[8].RAG != "amber" {
		t.Errorf("json (%v):\n%s", err, out)
	}
	if out := c.ok("list"); !strings.Contains(out, "care_visits_missed        Care provider      manual (care visits missed / care visits scheduled)") {
		t.Errorf("list:\n%s", out)
	}
}

// TestKPICommandStatusPrometheusDown: every KPI is printed, the manual
// ones with their figures; the exit code is 1 and says why.
func TestKPICommandStatusPrometheusDown(t *testing.T) {
	c := newKPICLI(t)
	c.ok("return", "--kpi", "care_visits_missed", "--period", "2026-09", "--numerator", "6", "--denominator", "100", "--by", "ooh-dm-1")
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	code, out, errs := c.run("status", "--period", "2026-09", "--prometheus", url)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"calls_answered_20s        2026-09  unavailable (see below)",
		"care_visits_missed        2026-09  6 / 100 = 6.00%          <=2%    <=5%     red",
		"\nPrometheus unavailable: Post \"" + url + "/api/v1/query\"",
	} {
		if !hasKPIRow(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "slawatch kpi: 6 PromQL KPI(s) unavailable (calls_answered_20s, calls_abandoned, first_contact_resolution, emails_resolved_10_days, member_enquiries_10_days, out_of_scope_calls): Prometheus at "+url+" could not answer; the manual KPIs above are complete") {
		t.Errorf("stderr: %s", errs)
	}
}

// hasKPIRow reports whether a line of out has want's cells in order,
// whatever the column widths: cells are separated by two or more spaces.
func hasKPIRow(out, want string) bool {
	cells := regexp.MustCompile(` {2,}`).Split(want, -1)
	for i := range cells {
		cells[i] = regexp.QuoteMeta(cells[i])
	}
	return regexp.MustCompile(strings.Join(cells, ` {2,}`)).MatchString(out)
}

func TestKPICommandMistakes(t *testing.T) {
	c := newKPICLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"return", "--kpi", "care_visits_missed", "--period", "2026-09", "--numerator", "1", "--denominator", "2"}, "--by is required"},
		{[]string{"return", "--kpi", "care_visits_missed", "--period", "2026-09", "--numerator", "1.5", "--denominator", "2", "--by", "x"}, `--numerator "1.5" and --denominator "2" must be whole numbers`},
		{[]string{"return", "--kpi", "care_visits_missed", "--period", "2026-Q3", "--numerator", "1", "--denominator", "2", "--by", "x"}, "period 2026-Q3 is a quarter, but KPI care_visits_missed is reported monthly: use a period such as 2026-07"},
		{[]string{"return", "--kpi", "calls_abandoned", "--period", "2026-09", "--numerator", "1", "--denominator", "2", "--by", "x"}, "returns are entered for manual KPIs only"},
		{[]string{"return", "--kpi", "care_visits_missed", "--period", "2026-09", "--numerator", "3", "--denominator", "2", "--by", "x"}, "Numerator is 3; want a count from 0 to the denominator 2"},
		{[]string{"mitigate", "--kpi", "calls_abandoned", "--period", "2026-09", "--reason", "r", "--by", "x"}, "--agreed-by is required"},
		{[]string{"status"}, "--period is required"},
		{[]string{"status", "--period", "2026-Q5"}, `--period: period "2026-Q5": Q must be followed by 1 to 4`},
		{[]string{"status", "--period", "2026", "--format", "xlsx"}, `--format "xlsx": use text, csv or json`},
		{[]string{"status", "--period", "2199"}, "--period: period 2199 starts 2199-01-01: period has not started"},
		{[]string{"nope"}, `unknown kpi command "nope"; use return, mitigate, status or list`},
	} {
		code, out, errs := c.run(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d\n%s%s\nwant exit 2 with %q", tc.args, code, out, errs, tc.want)
		}
	}
}
