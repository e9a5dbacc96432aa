package testprom

import "testing"

func TestTail(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 5, ""},
		{"abc", 5, "abc"},
		{"abcde", 5, "abcde"},
		{"abcdef", 5, "...bcdef"},
		{"line 1\nline 2\n", 7, "...line 2\n"},
		{"abc", 0, "..."},
	} {
		if got := Tail(c.s, c.n); got != c.want {
			t.Errorf("Tail(%q, %d) = %q; want %q", c.s, c.n, got, c.want)
		}
	}
}
