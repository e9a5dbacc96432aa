package tenancy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/internal/secret"
)

var (
	tokRBKC   = secret.New("rbkc-token-0123456789abcdefghijklmnopqrstuvwxyz")
	tokEaling = secret.New("ealing-token-0123456789abcdefghijklmnopqrstuvw")
)

func goodFile() string {
	return "# tenancy proxy credentials\ncredentials:\n" +
		Entry("rbkc", "rbkc", tokRBKC) +
		"  - po: ealing\n    user: ealing-officers\n    token_sha256: " + HashToken(tokEaling) + "\n"
}

func TestParseCredentials(t *testing.T) {
	cs, err := ParseCredentials("creds.yml", []byte(goodFile()))
	if err != nil {
		t.Fatal(err)
	}
	got := cs.List()
	if len(got) != 2 || got[0].User != "rbkc" || got[0].PO != "rbkc" || got[0].Line != 3 ||
		got[1].User != "ealing-officers" || got[1].PO != "ealing" || got[1].Line != 4 {
		t.Fatalf("List() = %+v", got)
	}
	if err := cs.CheckPOs([]string{"ealing", "rbkc"}); err != nil {
		t.Errorf("CheckPOs: %v", err)
	}
	if err := cs.CheckPOs([]string{"rbkc", "barnet"}); err == nil || err.Error() !=
		`creds.yml:4: po: "ealing" (user ealing-officers) is not a PO of the catalogue; POs: rbkc, barnet` {
		t.Errorf("CheckPOs without ealing: %v", err)
	}
}

func TestAuthenticate(t *testing.T) {
	cs, err := ParseCredentials("creds.yml", []byte(goodFile()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user string
		tok  secret.Secret
		want string
	}{
		{"rbkc", tokRBKC, "rbkc"},
		{"ealing-officers", tokEaling, "ealing"},
		{"rbkc", tokEaling, ""},                          // another user's token
		{"ealing-officers", tokRBKC, ""},                 // and the other way round
		{"rbkc", secret.New(HashToken(tokRBKC)), ""},     // the hash is not the token
		{"rbkc", secret.New(tokRBKC.Reveal() + "x"), ""}, // near miss
		{"rbkc", secret.New(""), ""},
		{"nobody", tokRBKC, ""},
		{"", tokRBKC, ""},
	} {
		c, ok := cs.Authenticate(tc.user, tc.tok)
		if ok != (tc.want != "") || c.PO != tc.want {
			t.Errorf("Authenticate(%q, ...) = %+v, %v; want PO %q", tc.user, c, ok, tc.want)
		}
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	h1, h2 := HashToken(tokRBKC), HashToken(tokEaling)
	for _, tc := range []struct {
		name, file, want string
	}{
		{"empty", "", "c.yml:1: the file is empty; want `credentials:` with one entry per user (slawatch proxy token --po PO makes one)"},
		{"comments only", "# nothing\n", "c.yml:1: the file is empty; want `credentials:` with one entry per user (slawatch proxy token --po PO makes one)"},
		{"not yaml", "credentials: [\n", "c.yml:1: not valid YAML: did not find expected node content"},
		{"top is a list", "- po: rbkc\n", "c.yml:1: (top level): want a mapping with the one key `credentials`"},
		{"unknown top field", "credentials: []\nusers: []\n", "c.yml:1: credentials: no entries; add one per user (slawatch proxy token --po PO prints one)\n" +
			"c.yml:2: users: unknown field; the only top-level field is `credentials`"},
		{"no credentials key", "other: 1\n", "c.yml:1: other: unknown field; the only top-level field is `credentials`\n" +
			"c.yml:1: credentials: missing; want a list of entries {po, user, token_sha256}"},
		{"credentials not a list", "credentials:\n  po: rbkc\n", "c.yml:2: credentials: want a list of entries {po, user, token_sha256}"},
		{"credentials twice", "credentials:\n  - {po: rbkc, user: a, token_sha256: " + h1 + "}\ncredentials: []\n", "c.yml:3: credentials: given twice"},
		{"entry not a mapping", "credentials:\n  - rbkc\n", "c.yml:2: credentials[0]: want a mapping {po: ID, user: NAME, token_sha256: HEX}"},
		{"missing fields", "credentials:\n  - {po: rbkc}\n", "c.yml:2: credentials[0].user: missing\nc.yml:2: credentials[0].token_sha256: missing"},
		{"unknown field", "credentials:\n  - {po: rbkc, user: a, token_sha256: " + h1 + ", role: admin}\n",
			"c.yml:2: credentials[0].role: unknown field; an entry has po, user and token_sha256"},
		{"token instead of hash", "credentials:\n  - {po: rbkc, user: a, token: my-secret-token-value}\n",
			"c.yml:2: credentials[0].token: unknown field; an entry has po, user and token_sha256\nc.yml:2: credentials[0].token_sha256: missing"},
		{"field twice", "credentials:\n  - po: rbkc\n    po: ealing\n    user: a\n    token_sha256: " + h1 + "\n", "c.yml:3: credentials[0].po: given twice"},
		{"empty value", "credentials:\n  - {po: , user: a, token_sha256: " + h1 + "}\n", "c.yml:2: credentials[0].po: want a non-empty string"},
		{"list value", "credentials:\n  - {po: [rbkc], user: a, token_sha256: " + h1 + "}\n", "c.yml:2: credentials[0].po: want a non-empty string"},
		{"bad po", "credentials:\n  - {po: RBKC, user: a, token_sha256: " + h1 + "}\n",
			`c.yml:2: credentials[0].po: "RBKC" is not a PO id (lower-case letters, digits, _; as in the catalogue)`},
		{"bad user", "credentials:\n  - {po: rbkc, user: 'a:b', token_sha256: " + h1 + "}\n",
			`c.yml:2: credentials[0].user: "a:b": want 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`},
		{"token pasted", "credentials:\n  - {po: rbkc, user: a, token_sha256: my-secret-token-value}\n",
			"c.yml:2: credentials[0].token_sha256: want the token's SHA-256 as 64 lower-case hex digits, not the token (slawatch proxy token --po PO prints the entry)"},
		{"upper-case hash", "credentials:\n  - {po: rbkc, user: a, token_sha256: " + strings.ToUpper(h1) + "}\n",
			"c.yml:2: credentials[0].token_sha256: want the token's SHA-256 as 64 lower-case hex digits, not the token (slawatch proxy token --po PO prints the entry)"},
		{"short hash", "credentials:\n  - {po: rbkc, user: a, token_sha256: " + h1[:63] + "}\n",
			"c.yml:2: credentials[0].token_sha256: want the token's SHA-256 as 64 lower-case hex digits, not the token (slawatch proxy token --po PO prints the entry)"},
		{"duplicate user", "credentials:\n  - {po: rbkc, user: a, token_sha256: " + h1 + "}\n  - {po: ealing, user: a, token_sha256: " + h2 + "}\n",
			`c.yml:3: credentials[1].user: "a" is already on line 2; users must be unique`},
		{"shared token", "credentials:\n  - {po: rbkc, user: a, token_sha256: " + h1 + "}\n  - {po: ealing, user: b, token_sha256: " + h1 + "}\n",
			"c.yml:3: credentials[1].token_sha256: the same token hash is already on line 2; give every user its own token"},
		{"every problem", "credentials:\n  - {po: RBKC, user: a, token_sha256: x}\n  - {po: rbkc}\n  - 7\n",
			`c.yml:2: credentials[0].po: "RBKC" is not a PO id (lower-case letters, digits, _; as in the catalogue)` + "\n" +
				"c.yml:2: credentials[0].token_sha256: want the token's SHA-256 as 64 lower-case hex digits, not the token (slawatch proxy token --po PO prints the entry)\n" +
				"c.yml:3: credentials[1].user: missing\nc.yml:3: credentials[1].token_sha256: missing\n" +
				"c.yml:4: credentials[2]: want a mapping {po: ID, user: NAME, token_sha256: HEX}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := ParseCredentials("c.yml", []byte(tc.file))
			if err == nil || cs != nil {
				t.Fatalf("no error (%v)", cs)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n%s\nwant\n%s", err, tc.want)
			}
			if strings.Contains(err.Error(), "my-secret-token-value") {
				t.Errorf("error echoes a token: %q", err)
			}
		})
	}
}

func TestLoadCredentials(t *testing.T) {
	p := filepath.Join(t.TempDir(), "creds.yml")
	if _, err := LoadCredentials(p); err == nil || !strings.Contains(err.Error(), "credentials file: open "+p+": no such file") {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(p, []byte(goodFile()), 0o600); err != nil {
		t.Fatal(err)
	}
	cs, err := LoadCredentials(p)
	if err != nil || len(cs.List()) != 2 || cs.File() != p {
		t.Fatalf("LoadCredentials: %v", err)
	}
}

func TestEntryParses(t *testing.T) {
	tok, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Reveal()) != 43 {
		t.Errorf("token of %d characters; want 43 (32 random bytes)", len(tok.Reveal()))
	}
	cs, err := ParseCredentials("e.yml", []byte("credentials:\n"+Entry("tower_hamlets", "tower_hamlets", tok)))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := cs.Authenticate("tower_hamlets", tok); !ok || c.PO != "tower_hamlets" {
		t.Errorf("the printed entry does not authenticate its token: %+v", c)
	}
	if strings.Contains(Entry("a", "a", tok), tok.Reveal()) {
		t.Error("the entry holds the token")
	}
}

// FuzzParseCredentials: the parser never panics; an error names the file
// and never echoes a token_sha256 value; what it accepts has valid users
// and POs, unique users, and authenticates only tokens whose hash it holds.
func FuzzParseCredentials(f *testing.F) {
	f.Add([]byte(goodFile()))
	f.Add([]byte("credentials:\n  - {po: rbkc, user: a, token_sha256: " + HashToken(tokRBKC) + "}\n"))
	f.Add([]byte("credentials: &a [*a]\n"))
	f.Add([]byte("credentials:\n  - !!binary {po: rbkc}\n  - ~\n"))
	f.Add([]byte("credentials:\n- po: x\n  user: y\n  token_sha256: 0000000000000000000000000000000000000000000000000000000000000000\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ParseCredentials("f.yml", data)
		if err != nil {
			if cs != nil {
				t.Fatal("credentials and an error")
			}
			if !strings.HasPrefix(err.Error(), "f.yml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range cs.List() {
			if !reUser.MatchString(c.User) || !rePO.MatchString(c.PO) || seen[c.User] || c.Line < 1 {
				t.Fatalf("accepted bad credential %+v", c)
			}
			seen[c.User] = true
			if _, ok := cs.Authenticate(c.User, secret.New(string(data))); ok &&
				!strings.Contains(string(data), HashToken(secret.New(string(data)))) {
				t.Fatal("authenticated a token whose hash is not in the file")
			}
		}
	})
}

func TestAddCredential(t *testing.T) {
	p := filepath.Join(t.TempDir(), "creds.yml")
	if err := AddCredential(p, "rbkc", "rbkc", tokRBKC); err != nil {
		t.Fatal(err)
	}
	if err := AddCredential(p, "ealing", "ealing", tokEaling); err != nil {
		t.Fatal(err)
	}
	cs, err := LoadCredentials(p)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := cs.Authenticate("ealing", tokEaling); !ok || c.PO != "ealing" || len(cs.List()) != 2 {
		t.Errorf("after two additions: %+v", cs.List())
	}
	if err := AddCredential(p, "barnet", "rbkc", tokEaling); err == nil || !strings.Contains(err.Error(), `"rbkc" is already on line 3`) {
		t.Errorf("a user twice: %v", err)
	}
	data, _ := os.ReadFile(p)
	if strings.Contains(string(data), tokRBKC.Reveal()) || strings.Count(string(data), "token_sha256") != 2 {
		t.Errorf("file:\n%s", data)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

// TestUserNames: `proxy token --user` and the credentials file accept
// and refuse the same user names, including YAML's spellings of null
// (an entry printed with user: null would not load).
func TestUserNames(t *testing.T) {
	h := HashToken(tokRBKC)
	for _, u := range []string{"rbkc", "th-officers", "a.b@c_d", "0", "true", strings.Repeat("a", 64)} {
		if err := CheckUser(u); err != nil {
			t.Errorf("CheckUser(%q): %v", u, err)
		}
		if _, err := ParseCredentials("c.yml", []byte("credentials:\n"+Entry("rbkc", u, tokRBKC))); err != nil {
			t.Errorf("entry for %q does not load: %v", u, err)
		}
	}
	for _, u := range []string{"", "a b", "null", "Null", "NULL", "~", "-a", "a:b", strings.Repeat("a", 65), "é"} {
		err := CheckUser(u)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", u)) {
			t.Errorf("CheckUser(%q) = %v; want an error quoting it", u, err)
		}
		quoted := fmt.Sprintf("credentials:\n  - {po: rbkc, user: %q, token_sha256: %q}\n", u, h)
		if _, err := ParseCredentials("c.yml", []byte(quoted)); err == nil {
			t.Errorf("the file accepts user %q", u)
		}
	}
}
