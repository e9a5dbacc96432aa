package testprom

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// readyWithin bounds Prometheus's start-up.
const readyWithin = 60 * time.Second

// configName is the configuration's file name in Prometheus's folder.
const configName = "prometheus.yml"

// Options are what a test's Prometheus runs on.
type Options struct {
	// Config is the content of prometheus.yml. Prometheus reads relative
	// paths in it (rule_files) from the folder it is written to, which
	// holds Files too.
	Config string
	// Files are more files written next to the configuration, by name
	// (rule files, say).
	Files map[string]string
	// Addr is the listen address; empty picks a free loopback port. Set it
	// when the configuration names Prometheus's own address.
	Addr string
	// Args are more command-line flags, e.g. --web.enable-admin-api.
	Args []string
}

// Prometheus is Debian's prometheus binary, running and ready.
type Prometheus struct {
	*Process
	// Addr is where it listens (host:port), and URL is http://Addr.
	Addr, URL string
}

// Start runs Debian's prometheus on opts, with its TSDB in a temporary
// folder, until the test ends (see StartProcess), and waits until its
// /-/ready answers. The test fails if prometheus is not installed, exits,
// or is not ready within 60 s.
func Start(t testing.TB, opts Options) *Prometheus {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatal("prometheus not found on PATH: install Debian's prometheus package (apt-get install prometheus, or `make deps`)")
	}
	if _, ok := opts.Files[configName]; ok {
		t.Fatalf("testprom: Files may not hold %s: that is Config", configName)
	}
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range opts.Files {
		write(name, data)
	}
	write(configName, opts.Config)
	addr := opts.Addr
	if addr == "" {
		addr = FreeAddr(t)
	}
	args := append([]string{"--config.file=" + filepath.Join(dir, configName),
		"--storage.tsdb.path=" + filepath.Join(dir, "tsdb"), "--web.listen-address=" + addr}, opts.Args...)
	p := &Prometheus{Process: StartProcess(t, "prometheus", bin, args...), Addr: addr, URL: "http://" + addr}
	if err := p.WaitReady(p.URL+"/-/ready", readyWithin); err != nil {
		t.Fatal(err)
	}
	return p
}
