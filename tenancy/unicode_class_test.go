package tenancy

import (
	"net/url"
	"strings"
	"testing"
)

// TestUnicodeClassRefused: a query or match[] with a Unicode class
// escape in a string (slow for Prometheus to compile) is answered 400 in
// the Prometheus API's error shape, naming what is refused and why, and
// nothing reaches Prometheus; the same query without it is served.
func TestUnicodeClassRefused(t *testing.T) {
	f := newFixture(t)
	tok := tokRBKC.Reveal()
	q := func(expr string) string { return url.QueryEscape(expr) }
	runRefusals(t, f, tok, `Unicode class (\p or \P) in a string is refused`, []refusalCase{
		{"raw string", "GET", "/api/v1/query?query=" + q("x{a=~`\\pL+`}"), "", 400, 0},
		{"double-quoted", "POST", "/api/v1/query", "query=" + q(`x{a=~"\\p{Han}"}`), 400, 0},
		{"single-quoted", "GET", "/api/v1/query_range?query=" + q(`x{a!~'\\PL'}`) + "&start=1&end=2&step=1", "", 400, 0},
		{"hexadecimal backslash", "GET", "/api/v1/query?query=" + q(`x{a=~"\x5cpL"}`), "", 400, 0},
		{"label_replace regex", "GET", "/api/v1/query?query=" + q(`label_replace(x, "b", "$1", "a", "(\\pL+)")`), "", 400, 0},
		{"worst 16 KiB query", "POST", "/api/v1/query", "query=" + q(unicodeClassQuery()), 400, 0},
		{"match[]", "GET", "/api/v1/series?match[]=up&match[]=" + q(`x{a=~"\\pL"}`), "", 400, 0},
		{"label values match[]", "GET", "/api/v1/label/a/values?match[]=" + q("x{a=~`\\pL`}"), "", 400, 0},
		{"without the class", "GET", "/api/v1/query?query=" + q(`x{a=~"20(\\.0)?|pL"}`), "", 200, 1},
		{"outside a string", "GET", "/api/v1/query?query=" + q(`x # {a=~"\\pL"}`), "", 200, 1},
	})
	if !strings.Contains(f.logs.String(), "Unicode class") {
		t.Errorf("the refusal is not logged: %s", f.logs.String())
	}
}
