package tenancy

import (
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// worstQueries are the slowest 16 KiB queries to parse that we found:
// chains of unary minus, of binary operators and of parentheses (each
// parses in time quadratic in its depth).
func worstQueries() []struct{ name, expr string } {
	const n = MaxExprLen
	return []struct{ name, expr string }{
		{"unary", strings.Repeat("-", n-1) + "x"},
		{"binary", strings.Repeat("x+", n/2-1) + "x"},
		{"parens", strings.Repeat("(", n/2-1) + "x" + strings.Repeat(")", n/2-1)},
	}
}

// unicodeClassQuery is the slowest 16 KiB query for Prometheus to
// compile that we found: one case-insensitive regular expression of
// Unicode classes (\pL), which scan refuses.
func unicodeClassQuery() string {
	const head, tail = `x{a=~"(?i)`, `"}`
	return head + strings.Repeat(`\\pL`, (MaxExprLen-len(head)-len(tail))/4) + tail
}

// atLimit is the slowest query under 16 KiB that nests no deeper than
// DefaultMaxNesting we built: a balanced tree of sums in parentheses
// (256 leaves) whose leaves are chains of unary minus as long as the
// rest of the limit allows.
func atLimit() string {
	const levels = 8
	leaf := "(" + strings.Repeat("-", DefaultMaxNesting-2*levels-1) + "1)"
	var build func(int) string
	build = func(l int) string {
		if l == 0 {
			return leaf
		}
		return "(" + build(l-1) + "+" + build(l-1) + ")"
	}
	return build(levels)
}

// BenchmarkWorstQuery compares, for each of the worst 16 KiB queries,
// PromQL's parse (what the enforcer did first before the checks) with
// scan, whose nesting or Unicode class check now refuses the query
// before any parse, and parses the slowest query the nesting check lets
// through.
func BenchmarkWorstQuery(b *testing.B) {
	for _, q := range worstQueries() {
		if d := scanDepth(q.expr); d <= DefaultMaxNesting {
			b.Fatalf("%s nests %d deep: the check would let it through", q.name, d)
		}
		b.Run(q.name+"/parse", func(b *testing.B) {
			for b.Loop() {
				if _, err := parser.ParseExpr(q.expr); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(q.name+"/nesting", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				scanDepth(q.expr)
			}
		})
	}
	class := unicodeClassQuery()
	if d, c := scan(class); !c || d > DefaultMaxNesting || len(class) > MaxExprLen {
		b.Fatalf("the Unicode class query (%d bytes, %d deep) is not refused for its class", len(class), d)
	}
	b.Run("unicode-class/parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := parser.ParseExpr(class); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unicode-class/nesting", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			scan(class)
		}
	})
	limit := atLimit()
	if d := scanDepth(limit); d != DefaultMaxNesting || len(limit) > MaxExprLen {
		b.Fatalf("the query at the limit nests %d deep in %d bytes; want %d deep within %d", d, len(limit), DefaultMaxNesting, MaxExprLen)
	}
	b.Run("at-limit/nesting+parse", func(b *testing.B) {
		for b.Loop() {
			scanDepth(limit)
			if _, err := parser.ParseExpr(limit); err != nil {
				b.Fatal(err)
			}
		}
	})
}
