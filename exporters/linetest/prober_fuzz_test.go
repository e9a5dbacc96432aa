package linetest

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/slawatch/slawatch/store"
)

// FuzzCleanReason: whatever a dialer's error says, the reason stored is
// one line of valid UTF-8 within the store's limit, and a clean reason is
// kept as it is.
func FuzzCleanReason(f *testing.F) {
	for _, s := range []string{"", "busy", "dialer: 503\nService Unavailable", "\xff\xfe", strings.Repeat("é", 400), "a\x00b\tc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cleanReason(s)
		if !utf8.ValidString(got) || strings.IndexFunc(got, unicode.IsControl) >= 0 || len(got) > store.MaxLineTestReasonBytes {
			t.Fatalf("cleanReason(%q) = %q: not one line of valid UTF-8 within %d bytes", s, got, store.MaxLineTestReasonBytes)
		}
		if utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0 && len(s) <= store.MaxLineTestReasonBytes && got != s {
			t.Fatalf("cleanReason(%q) = %q, want it unchanged", s, got)
		}
	})
}
