package tenancy

import "strings"

// DefaultMaxNesting is the deepest nesting of a query or match[]
// accepted by default (see nesting). The deepest board or rule query
// nests 15 deep (measured when the check was added); a PromQL parse is
// quadratic in nesting, and 64 keeps the worst 16 KiB query to
// milliseconds.
const DefaultMaxNesting = 64

// nesting returns how deeply expr nests, counted the way PromQL's parse
// cost grows: each (, [ or { opens a level that counts 1, and each
// operator (+ - * / % ^ == != < <= > >= and or unless atan2, unary or
// binary) counts 1 in its level, since `a + b + c` parses as
// ((a + b) + c) and `- - a` as -(-a). A level weighs 1 plus its
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
func nesting(expr string) int {
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
		switch c := expr[i]; {
		case c == '"' || c == '\'':
			i = skipString(expr, i)
		case c == '`':
			i = skipRawString(expr, i)
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
	}
	for len(stack) > 1 {
		closeLevel()
	}
	return stack[0].ops + stack[0].inner
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// skipString returns the index of the quote that closes the string
// opened at i, or of the newline or last byte that ends it unclosed.
func skipString(s string, i int) int {
	quote := s[i]
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // the escaped byte, even a quote
		case quote, '\n':
			return i
		}
	}
	return len(s) - 1
}

// skipRawString returns the index of the backquote that closes the raw
// string opened at i (no escapes), or the last byte.
func skipRawString(s string, i int) int {
	for i++; i < len(s); i++ {
		if s[i] == '`' {
			return i
		}
	}
	return len(s) - 1
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
