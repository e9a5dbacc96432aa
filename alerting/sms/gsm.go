package sms

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// gsmBasic is the GSM 03.38 default alphabet without its control
// characters (LF, CR, ESC): each of these runes costs one septet. The
// extension table (^ { } \ [ ] ~ | €) costs two and is replaced instead,
// so that a text's length in septets is its length in runes.
const gsmBasic = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmReplace maps common characters outside the alphabet to a near
// equivalent inside it.
var gsmReplace = map[rune]string{
	'‘': "'", '’': "'", '‚': "'", '′': "'", '`': "'", '´': "'",
	'“': `"`, '”': `"`, '„': `"`, '″': `"`,
	'–': "-", '—': "-", '‑': "-", '−': "-", '•': "-", '·': ".",
	'…': "...", '[': "(", ']': ")", '{': "(", '}': ")",
	'~': "-", '|': "/", '\\': "/", '^': "'", '€': "EUR",
	'×': "x", '≥': ">=", '≤': "<=", '→': "->",
}

// isGSM reports whether r is one septet of the GSM-7 default alphabet.
func isGSM(r rune) bool {
	return strings.ContainsRune(gsmBasic, r)
}

// gsmLine rewrites s into one line of GSM-7 default-alphabet characters:
// white space and control characters become single spaces, accents not
// in the alphabet are dropped (á → a), a few typographic characters get
// their plain form (’ → ') and anything else becomes '?'. It stops once
// it has written more than limit characters (a segment and one, where
// all that matters is that it is too long).
func gsmLine(s string, limit int) string {
	var b strings.Builder
	n, space := 0, false
	write := func(t string) {
		if space && n > 0 {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteString(t)
		n += len([]rune(t))
	}
	for _, r := range s {
		if n > limit {
			break
		}
		switch rep, ok := gsmReplace[r]; {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
		case isGSM(r):
			write(string(r))
		case ok:
			write(rep)
		default:
			write(stripAccent(r))
		}
	}
	return b.String()
}

// stripAccent is the GSM base letter of an accented r (ç → c), or "?".
func stripAccent(r rune) string {
	d := []rune(norm.NFD.String(string(r)))
	if len(d) == 0 || !isGSM(d[0]) {
		return "?"
	}
	for _, m := range d[1:] {
		if !unicode.Is(unicode.Mn, m) {
			return "?"
		}
	}
	return string(d[0])
}

// septets is the length of s in GSM-7 septets, and whether s is GSM-7 at
// all (default alphabet or extension table). A message of up to 160
// septets is one segment.
func septets(s string) (n int, ok bool) {
	ok = true
	for _, r := range s {
		switch {
		case isGSM(r) || r == '\n' || r == '\r':
			n++
		case strings.ContainsRune("^{}\\[~]|€\f", r):
			n += 2
		default:
			n++
			ok = false
		}
	}
	return n, ok
}

// cut shortens s to at most max runes, ending in "..." when it cut, at a
// word boundary when one is near the end.
func cut(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	if max <= 3 {
		return strings.Repeat(".", max)
	}
	keep := r[:max-3]
	if i := lastSpace(keep); i >= len(keep)-8 && i > 0 {
		keep = keep[:i]
	}
	return strings.TrimRight(string(keep), " ,.;:-") + "..."
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == ' ' {
			return i
		}
	}
	return -1
}

// IsGSM reports whether r is one septet of the GSM-7 default alphabet
// (what a text may hold to cost one septet a character).
func IsGSM(r rune) bool { return isGSM(r) }
