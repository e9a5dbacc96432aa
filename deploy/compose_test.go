// Package deploy holds no Go code of its own: its tests check the
// deployment files (docker-compose.yml, which no Docker engine here can
// run, with the compose-spec loader Docker Compose itself uses) and run the
// same stack from Debian's binaries (deploy/local).
package deploy

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/dashboards/provision"
)

func exampleCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load("../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// composeEnv is the environment an operator sets: the admin password and
// one proxy token per PO, each value naming its variable.
func composeEnv(cat *catalog.Catalog, skip string) []string {
	env := []string{"GRAFANA_ADMIN_PASSWORD=from-env-GRAFANA_ADMIN_PASSWORD"}
	for _, p := range cat.Organisations {
		if k := provision.TokenEnv(p.ID); k != skip {
			env = append(env, k+"=from-env-"+k)
		}
	}
	return env
}

func loadCompose(t *testing.T, env []string) (*types.Project, error) {
	t.Helper()
	wd, _ := filepath.Abs("..")
	opts, err := cli.NewProjectOptions([]string{filepath.Join(wd, "docker-compose.yml")},
		cli.WithWorkingDirectory(wd), cli.WithEnv(env), cli.WithName("slawatch"))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

func mustLoad(t *testing.T) (*types.Project, *catalog.Catalog) {
	t.Helper()
	cat := exampleCatalog(t)
	p, err := loadCompose(t, composeEnv(cat, ""))
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p, cat
}

// oneShot services run to completion (restart "no"); the rest run for good.
func oneShot(s types.ServiceConfig) bool { return s.Restart == "no" }

func TestComposeLoadsWithEveryService(t *testing.T) {
	p, _ := mustLoad(t)
	for _, want := range []string{"telephony", "linetest", "crm", "mailroom", "notify", "proxy",
		"prometheus", "alertmanager", "alertmanager-config", "grafana", "grafana-provision", "grafana-setup"} {
		if _, ok := p.Services[want]; !ok {
			t.Errorf("service %s missing", want)
		}
	}
}

// A missing proxy token stops compose before anything starts, naming it.
func TestComposeNeedsEveryToken(t *testing.T) {
	cat := exampleCatalog(t)
	k := provision.TokenEnv(cat.Organisations[0].ID)
	_, err := loadCompose(t, composeEnv(cat, k))
	if err == nil || !strings.Contains(err.Error(), k) {
		t.Errorf("without %s: %v", k, err)
	}
}

// Grafana gets exactly one token variable per catalogue PO, and every
// secret-looking variable comes from the environment, never the file.
func TestComposeSecretsFromEnvironment(t *testing.T) {
	p, cat := mustLoad(t)
	var want []string
	for _, po := range cat.Organisations {
		want = append(want, provision.TokenEnv(po.ID))
	}
	var got []string
	secretish := regexp.MustCompile(`TOKEN|PASSWORD|SECRET|_SID|DSN`)
	for name, s := range p.Services {
		for k, v := range s.Environment {
			if strings.HasPrefix(k, "SLAWATCH_PROXY_TOKEN_") && name == "grafana" {
				got = append(got, k)
			}
			if secretish.MatchString(k) && !strings.HasSuffix(k, "__FILE") && v != nil && *v != "" && *v != "from-env-"+k {
				t.Errorf("%s: %s has a value written in the file: take it from the environment", name, k)
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("grafana's token variables %v, want one per PO %v", got, want)
	}
}

// Every service is pinned or built here, has a health check unless it is a
// one-shot, publishes only on loopback on distinct ports, and mounts only
// files that exist and volumes that are declared.
func TestComposeServicesSane(t *testing.T) {
	p, _ := mustLoad(t)
	hostPorts := map[string]string{}
	used := map[string]bool{}
	for name, s := range p.Services {
		if s.Build == nil {
			img := s.Image
			tag := img[strings.LastIndex(img, "/")+1:]
			if !strings.Contains(tag, ":") && !strings.Contains(img, "@sha256:") || strings.HasSuffix(img, ":latest") {
				t.Errorf("%s: image %q must be pinned to a version", name, img)
			}
		}
		if oneShot(s) {
			if s.HealthCheck != nil {
				t.Errorf("%s: a one-shot needs no health check", name)
			}
		} else if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 {
			t.Errorf("%s: runs for good but has no health check", name)
		}
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s: port %d published on %q: publish on 127.0.0.1 (a TLS proxy goes in front)", name, port.Target, port.HostIP)
			}
			if other, dup := hostPorts[port.Published]; dup {
				t.Errorf("%s: host port %s is %s's too", name, port.Published, other)
			}
			hostPorts[port.Published] = name
		}
		for _, v := range s.Volumes {
			switch v.Type {
			case types.VolumeTypeBind:
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("%s: bind mount %s: %v", name, v.Source, err)
				}
				if !v.ReadOnly {
					t.Errorf("%s: bind mount %s must be read-only", name, v.Source)
				}
			case types.VolumeTypeVolume:
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("%s: named volume %s is not declared", name, v.Source)
				}
				used[v.Source] = true
			default:
				t.Errorf("%s: volume %+v: only binds and named volumes expected", name, v)
			}
		}
		for dep := range s.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				t.Errorf("%s depends on %s, which is not a service", name, dep)
			}
		}
	}
	for v := range p.Volumes {
		if !used[v] {
			t.Errorf("volume %s is declared but mounted nowhere", v)
		}
	}
}

// flagValue is --name=value in a command, or "".
func flagValue(cmd []string, name string) string {
	for _, a := range cmd {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// mountOf is the volume (or bind source) mounted at target in s.
func mountOf(s types.ServiceConfig, target string) string {
	for _, v := range s.Volumes {
		if v.Target == target {
			return v.Source
		}
	}
	return ""
}

// A slawatch service's health check asks its own --listen port, and the
// Prometheus job of each exporter names the service and port it listens on.
func TestComposeHealthChecksAndScrapeTargets(t *testing.T) {
	p, _ := mustLoad(t)
	prom, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range p.Services {
		listen := flagValue(s.Command, "listen")
		if s.Build == nil || listen == "" {
			continue
		}
		_, port, _ := strings.Cut(listen, ":")
		test := strings.Join(s.HealthCheck.Test, " ")
		if !strings.Contains(test, "slawatch healthcheck http://127.0.0.1:"+port+"/-/healthy") {
			t.Errorf("%s: health check %q does not ask its --listen port %s", name, test, port)
		}
		target := name + ":" + port
		if ml := flagValue(s.Command, "metrics-listen"); ml != "" {
			_, mport, _ := strings.Cut(ml, ":")
			target = name + ":" + mport
		}
		if !strings.Contains(string(prom), `"`+target+`"`) {
			t.Errorf("prometheus.yml does not scrape %s", target)
		}
	}
	for _, target := range []string{"localhost:9090", "alertmanager:9093"} {
		if !strings.Contains(string(prom), `"`+target+`"`) {
			t.Errorf("prometheus.yml does not scrape %s", target)
		}
	}
}

// Grafana's provisioning path is the volume the two one-shots fill, from
// the committed provisioning; boards are mounted where the files say.
func TestComposeGrafanaWiring(t *testing.T) {
	p, _ := mustLoad(t)
	g, prov, setup := p.Services["grafana"], p.Services["grafana-provision"], p.Services["grafana-setup"]
	vol := mountOf(g, "/etc/grafana/provisioning")
	if vol == "" || mountOf(prov, flagValue(prov.Command, "to")) != vol || mountOf(setup, flagValue(setup.Command, "install-to")) != vol {
		t.Errorf("grafana's provisioning volume %q is not the one grafana-provision --to and grafana-setup --install-to write", vol)
	}
	for _, s := range []types.ServiceConfig{prov, setup} {
		from := flagValue(s.Command, "from") + flagValue(s.Command, "install-from")
		if src := mountOf(s, from); src != mustAbs(t, filepath.Join("..", provision.DefaultDir)) {
			t.Errorf("%s: %s is %q, want the committed %s", s.Name, from, src, provision.DefaultDir)
		}
	}
	if src := mountOf(g, provision.DefaultDashboardsPath); src != mustAbs(t, "../dashboards/generated") {
		t.Errorf("grafana: %s is %q, want dashboards/generated", provision.DefaultDashboardsPath, src)
	}
	u, _ := url.Parse(flagValue(setup.Command, "url"))
	if u == nil || u.Hostname() != "grafana" || !strings.Contains(strings.Join(g.HealthCheck.Test, " "), ":"+u.Port()+"/api/health") {
		t.Errorf("grafana-setup --url %v does not match grafana's health check", u)
	}
	if d, ok := setup.DependsOn["grafana"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Error("grafana-setup must wait for grafana to be healthy")
	}
	if d, ok := g.DependsOn["grafana-provision"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Error("grafana must start after grafana-provision has put the provider's files in place")
	}
	if p.Secrets["grafana_admin_password"].Environment != "GRAFANA_ADMIN_PASSWORD" {
		t.Error("the admin password secret must come from GRAFANA_ADMIN_PASSWORD")
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The Prometheus configuration, laid out as the container sees it (rules
// mounted beside it), passes promtool check config, rule files included.
func TestComposePrometheusConfig(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: install Debian's prometheus package, or run `make test`")
	}
	dir := t.TempDir()
	cfg, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	rules, _ := filepath.Abs("../rules/generated")
	if err := os.Symlink(rules, filepath.Join(dir, "rules")); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool, "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(rules, "*.yml"))
	if want := fmt.Sprintf("SUCCESS: %d rule files found", len(files)); len(files) == 0 || !strings.Contains(string(out), want) {
		t.Errorf("promtool did not check the %d generated rule files:\n%s", len(files), out)
	}
}

// The committed alertmanager.yml and the one compose's alertmanager-config
// writes (notifier at notify:9095) pass amtool check-config.
func TestComposeAlertmanagerConfig(t *testing.T) {
	amtool, err := exec.LookPath("amtool")
	if err != nil {
		t.Fatal("amtool not found: install Debian's prometheus-alertmanager package, or run `make test`")
	}
	p, cat := mustLoad(t)
	amc := p.Services["alertmanager-config"]
	data, err := alerting.GenerateAlertmanager(cat, alerting.AMConfig{NotifierURL: flagValue(amc.Command, "notifier-url")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "http://notify:9095/") {
		t.Error("compose's alertmanager.yml does not send to the notify service")
	}
	path := filepath.Join(t.TempDir(), "alertmanager.yml")
	os.WriteFile(path, data, 0o644)
	for _, f := range []string{path, "../alerting/generated/alertmanager.yml"} {
		if out, err := exec.Command(amtool, "check-config", f).CombinedOutput(); err != nil {
			t.Errorf("amtool check-config %s: %v\n%s", f, err, out)
		}
	}
	if mountOf(p.Services["alertmanager"], "/etc/alertmanager/config") != mountOf(amc, filepath.Dir(flagValue(amc.Command, "out"))) {
		t.Error("alertmanager does not read the volume alertmanager-config writes")
	}
}
