package store

import (
	"net/url"
	"strings"
	"testing"
)

func TestChunkSizes(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 255, 256, 499, 500, 501, 1000, 1037, 2000, 4999} {
		sizes := chunkSizes(n)
		sum := 0
		for i, s := range sizes {
			sum += s
			if s != rowsPerInsert && s&(s-1) != 0 {
				t.Errorf("chunkSizes(%d)[%d] = %d, want %d or a power of two", n, i, s, rowsPerInsert)
			}
			if i > 0 && s > sizes[i-1] {
				t.Errorf("chunkSizes(%d) = %v, want non-increasing", n, sizes)
			}
		}
		if sum != n {
			t.Errorf("chunkSizes(%d) = %v, sums to %d", n, sizes, sum)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- header;\nCREATE TABLE a (x INT);\n\n-- note\nCREATE INDEX i ON a (x);\nSELECT 1")
	want := []string{"-- header;\nCREATE TABLE a (x INT);", "-- note\nCREATE INDEX i ON a (x);", "SELECT 1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("splitStatements = %q, want %q", got, want)
	}
}

func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{"", "sqlite:", "sqlite:/var/lib/slawatch/events.db", "events.db",
		"postgres://u:secret@db:5432/slawatch?sslmode=disable", "postgresql://u@h/db", "sqlite:a?b", "postgres://:p@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		d, driverDSN, shown, err := parseDSN(dsn)
		if err != nil {
			return
		}
		switch d.name {
		case "sqlite":
			if strings.ContainsAny(shown, "?#") || !strings.HasSuffix(driverDSN, "?"+sqlitePragmas) {
				t.Fatalf("parseDSN(%q): sqlite DSN %q for path %q", dsn, driverDSN, shown)
			}
		case "postgres":
			if driverDSN != dsn {
				t.Fatalf("parseDSN(%q) changed a postgres DSN to %q", dsn, driverDSN)
			}
			// The password never shows.
			if u, err := url.Parse(dsn); err != nil {
				if strings.Contains(shown, "@") {
					t.Fatalf("unparseable %q shown as %q", dsn, shown)
				}
			} else if pass, ok := u.User.Password(); ok && pass != "" && strings.Contains(shown, pass) && !strings.Contains(redactMask(u), pass) {
				t.Fatalf("redacted %q still shows the password %q: %q", dsn, pass, shown)
			}
		default:
			t.Fatalf("parseDSN(%q): unknown backend %q", dsn, d.name)
		}
	})
}

// redactMask is the DSN with the password removed: a password that is also
// part of the user, host or path cannot be told apart there.
func redactMask(u *url.URL) string {
	v := *u
	v.User = url.User(u.User.Username())
	return v.String()
}
