// Package grafanatest is a fake Grafana HTTP API for tests: the endpoints
// `slawatch grafana setup` uses, answering as Grafana does (status codes,
// messages and JSON shapes from Grafana's pkg/api/org.go and its HTTP API
// documentation), and file provisioning checked as Grafana checks it: a
// datasource or dashboard provider naming an organisation that does not
// exist fails the whole reload (pkg/services/provisioning/datasources
// config_reader.go, validateAccessAndOrgID; dashboards config_reader.go).
package grafanatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Version is the Grafana version the fake answers /api/health with: the
// one docker-compose.yml runs.
const Version = "11.6.0"

// Grafana is the fake's state. Use New, then serve it with httptest.
type Grafana struct {
	// User and Password are the server administrator's credentials.
	User, Password string
	// Viewers are other users (login → password): members of an
	// organisation, not server administrators, so the admin API answers
	// them 403 as Grafana does.
	Viewers map[string]string
	// ProvisioningDir is Grafana's provisioning path (datasources/ and
	// dashboards/ read on reload); empty: reloads read nothing.
	ProvisioningDir string
	// UserSettings are Grafana's [users] settings (zero: its defaults).
	UserSettings UserSettings

	mu        sync.Mutex
	orgs      map[int64]string
	nextID    int64
	unhealthy int
	requests  []string
	// Datasources and Providers are what the last successful reloads
	// provisioned, by organisation id.
	datasources map[int64][]Datasource
	providers   map[int64][]Provider
	// users and members (org id → user id → role): see users.go.
	users      map[int64]*user
	members    map[int64]map[int64]string
	nextUserID int64
}

// Datasource is a provisioned datasource, as the fake read it.
type Datasource struct {
	Name, UID, Type, URL, BasicAuthUser string
	BasicAuth, IsDefault, Editable      bool
	// Password is secureJsonData.basicAuthPassword after Grafana's
	// environment expansion ($VAR and ${VAR}).
	Password string
}

// Provider is a provisioned dashboard provider.
type Provider struct {
	Name, Folder, Path        string
	AllowUIUpdates            bool
	FoldersFromFilesStructure bool
}

// New is a Grafana just installed: organisation 1, "Main Org.", only, and
// its server administrator (user 1, Admin of organisation 1).
func New(admin, password string) *Grafana {
	return &Grafana{User: admin, Password: password, orgs: map[int64]string{1: "Main Org."}, nextID: 2,
		datasources: map[int64][]Datasource{}, providers: map[int64][]Provider{},
		users:   map[int64]*user{1: {ID: 1, Login: admin, Email: "admin@localhost", Password: password, Admin: true}},
		members: map[int64]map[int64]string{1: {1: roleAdmin}}, nextUserID: 2}
}

// Unhealthy makes the next n /api/health answers 503 (still starting).
func (g *Grafana) Unhealthy(n int) { g.mu.Lock(); g.unhealthy = n; g.mu.Unlock() }

// AddOrg makes an organisation by hand (as the UI would) and returns its id.
func (g *Grafana) AddOrg(name string) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	id := g.nextID
	g.nextID++
	g.orgs[id] = name
	return id
}

// DeleteOrg deletes an organisation; its id is never given again (SQLite
// AUTOINCREMENT, as Grafana's org table).
func (g *Grafana) DeleteOrg(id int64) {
	g.mu.Lock()
	delete(g.orgs, id)
	delete(g.members, id)
	g.mu.Unlock()
}

// Orgs returns the organisations by id.
func (g *Grafana) Orgs() map[int64]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[int64]string{}
	for k, v := range g.orgs {
		out[k] = v
	}
	return out
}

// Requests returns "METHOD /path" of every authenticated request so far.
func (g *Grafana) Requests() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.requests)
}

// Datasources returns what datasource provisioning provisioned per org.
func (g *Grafana) Datasources() map[int64][]Datasource {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[int64][]Datasource{}
	for k, v := range g.datasources {
		out[k] = slices.Clone(v)
	}
	return out
}

// Providers returns the dashboard providers provisioned per org.
func (g *Grafana) Providers() map[int64][]Provider {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[int64][]Provider{}
	for k, v := range g.providers {
		out[k] = slices.Clone(v)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func message(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

type orgDetails struct {
	ID      int64             `json:"id"`
	Name    string            `json:"name"`
	Address map[string]string `json:"address"`
}

func details(id int64, name string) orgDetails {
	return orgDetails{ID: id, Name: name, Address: map[string]string{
		"address1": "", "address2": "", "city": "", "zipCode": "", "state": "", "country": ""}}
}

// ServeHTTP answers Grafana's API.
func (g *Grafana) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/health" {
		g.mu.Lock()
		sick := g.unhealthy > 0
		if sick {
			g.unhealthy--
		}
		g.mu.Unlock()
		if sick {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"database": "failing", "version": Version})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"commit": "fake", "database": "ok", "version": Version})
		return
	}
	u, p, ok := r.BasicAuth()
	g.mu.Lock()
	defer g.mu.Unlock()
	admin, known := g.authenticate(ok, u, p)
	if !known {
		message(w, http.StatusUnauthorized, "Invalid username or password")
		return
	}
	g.requests = append(g.requests, r.Method+" "+r.URL.Path)
	path := r.URL.Path
	if !admin && (strings.HasPrefix(path, "/api/orgs") || strings.HasPrefix(path, "/api/admin/") || strings.HasPrefix(path, "/api/users")) {
		// Server-admin routes (reqGrafanaAdmin / orgs:read, orgs:create,
		// users:read, users:create, provisioning:reload): an organisation
		// member is refused.
		message(w, http.StatusForbidden, "You'll need additional permissions to perform this action.")
		return
	}
	if g.serveUsers(w, r) {
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "/api/orgs":
		// Grafana's SearchOrgs: perpage (default 1000) and page (default
		// 0), and the store's sess.Limit(perpage, perpage*page): page 0 is
		// the first page, page 1 skips perpage organisations.
		perPage, _ := strconv.Atoi(r.URL.Query().Get("perpage"))
		if perPage <= 0 {
			perPage = 1000
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page < 0 {
			page = 0
		}
		ids := make([]int64, 0, len(g.orgs))
		for id := range g.orgs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		out := []map[string]any{}
		for i, id := range ids {
			if i >= page*perPage && i < (page+1)*perPage {
				out = append(out, map[string]any{"id": id, "name": g.orgs[id]})
			}
		}
		writeJSON(w, http.StatusOK, out)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/api/orgs/name/"):
		if id, n, ok := g.byName(strings.TrimPrefix(path, "/api/orgs/name/")); ok {
			writeJSON(w, http.StatusOK, details(id, n))
			return
		}
		message(w, http.StatusNotFound, "Organization not found")
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/api/orgs/"):
		id, err := strconv.ParseInt(strings.TrimPrefix(path, "/api/orgs/"), 10, 64)
		if name, ok := g.orgs[id]; err == nil && ok {
			writeJSON(w, http.StatusOK, details(id, name))
			return
		}
		message(w, http.StatusNotFound, "Organization not found")
	case r.Method == http.MethodPost && path == "/api/orgs":
		var cmd struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&cmd); err != nil || cmd.Name == "" {
			message(w, http.StatusBadRequest, "bad request data")
			return
		}
		if _, _, taken := g.byName(cmd.Name); taken {
			message(w, http.StatusConflict, "Organization name taken")
			return
		}
		id := g.nextID
		g.nextID++
		g.orgs[id] = cmd.Name
		// The user who makes an organisation is its Admin (orgimpl's
		// CreateWithMember).
		if creator, ok := g.userByLogin(u); ok {
			g.members[id] = map[int64]string{creator.ID: roleAdmin}
		}
		writeJSON(w, http.StatusOK, map[string]any{"orgId": id, "message": "Organization created"})
	case r.Method == http.MethodPost && path == "/api/admin/provisioning/datasources/reload":
		if err := g.reloadDatasources(); err != nil {
			message(w, http.StatusInternalServerError, err.Error())
			return
		}
		message(w, http.StatusOK, "Datasources config reloaded")
	case r.Method == http.MethodPost && path == "/api/admin/provisioning/dashboards/reload":
		if err := g.reloadDashboards(); err != nil {
			message(w, http.StatusInternalServerError, err.Error())
			return
		}
		message(w, http.StatusOK, "Dashboards config reloaded")
	default:
		message(w, http.StatusNotFound, "Not found")
	}
}

// byName finds an organisation by name, ignoring case as Grafana's lookup
// does; creating an organisation checks the name through the same lookup.
func (g *Grafana) byName(name string) (int64, string, bool) {
	for id, n := range g.orgs {
		if strings.EqualFold(n, name) {
			return id, n, true
		}
	}
	return 0, "", false
}

// Start checks the provisioning as Grafana does when it starts: an error
// here is a Grafana that does not start.
func (g *Grafana) Start() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.reloadDatasources(); err != nil {
		return err
	}
	return g.reloadDashboards()
}

func yamlFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil // Grafana logs "can't read ... provisioning files" and goes on
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// expand is Grafana's environment expansion of provisioning values.
func expand(s string) string { return os.ExpandEnv(s) }

func (g *Grafana) reloadDatasources() error {
	if g.ProvisioningDir == "" {
		return nil
	}
	files, _ := yamlFiles(filepath.Join(g.ProvisioningDir, "datasources"))
	got := map[int64][]Datasource{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var doc struct {
			APIVersion  int `yaml:"apiVersion"`
			Datasources []struct {
				Name, UID, Type, URL, Access string
				OrgID                        int64             `yaml:"orgId"`
				IsDefault                    bool              `yaml:"isDefault"`
				Editable                     bool              `yaml:"editable"`
				BasicAuth                    bool              `yaml:"basicAuth"`
				BasicAuthUser                string            `yaml:"basicAuthUser"`
				SecureJSONData               map[string]string `yaml:"secureJsonData"`
			} `yaml:"datasources"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("Datasource provisioning error: %s: %v", filepath.Base(f), err)
		}
		for _, ds := range doc.Datasources {
			if ds.OrgID == 0 {
				ds.OrgID = 1
			}
			if _, ok := g.orgs[ds.OrgID]; !ok {
				return fmt.Errorf("Datasource provisioning error: failed to provision %q data source: organization not found", ds.Name)
			}
			for _, other := range got[ds.OrgID] {
				if other.UID == ds.UID {
					return fmt.Errorf("Datasource provisioning error: data source uid %q twice in org %d", ds.UID, ds.OrgID)
				}
			}
			got[ds.OrgID] = append(got[ds.OrgID], Datasource{
				Name: ds.Name, UID: ds.UID, Type: ds.Type, URL: ds.URL, BasicAuthUser: ds.BasicAuthUser,
				BasicAuth: ds.BasicAuth, IsDefault: ds.IsDefault, Editable: ds.Editable,
				Password: expand(ds.SecureJSONData["basicAuthPassword"]),
			})
		}
	}
	// Grafana keeps datasources that left the files (no prune): merge.
	for id, list := range got {
		g.datasources[id] = list
	}
	return nil
}

func (g *Grafana) reloadDashboards() error {
	if g.ProvisioningDir == "" {
		return nil
	}
	files, _ := yamlFiles(filepath.Join(g.ProvisioningDir, "dashboards"))
	got := map[int64][]Provider{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var doc struct {
			Providers []struct {
				Name, Folder, Type string
				OrgID              int64 `yaml:"orgId"`
				AllowUIUpdates     bool  `yaml:"allowUiUpdates"`
				Options            struct {
					Path                      string `yaml:"path"`
					FoldersFromFilesStructure bool   `yaml:"foldersFromFilesStructure"`
				} `yaml:"options"`
			} `yaml:"providers"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("could not parse provisioning config file: %s error: %v", filepath.Base(f), err)
		}
		for _, p := range doc.Providers {
			if p.OrgID == 0 {
				p.OrgID = 1
			}
			if _, ok := g.orgs[p.OrgID]; !ok {
				return fmt.Errorf("Failed to provision dashboards: failed to provision dashboards with %q reader: organization not found", p.Name)
			}
			if p.Folder != "" && p.Options.FoldersFromFilesStructure {
				return fmt.Errorf("Failed to provision dashboards: %q: folder and foldersFromFilesStructure are exclusive", p.Name)
			}
			got[p.OrgID] = append(got[p.OrgID], Provider{Name: p.Name, Folder: p.Folder, Path: p.Options.Path,
				AllowUIUpdates: p.AllowUIUpdates, FoldersFromFilesStructure: p.Options.FoldersFromFilesStructure})
		}
	}
	// Dashboard providers are replaced wholesale (orphans cleaned up).
	g.providers = got
	return nil
}
