package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/reports"
)

// runCLI runs a subcommand in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, args)
	return code, out.String(), errb.String()
}

// testdata/handcount.csv was counted by hand; the expectations below are
// that hand count, not output of the code under test.
func TestSummaryEqualsHandCount(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "events.db")
	cat := "../../examples/london-ooh.yaml"
	code, out, errOut := runCLI(t, "ingest", "--catalog", cat, "--store", dsn, "--format", "csv", "testdata/handcount.csv")
	if code != 1 || !strings.Contains(out, "handcount.csv: 22 accepted, 1 duplicate, 3 rejected") {
		t.Fatalf("first ingest: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"handcount.csv:11:", "handcount.csv:19:", "handcount.csv:20:"} {
		if !strings.Contains(out, want) {
			t.Errorf("rejected line %s not reported:\n%s", want, out)
		}
	}
	// Replaying the same file counts nothing twice.
	if code, out, _ := runCLI(t, "ingest", "--catalog", cat, "--store", dsn, "--format", "csv", "testdata/handcount.csv"); code != 1 ||
		!strings.Contains(out, "0 accepted, 23 duplicate, 3 rejected") {
		t.Fatalf("replay: exit %d\n%s", code, out)
	}

	type want struct {
		so, std                                          string
		offered, answered, within, aband, u20, mid, over uint64
		ivr, denom                                       uint64
		met                                              string
	}
	cases := map[string][]want{
		"rbkc": {
			{"noise_patrol", "gold", 8, 4, 2, 4, 2, 1, 1, 1, 8, "no"},
			{"parking", "gold", 3, 2, 1, 1, 1, 0, 0, 0, 3, "no"},
			{"parking", "silver", 3, 3, 2, 0, 0, 0, 0, 0, 3, "no"},
			{"TOTAL", "gold", 11, 6, 3, 5, 3, 1, 1, 1, 11, ""},
			{"TOTAL", "silver", 3, 3, 2, 0, 0, 0, 0, 0, 3, ""},
		},
		// Enfield leaves abandons within 5 s out of the denominator.
		"enfield": {
			{"anti_social_behaviour", "gold", 5, 2, 1, 3, 3, 0, 0, 0, 3, "no"},
			{"TOTAL", "gold", 5, 2, 1, 3, 3, 0, 0, 0, 3, ""},
		},
	}
	for po, wants := range cases {
		code, out, errOut := runCLI(t, "summary", "--catalog", cat, "--store", dsn, "--po", po,
			"--from", "2026-11-07", "--to", "2026-11-11", "--format", "json")
		if code != 0 {
			t.Fatalf("summary %s: exit %d: %s", po, code, errOut)
		}
		var s reports.Summary
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		if len(s.Lines) != len(wants) {
			t.Fatalf("%s: %d lines, want %d:\n%s", po, len(s.Lines), len(wants), out)
		}
		for i, w := range wants {
			l := s.Lines[i]
			got := want{l.ServiceOption, l.Standard, l.Offered, l.Answered, l.AnsweredWithinTarget, l.Abandoned,
				l.AbandonedUnder20, l.Abandoned20To60, l.AbandonedOver60, l.IVROnly, l.Denominator, l.TargetMet}
			if got != w {
				t.Errorf("%s line %d:\n got %+v\nwant %+v", po, i, got, w)
			}
		}
	}
	// The table is for people; spot-check it carries the same integers.
	_, table, _ := runCLI(t, "summary", "--catalog", cat, "--store", dsn, "--po", "enfield",
		"--from", "2026-11-07", "--to", "2026-11-11")
	if !strings.Contains(table, "offered_minus_short_abandons (5 s)") || !strings.Contains(table, "33.3") {
		t.Errorf("table:\n%s", table)
	}
}

func TestSummaryBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"summary", "--po", "rbkc", "--from", "2026-11-07"},
		{"summary", "--po", "rbkc", "--from", "yesterday", "--to", "2026-11-08", "--catalog", "../../examples/london-ooh.yaml"},
		{"summary", "--po", "nowhere", "--from", "2026-11-07", "--to", "2026-11-08", "--catalog", "../../examples/london-ooh.yaml"},
		{"summary", "--po", "rbkc", "--from", "2026-11-08", "--to", "2026-11-07", "--catalog", "../../examples/london-ooh.yaml"},
		{"summary", "--po", "rbkc", "--from", "2026-11-07", "--to", "2026-11-08", "--format", "xml"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, errOut)
		}
	}
}

func TestCatalogCheck(t *testing.T) {
	code, out, _ := runCLI(t, "catalog", "check", "../../examples/london-ooh.yaml", "../../catalog/testdata/invalid-many.yaml")
	if code != 1 || !strings.Contains(out, "london-ooh.yaml: ok: 11 organisations") ||
		strings.Count(out, "invalid-many.yaml:") != 14 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
