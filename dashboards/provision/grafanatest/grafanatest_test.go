package grafanatest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

func send(t *testing.T, srv *httptest.Server, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.SetBasicAuth("admin", "pw")
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Users and members answer as Grafana's admin_users.go, user.go and
// org_users.go do, including their refusals.
func TestFakeUserAPI(t *testing.T) {
	g := grafanatest.New("admin", "pw")
	org2 := g.AddOrg("Org 2")
	srv := httptest.NewServer(g)
	defer srv.Close()

	for _, tc := range []struct {
		method, path, body string
		status             int
		says               string
	}{
		{"POST", "/api/admin/users", `{"login":"a","password":"pw-a","OrgId":2}`, 200, `"id":2`},
		{"POST", "/api/admin/users", `{"login":"A","password":"pw-a"}`, 412, "already exists"},
		{"POST", "/api/admin/users", `{"login":"b","password":"pw"}`, 400, "too short"},
		{"POST", "/api/admin/users", `{"login":"b","password":"pw-b","OrgId":9}`, 400, "organization not found"},
		{"GET", "/api/users/lookup?loginOrEmail=a", "", 200, `"isGrafanaAdmin":false`},
		{"GET", "/api/users/lookup?loginOrEmail=admin", "", 200, `"isGrafanaAdmin":true`},
		{"GET", "/api/users/lookup?loginOrEmail=nobody", "", 404, "user not found"},
		{"GET", "/api/users/2/orgs", "", 200, `[{"name":"Org 2","orgId":2,"role":"Viewer"}]`},
		{"POST", "/api/orgs/2/users", `{"loginOrEmail":"a","role":"Viewer"}`, 409, "already member"},
		{"POST", "/api/orgs/1/users", `{"loginOrEmail":"a","role":"Boss"}`, 400, "Invalid role"},
		{"POST", "/api/orgs/1/users", `{"loginOrEmail":"a","role":"Editor"}`, 200, "User added"},
		{"PATCH", "/api/orgs/1/users/2", `{"role":"Viewer"}`, 200, "updated"},
		{"PATCH", "/api/orgs/1/users/1", `{"role":"Viewer"}`, 400, "no organization admin left"},
		{"DELETE", "/api/orgs/1/users/1", "", 400, "last organization admin"},
		{"DELETE", "/api/orgs/1/users/2", "", 200, "removed"},
		{"DELETE", "/api/orgs/1/users/2", "", 200, "removed"}, // not a member: Grafana says removed
		{"PATCH", "/api/orgs/1/users/2", `{"role":"Viewer"}`, 500, "Failed update org user"},
		{"DELETE", "/api/admin/users/9", "", 404, "user not found"},
		{"GET", "/api/orgs/2/users", "", 200, `"login":"a"`},
	} {
		status, body := send(t, srv, tc.method, tc.path, tc.body)
		if status != tc.status || !strings.Contains(body, tc.says) {
			t.Errorf("%s %s %s: %d %s, want %d and %q", tc.method, tc.path, tc.body, status, body, tc.status, tc.says)
		}
	}
	if got := g.Memberships(2); len(got) != 1 || got[org2] != "Viewer" {
		t.Errorf("memberships of user 2: %v", got)
	}
	// A user made through the API logs in, and is no server administrator.
	if code := get(t, srv, "a", "pw-a", "/api/users/lookup?loginOrEmail=a", nil); code != http.StatusForbidden {
		t.Errorf("a Viewer on the users API: %d, want 403", code)
	}
}
