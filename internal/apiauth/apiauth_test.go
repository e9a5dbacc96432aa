package apiauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	tokEaling   = "ealing-token-0123456789"
	tokProvider = "provider-token-9876543210"
)

func testFile() string {
	return "# slawatch API credentials\n" +
		"\n" +
		Line("ealing-office", "ealing", NewSecret(tokEaling)) + "  # the council's out-of-hours team\n" +
		"   " + Line("provider-dm", "*", NewSecret(tokProvider)) + "\n"
}

func mustParse(t *testing.T, data string) *Credentials {
	t.Helper()
	cs, err := ParseCredentials("tokens.txt", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestParseCredentials(t *testing.T) {
	cs := mustParse(t, testFile())
	got := cs.List()
	if len(got) != 2 || got[0].Name != "ealing-office" || got[0].Scope != "ealing" || got[0].Line != 3 ||
		got[1].Name != "provider-dm" || got[1].Scope != ScopeAll || got[1].Line != 4 {
		t.Fatalf("List() = %+v", got)
	}
	// Upper-case hex is the same hash.
	up := "x ealing " + strings.ToUpper(HashToken(NewSecret("t")))
	if c, ok := mustParse(t, up).Authenticate(NewSecret("t")); !ok || c.Name != "x" {
		t.Errorf("upper-case hash: %+v %v", c, ok)
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	h1, h2 := HashToken(NewSecret("one")), HashToken(NewSecret("two"))
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"empty", "# nothing\n\n", []string{"tokens.txt: no credentials; add lines"}},
		{"two fields", "a ealing\n", []string{"tokens.txt:1: has 2 fields; want 3: name scope sha256hex"}},
		{"four fields", "\na ealing " + h1 + " extra\n", []string{"tokens.txt:2: has 4 fields"}},
		{"bad name", "-a ealing " + h1, []string{`tokens.txt:1: name "-a": want 1 to 64 letters`}},
		{"bad scope", "a Ealing " + h1, []string{`tokens.txt:1: scope "Ealing": want a PO id`}},
		{"token not hash", "a ealing my-secret-token-value", []string{"tokens.txt:1: third field is not a SHA-256 hash"}},
		{"short hash", "a ealing " + h1[:63], []string{"tokens.txt:1: third field is not a SHA-256 hash"}},
		{"duplicate name", "a ealing " + h1 + "\na rbkc " + h2, []string{`tokens.txt:2: name "a" is already on line 1`}},
		{"duplicate hash", "a ealing " + h1 + "\nb rbkc " + h1, []string{"tokens.txt:2: the token hash is already on line 1"}},
		{"every problem", "a ealing\nb BAD " + h1 + "\nc rbkc zz", []string{"tokens.txt:1:", "tokens.txt:2: scope", "tokens.txt:3: third field"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCredentials("tokens.txt", []byte(tc.file))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "my-secret-token-value") {
				t.Errorf("error echoes the third field: %q", err)
			}
		})
	}
}

func TestLoadCredentials(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tokens")
	if _, err := LoadCredentials(p); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(p, []byte(testFile()), 0o600); err != nil {
		t.Fatal(err)
	}
	cs, err := LoadCredentials(p)
	if err != nil || len(cs.List()) != 2 {
		t.Fatalf("LoadCredentials: %v", err)
	}
	if err := cs.CheckScopes([]string{"ealing", "rbkc"}); err != nil {
		t.Errorf("CheckScopes: %v", err)
	}
	if err := cs.CheckScopes([]string{"rbkc"}); err == nil || !strings.Contains(err.Error(), `:3: scope "ealing" of ealing-office is not a PO of the catalogue; POs: rbkc`) {
		t.Errorf("CheckScopes with ealing unknown: %v", err)
	}
}

func TestAuthenticate(t *testing.T) {
	cs := mustParse(t, testFile())
	for _, tc := range []struct {
		tok  string
		want Caller
		ok   bool
	}{
		{tokEaling, Caller{"ealing-office", "ealing"}, true},
		{tokProvider, Caller{"provider-dm", "*"}, true},
		{tokEaling + "x", Caller{}, false},
		{"", Caller{}, false},
		{HashToken(NewSecret(tokEaling)), Caller{}, false}, // the hash is not the token
	} {
		if got, ok := cs.Authenticate(NewSecret(tc.tok)); got != tc.want || ok != tc.ok {
			t.Errorf("Authenticate(%q) = %+v, %v; want %+v, %v", tc.tok, got, ok, tc.want, tc.ok)
		}
	}
	if !(Caller{Scope: "ealing"}).Allows("ealing") || (Caller{Scope: "ealing"}).Allows("rbkc") || !(Caller{Scope: "*"}).Allows("rbkc") {
		t.Error("Allows")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret("hunter2-token")
	holder := struct {
		Tok   Secret
		inner Secret
	}{s, s}
	var logs bytes.Buffer
	lg := slog.New(slog.NewJSONHandler(&logs, nil))
	lg.Info("x", "tok", s, "holder", holder)
	js, _ := json.Marshal(holder)
	out := fmt.Sprintf("%v %+v %#v %s %q %v %+v %#v", s, s, s, s, s, holder, holder, holder) + logs.String() + string(js)
	if strings.Contains(out, "hunter2") {
		t.Fatalf("secret printed: %s", out)
	}
	if s.Reveal() != "hunter2-token" || NewSecret("").IsZero() != true {
		t.Error("Reveal / IsZero")
	}
	a, err := NewToken()
	b, _ := NewToken()
	if err != nil || len(a.Reveal()) != 43 || a.Reveal() == b.Reveal() {
		t.Errorf("NewToken: %d chars, err %v", len(a.Reveal()), err)
	}
}

func TestMiddleware(t *testing.T) {
	cs := mustParse(t, testFile())
	var logs bytes.Buffer
	h := cs.Middleware(slog.New(slog.NewTextHandler(&logs, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := CallerFrom(r.Context())
		if !ok {
			t.Error("no caller in context")
		}
		fmt.Fprintf(w, "%s %s", c.Name, c.Scope)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		name, auth string
		code       int
		challenge  string
		body       string
	}{
		{"missing", "", 401, `Bearer realm="slawatch"`, "missing Authorization header"},
		{"wrong", "Bearer nope", 401, `Bearer realm="slawatch", error="invalid_token"`, "unknown or revoked token"},
		{"basic", "Basic dXNlcjpwYXNz", 401, `Bearer realm="slawatch", error="invalid_request"`, "Bearer TOKEN"},
		{"empty bearer", "Bearer ", 401, `error="invalid_request"`, "Bearer TOKEN"},
		{"ealing", "Bearer " + tokEaling, 200, "", "ealing-office ealing"},
		{"scheme case", "bearer " + tokProvider, 200, "", "provider-dm *"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/rotas/ealing", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			if resp.StatusCode != tc.code || !strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.challenge) ||
				!strings.Contains(b.String(), tc.body) {
				t.Errorf("%d %q %q; want %d %q %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), b.String(), tc.code, tc.challenge, tc.body)
			}
			if tc.code == 401 && resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("401 content type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
	if strings.Contains(logs.String(), "nope") || !strings.Contains(logs.String(), "unknown bearer token") {
		t.Errorf("log: %s", logs.String())
	}
}

// FuzzParseCredentials: the parser never panics; what it accepts has
// valid names and scopes, unique names, and authenticates nothing but the
// tokens whose hashes it holds.
func FuzzParseCredentials(f *testing.F) {
	f.Add([]byte(testFile()))
	f.Add([]byte("a ealing " + HashToken(NewSecret("x")) + "\n#c\n\n"))
	f.Add([]byte("a * " + HashToken(NewSecret("x")) + " # trailing\r\nb rbkc " + HashToken(NewSecret("y"))))
	f.Add([]byte("a\tb\tc\n\x00#\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ParseCredentials("f", data)
		if err != nil {
			if cs != nil {
				t.Fatal("credentials and an error")
			}
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range cs.List() {
			if !reName.MatchString(c.Name) || (c.Scope != ScopeAll && !reScope.MatchString(c.Scope)) || seen[c.Name] || c.Line < 1 {
				t.Fatalf("accepted bad credential %+v", c)
			}
			seen[c.Name] = true
		}
		if _, ok := cs.Authenticate(NewSecret(string(data))); ok && !bytes.Contains(data, []byte(HashToken(NewSecret(string(data))))) {
			t.Fatal("authenticated a token whose hash is not in the file")
		}
	})
}
