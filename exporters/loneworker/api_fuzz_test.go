package loneworker

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/internal/apiauth"
)

// FuzzAPICheckIn posts any body as a check-in: never a panic, never a 5xx
// (the store is up), always a JSON answer; an error answer says something.
func FuzzAPICheckIn(f *testing.F) {
	for _, seed := range []string{
		eo1,
		`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","until":"2026-11-20T22:30:00Z"}`,
		`{"staff_group":"anti_social_behaviour","officer":"haringey-asb-1","minutes":9223372036854775807}`,
		`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-3","until":"9999-12-31T23:59:59Z"}`,
		`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-3","until":"0001-01-01T00:00:00Z"}`,
		`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-3","location":"a\u0000b","uprn":"1"}`,
		`{"minutes":1e400}`, `{"po":null}`, `[]`, `"x"`, `{`, ``, `{} trailing`, `{"minutes":-1}`,
	} {
		f.Add([]byte(seed))
	}
	r := newAPIRig(f)
	h := r.svc.API(nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", APIPrefix+"sessions", strings.NewReader(string(body)))
		req = req.WithContext(apiauth.WithCaller(req.Context(), apiauth.Caller{Name: "fuzz", Scope: "haringey"}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("body %q: status %d %s", body, w.Code, w.Body)
		}
		var v map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("body %q: answer %q is not JSON: %v", body, w.Body, err)
		}
		if w.Code != http.StatusCreated {
			if msg, _ := v["error"].(string); msg == "" {
				t.Fatalf("body %q: status %d without an error message: %s", body, w.Code, w.Body)
			}
		}
	})
}
