package grafanatest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/slawatch/slawatch/dashboards/provision/grafanatest"
)

func get(t *testing.T, srv *httptest.Server, user, pw, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.SetBasicAuth(user, pw)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

type org struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// The fake answers as Grafana's pkg/api/org.go and orgimpl store do.
func TestFakeOrgAPI(t *testing.T) {
	g := grafanatest.New("admin", "pw")
	g.Viewers = map[string]string{"viewer": "vpw"}
	for i := range 4 {
		g.AddOrg(fmt.Sprintf("Org %d", i+2))
	}
	srv := httptest.NewServer(g)
	defer srv.Close()

	// Paging: offset perpage×page, page 0 first (and the default).
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"perpage=2", []int64{1, 2}},
		{"perpage=2&page=0", []int64{1, 2}},
		{"perpage=2&page=1", []int64{3, 4}},
		{"perpage=2&page=2", []int64{5}},
		{"perpage=1000&page=1", nil},
		{"", []int64{1, 2, 3, 4, 5}},
	} {
		var got []org
		if code := get(t, srv, "admin", "pw", "/api/orgs?"+tc.query, &got); code != http.StatusOK {
			t.Fatalf("%s: %d", tc.query, code)
		}
		var ids []int64
		for _, o := range got {
			ids = append(ids, o.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("/api/orgs?%s = %v, want %v", tc.query, ids, tc.want)
		}
	}

	var o org
	if code := get(t, srv, "admin", "pw", "/api/orgs/3", &o); code != http.StatusOK || o != (org{3, "Org 3"}) {
		t.Errorf("/api/orgs/3: %d %+v", code, o)
	}
	if code := get(t, srv, "admin", "pw", "/api/orgs/9", nil); code != http.StatusNotFound {
		t.Errorf("/api/orgs/9: %d, want 404", code)
	}
	if code := get(t, srv, "admin", "pw", "/api/orgs/name/oRG%203", &o); code != http.StatusOK || o.ID != 3 {
		t.Errorf("name lookup ignoring case: %d %+v", code, o)
	}
	if code := get(t, srv, "admin", "pw", "/api/orgs/name/Org%209", nil); code != http.StatusNotFound {
		t.Errorf("unknown name: %d, want 404", code)
	}
	for _, p := range []string{"/api/orgs", "/api/orgs/1", "/api/orgs/name/Org%203"} {
		if code := get(t, srv, "viewer", "vpw", p, nil); code != http.StatusForbidden {
			t.Errorf("viewer %s: %d, want 403", p, code)
		}
		if code := get(t, srv, "viewer", "wrong", p, nil); code != http.StatusUnauthorized {
			t.Errorf("wrong password %s: %d, want 401", p, code)
		}
	}
	var h map[string]string
	if get(t, srv, "", "", "/api/health", &h); h["version"] != "11.6.0" {
		t.Errorf("health: %v", h)
	}
}
