package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/store"
)

// With --api-tokens, POST /api/v1/pages needs a token whose scope covers
// the page's PO; the provider's own pages need scope *.
func TestAppIntakeNeedsAToken(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	cat, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "e.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := storePager(cat, st, log)
	if err != nil {
		t.Fatal(err)
	}
	enfield, prov := apiauth.NewSecret("enfield-linetest-token"), apiauth.NewSecret("provider-token")
	creds, err := apiauth.ParseCredentials("tokens", []byte(apiauth.Line("linetest-enfield", "enfield", enfield)+"\n"+
		apiauth.Line("duty", "*", prov)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := appIntake(p, creds, log)
	post := func(token, po, key string) int {
		body := `{"source":"linetest","key":"` + key + `","po":"` + po + `","alertname":"LineTestFailed","severity":"critical","summary":"test call failed"}`
		req := httptest.NewRequest(http.MethodPost, "/api/v1/pages", strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	for _, tc := range []struct {
		token, po string
		want      int
	}{
		{"", "enfield", http.StatusUnauthorized},
		{"wrong", "enfield", http.StatusUnauthorized},
		{enfield.Reveal(), "rbkc", http.StatusForbidden},
		{enfield.Reveal(), "", http.StatusForbidden},
		{enfield.Reveal(), "enfield", http.StatusCreated},
		{prov.Reveal(), "rbkc", http.StatusCreated},
		{prov.Reveal(), "", http.StatusCreated},
	} {
		if got := post(tc.token, tc.po, "k-"+tc.po+"-"+tc.token); got != tc.want {
			t.Errorf("token set %v, po %q: %d; want %d", tc.token != "", tc.po, got, tc.want)
		}
	}
}
