package provision_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/dashboards/provision"
	"github.com/slawatch/slawatch/dashboards/provision/grafanatest"
)

const secret = "s3cret-admin-pw"

type stack struct {
	fake     *grafanatest.Grafana
	client   *provision.Client
	src, dst string
	orgs     []provision.Org
	cat      *catalog.Catalog
}

// newStack is a fresh Grafana whose provisioning path holds the provider's
// files only (as the compose stack starts it), with the generated folder
// beside it.
func newStack(t *testing.T) *stack {
	t.Helper()
	cat, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := provision.Orgs(cat)
	if err != nil {
		t.Fatal(err)
	}
	files, err := provision.Generate(cat, provision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{fake: grafanatest.New("admin", secret), src: t.TempDir(), dst: t.TempDir(), orgs: orgs, cat: cat}
	if err := provision.Write(s.src, files); err != nil {
		t.Fatal(err)
	}
	if _, err := provision.Install(s.src, s.dst, false); err != nil {
		t.Fatal(err)
	}
	s.fake.ProvisioningDir = s.dst
	if err := s.fake.Start(); err != nil {
		t.Fatalf("Grafana with the provider's files does not start: %v", err)
	}
	srv := httptest.NewServer(s.fake)
	t.Cleanup(srv.Close)
	s.client, err = provision.NewClient(srv.URL, "admin", secret, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *stack) setup(t *testing.T) (provision.Result, error) {
	t.Helper()
	return provision.Setup(context.Background(), s.client, s.orgs, provision.SetupOptions{
		Wait: 5 * time.Second, Poll: 10 * time.Millisecond, InstallFrom: s.src, InstallTo: s.dst})
}

// Why the organisations' files wait for setup: Grafana (here the fake,
// which checks as Grafana's config readers do) does not start with them
// before the organisations exist.
func TestOrgFilesBeforeOrgsStopGrafana(t *testing.T) {
	s := newStack(t)
	if _, err := provision.Install(s.src, s.dst, true); err != nil {
		t.Fatal(err)
	}
	err := s.fake.Start()
	if err == nil || !strings.Contains(err.Error(), "organization not found") {
		t.Fatalf("start with PO files and no PO orgs: %v", err)
	}
}

func TestSetupCreatesOrgsInstallsAndReloads(t *testing.T) {
	s := newStack(t)
	s.fake.Unhealthy(3)
	t.Setenv("SLAWATCH_PROXY_TOKEN_RBKC", "token-of-rbkc")
	res, err := s.setup(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != len(s.orgs) || len(res.Installed) != 2 {
		t.Fatalf("created %d of %d, installed %v", len(res.Created), len(s.orgs), res.Installed)
	}
	got := s.fake.Orgs()
	for _, o := range s.orgs {
		if got[o.ID] != o.Name {
			t.Errorf("org %d = %q, want %q", o.ID, got[o.ID], o.Name)
		}
	}
	ds, boards := s.fake.Datasources(), s.fake.Providers()
	if d := ds[1]; len(d) != 1 || d[0].URL != provision.DefaultPrometheusURL || d[0].BasicAuth {
		t.Errorf("org 1 datasources: %+v", d)
	}
	for _, o := range s.orgs {
		d := ds[o.ID]
		if len(d) != 1 || d[0].UID != "slawatch" || d[0].URL != provision.DefaultProxyURL || d[0].BasicAuthUser != o.PO {
			t.Errorf("org %d (%s) datasources: %+v", o.ID, o.PO, d)
		}
		if b := boards[o.ID]; len(b) != 1 || b[0].Path != provision.DefaultDashboardsPath+"/po/"+o.PO || b[0].AllowUIUpdates {
			t.Errorf("org %d (%s) boards: %+v", o.ID, o.PO, b)
		}
		if o.PO == "rbkc" && ds[o.ID][0].Password != "token-of-rbkc" {
			t.Errorf("rbkc password not taken from the environment: %q", ds[o.ID][0].Password)
		}
	}
	if b := boards[1]; len(b) != 1 || !b[0].FoldersFromFilesStructure {
		t.Errorf("org 1 boards: %+v", b)
	}

	// A second run changes nothing: no organisation made, no file written.
	before := len(s.fake.Requests())
	res, err = s.setup(t)
	if err != nil || len(res.Created) != 0 || len(res.Installed) != 0 {
		t.Fatalf("second run: %+v %v", res, err)
	}
	for _, r := range s.fake.Requests()[before:] {
		if r == "POST /api/orgs" {
			t.Error("second run created an organisation")
		}
	}
	// Grafana restarted with every file in place starts.
	if err := s.fake.Start(); err != nil {
		t.Errorf("restart after setup: %v", err)
	}
}

// Some organisations exist already (a PO added to the catalogue): only the
// new ones are made.
func TestSetupAddsOnlyMissing(t *testing.T) {
	s := newStack(t)
	for _, o := range s.orgs[:3] {
		s.fake.AddOrg(o.Name)
	}
	res, err := s.setup(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != len(s.orgs)-3 || res.Created[0].ID != 5 {
		t.Errorf("created %+v", res.Created)
	}
}

func TestSetupMismatchedIDs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(s *stack)
		want    []string
		created bool
	}{
		{"an org made by hand took id 2", func(s *stack) { s.fake.AddOrg("Someone's org") },
			[]string{"organisation 2, which provisioning gives PO " + "%s", `is "Someone's org" in Grafana`}, false},
		{"the PO's org has another id", func(s *stack) {
			s.fake.DeleteOrg(s.fake.AddOrg("spare"))
			s.fake.AddOrg(s.orgs[0].Name)
		}, []string{`(PO %s) has id 3 in Grafana, but provisioning names it 2`}, false},
		{"a deleted org leaves a gap", func(s *stack) { s.fake.DeleteOrg(s.fake.AddOrg("spare")) },
			[]string{`(PO %s) was given id 3, but provisioning names it 2`}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			tc.prepare(s)
			before := len(s.fake.Orgs())
			_, err := s.setup(t)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if strings.Contains(w, "%s") {
					w = strings.Replace(w, "%s", s.orgs[0].PO, 1)
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Error("password in the error")
			}
			if made := len(s.fake.Orgs()) - before; !tc.created && made != 0 {
				t.Errorf("%d organisations made before the mismatch was reported", made)
			}
			for _, r := range s.fake.Requests() {
				if strings.Contains(r, "reload") {
					t.Errorf("reloaded despite the mismatch: %s", r)
				}
			}
			if _, err := os.Stat(filepath.Join(s.dst, "datasources/slawatch-orgs.yaml")); !os.IsNotExist(err) {
				t.Error("organisations' files installed despite the mismatch")
			}
		})
	}
}

func TestSetupWrongPassword(t *testing.T) {
	s := newStack(t)
	srv := httptest.NewServer(s.fake)
	defer srv.Close()
	c, err := provision.NewClient(srv.URL, "admin", "wrong-password", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = provision.Setup(context.Background(), c, s.orgs, provision.SetupOptions{Wait: time.Second, Poll: 10 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "wrong admin user or password") {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Error("password in the error")
	}
}

func TestWaitHealthyDeadline(t *testing.T) {
	s := newStack(t)
	s.fake.Unhealthy(1 << 30)
	err := provision.WaitHealthy(context.Background(), s.client, 100*time.Millisecond, 10*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not healthy after 100ms") || !strings.Contains(err.Error(), "503") {
		t.Errorf("err = %v", err)
	}
}

func TestNewClientChecks(t *testing.T) {
	for _, tc := range []struct{ url, user, pw, want string }{
		{"grafana:3000", "admin", "x", "must be an http(s) URL"},
		{"http://admin:pw@grafana:3000", "admin", "x", "must not hold credentials"},
		{"http://grafana:3000", "", "x", "--user"},
		{"http://grafana:3000", "admin", "", "password is empty"},
	} {
		if _, err := provision.NewClient(tc.url, tc.user, tc.pw, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.url, err, tc.want)
		}
	}
}

// More organisations than one page of /api/orgs (Grafana's page 1 is the
// second thousand): setup looks each one up and never lists them, so the
// provider's organisation and the POs' are all found and none is made.
func TestSetupManyOrgs(t *testing.T) {
	s := newStack(t)
	for _, o := range s.orgs {
		s.fake.AddOrg(o.Name)
	}
	for i := range 1000 {
		s.fake.AddOrg(fmt.Sprintf("other %d", i))
	}
	res, err := s.setup(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 0 {
		t.Errorf("created %+v", res.Created)
	}
}

// Grafana matches organisation names ignoring case: an organisation whose
// name differs only in case is the PO's, not one to make again.
func TestSetupNameCase(t *testing.T) {
	s := newStack(t)
	for _, o := range s.orgs {
		s.fake.AddOrg(strings.ToUpper(o.Name))
	}
	res, err := s.setup(t)
	if err != nil || len(res.Created) != 0 {
		t.Fatalf("created %+v, err %v", res.Created, err)
	}
}

// Names with spaces, quotes, ampersands and percent signs reach Grafana
// escaped once.
func TestOrgByNameEscapes(t *testing.T) {
	s := newStack(t)
	for _, name := range []string{"St Mungo's & Co", "100% Borough", "a+b?c#d"} {
		id := s.fake.AddOrg(name)
		got, found, err := s.client.OrgByName(context.Background(), name)
		if err != nil || !found || got.ID != id || got.Name != name {
			t.Errorf("%q: %+v %v %v", name, got, found, err)
		}
	}
}

// A user who is not a server administrator gets Grafana's 403, explained.
func TestSetupNotAdmin(t *testing.T) {
	s := newStack(t)
	s.fake.Viewers = map[string]string{"officer": "officer-pw"}
	srv := httptest.NewServer(s.fake)
	defer srv.Close()
	c, err := provision.NewClient(srv.URL, "officer", "officer-pw", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = provision.Setup(context.Background(), c, s.orgs, provision.SetupOptions{})
	if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "server administrator") {
		t.Errorf("err = %v", err)
	}
	if len(s.fake.Orgs()) != 1 {
		t.Error("a non-admin made organisations")
	}
}
