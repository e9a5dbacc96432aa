package tenancy

import "strings"

// DefaultMaxNesting is the deepest nesting of a query or match[]
// accepted by default (see scan). The deepest board or rule query
// nests 15 deep (measured when the check was added); a PromQL parse is
// quadratic in nesting, and 64 keeps the worst 16 KiB query to
// milliseconds.
const DefaultMaxNesting = 64

// scan reads expr once, before anything parses it, and returns how
// deeply it nests (see below) and whether a string literal in it holds a
// Unicode class escape: a backslash followed by p or P, in the raw text
// or once the escapes of a '..' or ".." string are decoded ("\\pL",
// "\x5cpL" and "\134pL" all read \pL). Prometheus compiles the regular
// expression of every =~ and !~ matcher as it parses, and a Unicode
// class (\pL, \p{Han}, \PL) makes that compile slow: 196 bytes of
// (?i) and 64 \pL took 217 ms, 16 KiB took 11.5 s. Boards and rules use
// none. An escaped backslash before a literal p ("\\\\p", the regular
// expression \\p) is refused too: harmless, nobody needs it.
//
// The nesting is counted the way PromQL's parse cost grows: each (, [
// or { opens a level that counts 1, and each operator (+ - * / % ^ ==
// != < <= > >= and or unless atan2, unary or binary) counts 1 in its
// level, since `a + b + c` parses as ((a + b) + c) and `- - a` as
// -(-a). A level weighs 1 plus its
// operators plus its heaviest inner level; the result is the weight of
// the whole expression. It bounds the depth of the chains of
// parentheses, unary and binary expressions in the syntax tree, whose
// type checking costs the square of their depth (a 16 KiB chain of
// unary minus took 1.3 s to parse).
//
// Brackets and operators inside string literals ('..' and ".." with
// backslash escapes, `..` raw) and # comments do not count, nor do the
// matchers inside {..}. Words and numbers are skipped as PromQL's lexer
// reads them (1e-5 is one number). Unbalanced brackets are closed at
// the end. It never parses and runs in time linear in len(expr); on
// text PromQL's lexer refuses, it may count more than the parser would
// see, never less.
func scan(expr string) (depth int, unicodeClass bool) {
	type level struct{ ops, inner int }
	stack := []level{{}} // stack[0] is the whole expression
	braces, brackets := 0, 0
	closeLevel := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		parent := &stack[len(stack)-1]
		parent.inner = max(parent.inner, 1+top.ops+top.inner)
	}
	op := func() {
		if braces == 0 { // inside {..}, = and != are matchers
			stack[len(stack)-1].ops++
		}
	}
	for i := 0; i < len(expr); i++ {
		class := false
		switch c := expr[i]; {
		case c == '"' || c == '\'':
			i, class = skipString(expr, i)
		case c == '`':
			i, class = skipRawString(expr, i)
		case c == '#':
			i = skipComment(expr, i)
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, level{})
			braces += b2i(c == '{')
			brackets += b2i(c == '[')
		case c == ')' || c == ']' || c == '}':
			if len(stack) > 1 {
				closeLevel()
			}
			braces -= b2i(c == '}' && braces > 0)
			brackets -= b2i(c == ']' && brackets > 0)
		case c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '^':
			op()
		case c == '=' || c == '!' || c == '<' || c == '>':
			// == != <= >= are one operator, < and > alone one each; a
			// lone = or ! is a matcher or a syntax error.
			if i+1 < len(expr) && expr[i+1] == '=' {
				op()
				i++
			} else if c == '<' || c == '>' {
				op()
			}
		case isDigit(c) || c == '.' && i+1 < len(expr) && isDigit(expr[i+1]):
			i = skipNumber(expr, i)
		case brackets > 0 && isAlpha(c):
			// Inside [..] PromQL reads only keywords of letters (step,
			// min, max, range) and : is a separator.
			i = skipWhile(expr, i, isAlpha)
		case brackets == 0 && (isAlpha(c) || c == ':'):
			j := skipWhile(expr, i, isWordByte)
			if isOperatorWord(expr[i : j+1]) {
				op()
			}
			i = j
		}
		unicodeClass = unicodeClass || class
	}
	for len(stack) > 1 {
		closeLevel()
	}
	return stack[0].ops + stack[0].inner, unicodeClass
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// skipString returns the index of the quote that closes the string
// opened at i, or of the newline or last byte that ends it unclosed, and
// whether it holds a Unicode class escape (see scan). It decodes the
// escapes PromQL's lexer reads (\x.., \u...., \U........, octal \...,
// and \ before one byte); a malformed one, which the lexer refuses,
// decodes to anything.
func skipString(s string, i int) (end int, class bool) {
	quote := s[i]
	backslash := false // the last decoded character is a backslash
	for i++; i < len(s); i++ {
		c := uint32(s[i])
		switch s[i] {
		case quote, '\n':
			return i, class
		case '\\':
			if i+1 == len(s) {
				return i, class
			}
			class = class || s[i+1] == 'p' || s[i+1] == 'P' // in the raw text
			c, i = unescape(s, i+1)
		}
		class = class || backslash && (c == 'p' || c == 'P')
		backslash = c == '\\'
	}
	return len(s) - 1, class
}

// unescape decodes the escape whose first byte after the backslash is
// s[i] and returns its value and the index of its last byte. It reads
// only digits after x, u, U or an octal digit, never a quote, newline
// or backslash, so it cannot move where a string ends.
func unescape(s string, i int) (value uint32, last int) {
	n, base := 0, uint32(16)
	switch c := s[i]; {
	case c == 'x':
		n = 2
	case c == 'u':
		n = 4
	case c == 'U':
		n = 8
	case '0' <= c && c <= '7':
		n, base, i = 3, 8, i-1
	default:
		return uint32(c), i // \\ is a backslash; \n and the like are no backslash, p or P
	}
	for ; n > 0 && i+1 < len(s); n-- {
		d := digitValue(s[i+1])
		if d >= base {
			break
		}
		value, i = value*base+d, i+1
	}
	return value, i
}

// digitValue is the value of the hexadecimal digit c, or 16 or more.
func digitValue(c byte) uint32 {
	switch {
	case isDigit(c):
		return uint32(c - '0')
	case 'a' <= c && c <= 'f':
		return uint32(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return uint32(c-'A') + 10
	}
	return 16
}

// skipRawString returns the index of the backquote that closes the raw
// string opened at i (no escapes), or the last byte, and whether it
// holds a backslash followed by p or P.
func skipRawString(s string, i int) (end int, class bool) {
	for i++; i < len(s); i++ {
		switch {
		case s[i] == '`':
			return i, class
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == 'p' || s[i+1] == 'P'):
			class = true
		}
	}
	return len(s) - 1, class
}

// skipComment returns the index of the last byte of the # comment at i.
func skipComment(s string, i int) int {
	for ; i+1 < len(s); i++ {
		if s[i+1] == '\n' || s[i+1] == '\r' {
			return i
		}
	}
	return len(s) - 1
}

// skipNumber returns the index of the last byte of the number or
// duration at i: letters, digits, _ and ., and one sign right after an
// e of a decimal number (1e-5, as PromQL's lexer reads it). In a
// hexadecimal number an e may be a digit (0x1fe+1 is a sum), so a sign
// there counts as an operator even where PromQL reads an exponent
// (0x1e+1): more, never less.
func skipNumber(s string, i int) int {
	hex := i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X')
	signed := false
	for ; i+1 < len(s); i++ {
		c := s[i+1]
		switch {
		case isAlpha(c) || isDigit(c) || c == '.':
		case !hex && !signed && (c == '+' || c == '-') && (s[i] == 'e' || s[i] == 'E'):
			signed = true
		default:
			return i
		}
	}
	return i
}

// skipWhile returns the index of the last byte of the run at i of bytes
// that satisfy ok (s[i] is taken to satisfy it).
func skipWhile(s string, i int, ok func(byte) bool) int {
	for i+1 < len(s) && ok(s[i+1]) {
		i++
	}
	return i
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool    { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isWordByte(c byte) bool { return isAlpha(c) || isDigit(c) || c == ':' }

// isOperatorWord reports whether w is a binary operator keyword
// (PromQL's keywords are case-insensitive).
func isOperatorWord(w string) bool {
	switch len(w) {
	case 2:
		return strings.EqualFold(w, "or")
	case 3:
		return strings.EqualFold(w, "and")
	case 5:
		return strings.EqualFold(w, "atan2")
	case 6:
		return strings.EqualFold(w, "unless")
	}
	return false
}
