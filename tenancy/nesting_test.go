package tenancy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/util/strutil"
	"gopkg.in/yaml.v3"
)

// scanDepth is scan's nesting alone.
func scanDepth(expr string) int {
	d, _ := scan(expr)
	return d
}

func TestNesting(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want int
	}{
		{``, 0},
		{`x`, 0},
		{`up{po="rbkc"}`, 1},
		{`(x)`, 1},
		{`((x))`, 2},
		{`x[5m]`, 1},
		{`rate(x[5m])`, 2},
		{`sum(rate(x{a="b"}[5m]))`, 3},
		{`max_over_time(rate(x[5m])[1h:1m])`, 3},
		{`a + b`, 1},
		{`a + b + c`, 2},             // ((a + b) + c)
		{`-x`, 1},                    // unary
		{`- - x`, 2},                 // -(-x)
		{`1 - -1`, 2},                // binary, then unary
		{`-(-x)`, 3},                 // unary, paren, unary
		{`(a + b) * c`, 3},           // *, then ( with + inside
		{`(x) + y + z`, 3},           // the operators after ( count too
		{`f(a + b, c + d)`, 3},       // one level's operators add up
		{`sum(a) / sum(b)`, 2},       // siblings: the deeper one
		{`a == b != c <= d >= e`, 4}, // two-byte operators count once
		{`a < b > c`, 2},
		{`a and b or c unless d`, 3},
		{`a AND b Or c`, 2}, // keywords are case-insensitive
		{`a atan2 b`, 1},
		{`sum by (and) (x)`, 2},        // a label named like an operator: one more, never less
		{`android + orange`, 1},        // words that start like operators
		{`x{a!="b",c=~"d",e!~"f"}`, 1}, // matchers are not operators
		{`x{a="((((("}`, 1},            // brackets in strings do not count
		{`x{a='(((\'(('}`, 1},
		{`x{a="(\"(("}`, 1},
		{"x{a=`((\\`}", 1}, // a raw string has no escapes
		{"x{a=`(`} + ((y))", 3},
		{`x{a="\\"} + ((y))`, 3},    // an escaped backslash ends nothing
		{"x # ((((\n+ (y)", 2},      // comments do not count
		{"x # \"\n+ ((y)) # \"", 3}, // a quote in a comment opens no string
		{"x{a=\"(\n((y", 3},         // a string ends at a newline (PromQL refuses it)
		{`1e-5 - 2E+3`, 1},          // exponents are part of the number
		{`0x1fe+1`, 1},              // a hexadecimal e is a digit
		{`0x1e+1`, 1},               // PromQL reads one number; counted as a sum
		{`x[5m:1m] - 1`, 2},
		{`x[1h - 5m:]`, 2}, // duration arithmetic counts
		{`x[step1e+1]`, 1}, // inside [..] words are letters only
		{`((x`, 2},         // unclosed: closed at the end
		{`x))) + (y)`, 2},  // unmatched closers are ignored
		{`x @ start() offset 5m`, 1},
		{strings.Repeat("-", 100) + "x", 100},
		{strings.Repeat("(", 100) + "x" + strings.Repeat(")", 100), 100},
		{strings.Repeat("x+", 100) + "x", 100},
	} {
		if got := scanDepth(tc.expr); got != tc.want {
			t.Errorf("scanDepth(%q) = %d; want %d", tc.expr, got, tc.want)
		}
	}
}

// TestUnicodeClass: scan reports a backslash followed by p or P inside a
// string literal, raw or decoded, and nowhere else.
func TestUnicodeClass(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"x{a=~`\\pL`}", true},     // raw string
		{"x{a=~`\\P{Han}`}", true}, // \P too
		{`x{a=~"\\pL"}`, true},     // double-quoted: the regular expression \pL
		{`x{a=~'\\p{Han}'}`, true}, // single-quoted
		{`x{a=~"(?i)a|\\pLb"}`, true},
		{`x{a!~"\\PL"}`, true},
		{`x{a=~"\pL"}`, true},          // \p is no escape (PromQL refuses it): refused anyway
		{`x{a=~"\x5cpL"}`, true},       // hexadecimal backslash
		{`x{a=~"\x5CPL"}`, true},       // either case of hex digit
		{`x{a=~"\134pL"}`, true},       // octal backslash
		{`x{a=~"\u005cpL"}`, true},     // \u
		{`x{a=~"\U0000005cpL"}`, true}, // \U
		{`x{a=~"\\\x70L"}`, true},      // escaped backslash, hexadecimal p
		{`x{a=~"\\\160L"}`, true},      // escaped backslash, octal p
		{`x{a=~"\\\\p"}`, true},        // the regular expression \\p: harmless, refused too
		{`label_replace(x, "b", "$1", "a", "(\\pL+)")`, true},
		{"label_replace(x, `b`, `$1`, `a`, `\\p{Han}`)", true},
		{`sum(rate(x{po="rbkc",a=~"20(\\.0)?"}[5m]))`, false},
		{`x{a=~"(a|b|p|P)"}`, false},
		{`x{a=~"\\xp"}`, false},             // a backslash, x, p: no class
		{`x{a=~"\x5c"} + p`, false},         // a decoded backslash last: the p is outside
		{`x{a=~"\\"} + p`, false},           // an escaped backslash before the closing quote
		{`x{a=~"\x5"} / pL`, false},         // a short hexadecimal escape reads no further
		{`\pL + x`, false},                  // outside strings: not a string (PromQL refuses it)
		{"x # {a=~\"\\\\pL\"}\n+ y", false}, // in a comment: ignored
		{"x{a=\"a\n\\pL", false},            // a string ends at a newline
		{`x{a="\`, false},
		{"x{a=`\\", false},
	} {
		if _, got := scan(tc.expr); got != tc.want {
			t.Errorf("scan(%q) reports a Unicode class %v; want %v", tc.expr, got, tc.want)
		}
	}
}

// FuzzNesting: scan never panics; it reports a Unicode class whenever a
// string PromQL's lexer reads (up to its first error) holds \p or \P
// raw or decoded; it never counts less than the same
// measure over the tokens PromQL's own lexer reads (up to its first
// error: the parser reads no further); on text the lexer reads to the
// end it counts the same (hexadecimal exponents aside, counted more);
// and on a query that parses, every chain of the syntax tree that type
// checking walks is at most one longer than the count.
func FuzzNesting(f *testing.F) {
	for _, s := range []string{
		`sum by (po) (rate(x{po="rbkc",a=~"(b|c)"}[5m])) / 2 > bool 0.5 or vector(0)`,
		"x # (\n+ -(-y)", "x{a=`((`} and on(a) 1e+5", `max_over_time(x[1h:5m] offset 1m)[2h:]`,
		`'\'(' + "\"(" - ((a)) * b ^ c % d`, `0x1e+1 - 0x1fe+1`, `x[5m+1m*2]`, `atan2 unless or`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, class := scan(s)
		ref, whole, refClass := lexedNesting(s)
		if refClass && !class {
			t.Fatalf("scan(%q) reports no Unicode class; PromQL's lexer reads one in a string", s)
		}
		if got < ref {
			t.Fatalf("scanDepth(%q) = %d < %d over PromQL's tokens", s, got, ref)
		}
		if whole && got != ref && !strings.Contains(strings.ToLower(s), "0x") {
			t.Fatalf("scanDepth(%q) = %d; PromQL's tokens give %d", s, got, ref)
		}
		if len(s) > 512 || class || strings.Contains(s, "(?") {
			return // keep parsing cheap: regular expressions with flags or Unicode classes compile slowly
		}
		if e, err := parser.ParseExpr(s); err == nil {
			if c := longestTypeChain(e); c > got+1 {
				t.Fatalf("scanDepth(%q) = %d, but the syntax tree has a chain of %d", s, got, c)
			}
		}
	})
}

// lexedNesting is scan's measure over PromQL's lexer's tokens, up to
// the first error; whole reports that there was none; class that a
// string token holds \p or \P, raw or unquoted.
func lexedNesting(s string) (depth int, whole, class bool) {
	type level struct{ ops, inner int }
	stack := []level{{}}
	braces := 0
	closeLevel := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p := &stack[len(stack)-1]
		p.inner = max(p.inner, 1+top.ops+top.inner)
	}
	l := parser.Lex(s)
	for {
		var it parser.Item
		l.NextItem(&it)
		if it.Typ == parser.ERROR || it.Typ == parser.EOF {
			whole = it.Typ == parser.EOF
			break
		}
		switch it.Typ {
		case parser.STRING:
			u, _ := strutil.Unquote(it.Val)
			class = class || strings.Contains(it.Val, `\p`) || strings.Contains(it.Val, `\P`) ||
				strings.Contains(u, `\p`) || strings.Contains(u, `\P`)
		case parser.LEFT_PAREN, parser.LEFT_BRACKET, parser.LEFT_BRACE:
			stack = append(stack, level{})
			if it.Typ == parser.LEFT_BRACE {
				braces++
			}
		case parser.RIGHT_PAREN, parser.RIGHT_BRACKET, parser.RIGHT_BRACE:
			if len(stack) > 1 {
				closeLevel()
			}
			if it.Typ == parser.RIGHT_BRACE && braces > 0 {
				braces--
			}
		case parser.ADD, parser.SUB, parser.MUL, parser.DIV, parser.MOD, parser.POW,
			parser.EQLC, parser.NEQ, parser.LTE, parser.LSS, parser.GTE, parser.GTR,
			parser.LAND, parser.LOR, parser.LUNLESS, parser.ATAN2:
			if braces == 0 {
				stack[len(stack)-1].ops++
			}
		}
	}
	for len(stack) > 1 {
		closeLevel()
	}
	return stack[0].ops + stack[0].inner, whole, class
}

// longestTypeChain is the most nodes Type() visits from any node of e:
// parentheses and unary expressions ask their operand, binary
// expressions their operands; every other node answers at once.
func longestTypeChain(e parser.Expr) int {
	var chain func(parser.Expr) int
	chain = func(e parser.Expr) int {
		switch n := e.(type) {
		case *parser.ParenExpr:
			return 1 + chain(n.Expr)
		case *parser.UnaryExpr:
			return 1 + chain(n.Expr)
		case *parser.BinaryExpr:
			return 1 + max(chain(n.LHS), chain(n.RHS))
		}
		return 1
	}
	longest := 0
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if x, ok := n.(parser.Expr); ok {
			longest = max(longest, chain(x))
		}
		return nil
	})
	return longest
}

// TestQueriesOfBoardsAndRulesNestShallow: every query of the generated
// boards and rules is well within DefaultMaxNesting and has no Unicode
// class escape (a PO's board queries pass the proxy; rules show what
// dashboards may copy).
func TestQueriesOfBoardsAndRulesNestShallow(t *testing.T) {
	var files []string
	for _, pattern := range []string{
		"../dashboards/generated/*/*.json", "../dashboards/generated/*/*/*.json",
		"../rules/generated/*.yml", "../rules/tests/*.yml",
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	n, deepest, deepestExpr := 0, 0, ""
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil { // JSON is YAML
			t.Fatalf("%s: %v", file, err)
		}
		for _, expr := range exprsIn(doc) {
			n++
			d, class := scan(expr)
			if class {
				t.Errorf("%s: a query has a Unicode class escape, which the proxy refuses: %s", file, expr)
			}
			if d > deepest || d == deepest && expr < deepestExpr {
				deepest, deepestExpr = d, expr
			}
			if d > DefaultMaxNesting/2 {
				t.Errorf("%s: a query nests %d deep, over half the proxy's limit of %d: %s", file, d, DefaultMaxNesting, expr)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("found %d queries in %d files; want the boards' and rules' (over 1,000)", n, len(files))
	}
	t.Logf("%d queries in %d files; the deepest nests %d: %s", n, len(files), deepest, deepestExpr)
}

// exprsIn returns every string under an "expr" key in a decoded document.
func exprsIn(doc any) []string {
	var out []string
	switch v := doc.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "expr" {
				out = append(out, s)
				continue
			}
			out = append(out, exprsIn(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, exprsIn(x)...)
		}
	}
	return out
}
