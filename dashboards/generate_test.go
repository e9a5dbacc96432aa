package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/catalog"
)

const (
	exampleCatalog = "../examples/london-ooh.yaml"
	generatedDir   = "generated" // DefaultDir, seen from this package
)

func loadExample(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(exampleCatalog)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// committed reads every *.json under generated/ (paths relative to it).
func committed(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(generatedDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(generatedDir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const regenerate = "run `make generate` or `go run ./cmd/slawatch generate dashboards --catalog examples/london-ooh.yaml`"

// TestGoldenUpToDate: the committed boards are exactly what the example
// catalogue generates, and nothing else is in the folder.
func TestGoldenUpToDate(t *testing.T) {
	got, err := Generate(loadExample(t))
	if err != nil {
		t.Fatal(err)
	}
	have := committed(t)
	for _, name := range sortedKeys(got) {
		old, ok := have[name]
		switch {
		case !ok:
			t.Errorf("%s/%s is missing: %s", generatedDir, name, regenerate)
		case !bytes.Equal(old, got[name]):
			t.Errorf("%s/%s is stale (%s)", generatedDir, name, regenerate)
		}
	}
	for _, name := range sortedKeys(have) {
		if _, ok := got[name]; !ok {
			t.Errorf("%s/%s is not generated from the catalogue: %s (it removes stale boards)", generatedDir, name, regenerate)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	c := loadExample(t)
	a, err := Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		b, err := Generate(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("run %d: %d files, first run %d", i, len(b), len(a))
		}
		for n := range a {
			if !bytes.Equal(a[n], b[n]) {
				t.Errorf("run %d: %s differs from the first run", i, n)
			}
		}
	}
}

// expectedUID is the uid a board file must have (uids.go).
func expectedUID(c *catalog.Catalog, file string) (string, bool) {
	provider := map[string]string{
		"duty-manager.json":    UIDDutyManager,
		"service-option.json":  UIDServiceOption,
		"line-tests.json":      UIDLineTests,
		"lone-workers.json":    UIDLoneWorkers,
		"platform-health.json": UIDPlatform,
	}
	if dir, name := filepath.Split(file); dir == ProviderFolder+"/" {
		uid, ok := provider[name]
		return uid, ok
	}
	for _, id := range c.POIDs() {
		if file == POFolder(id)+"/po.json" {
			return POBoardUID(id), true
		}
	}
	return "", false
}

// rawPanel is a panel as the checks read it from the JSON.
type rawPanel struct {
	ID          *int            `json:"id"`
	Type        string          `json:"type"`
	Title       string          `json:"title"`
	Datasource  *rawDatasource  `json:"datasource"`
	FieldConfig *rawFieldConfig `json:"fieldConfig"`
	Targets     []struct {
		RefID      string         `json:"refId"`
		Datasource *rawDatasource `json:"datasource"`
	} `json:"targets"`
	Panels []rawPanel `json:"panels"`
}

type rawDatasource struct{ Type, UID string }

type rawFieldConfig struct {
	Defaults struct {
		Unit  string `json:"unit"`
		Links []struct {
			URL string `json:"url"`
		} `json:"links"`
	} `json:"defaults"`
}

type rawBoard struct {
	UID      string     `json:"uid"`
	Editable *bool      `json:"editable"`
	Panels   []rawPanel `json:"panels"`
	Links    []struct {
		URL string `json:"url"`
	} `json:"links"`
	Templating struct {
		List []struct {
			Name       string         `json:"name"`
			Datasource *rawDatasource `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

func flatten(ps []rawPanel) []rawPanel {
	var out []rawPanel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, flatten(p.Panels)...)
	}
	return out
}

// TestBoardsWellFormed: each board has its uid from uids.go, is read-only,
// has unique explicit panel ids, a unit on every panel, the slawatch
// datasource on every panel, target and variable.
func TestBoardsWellFormed(t *testing.T) {
	c := loadExample(t)
	files := committed(t)
	seen := map[string]string{}
	for _, name := range sortedKeys(files) {
		var b rawBoard
		if err := json.Unmarshal(files[name], &b); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if errs := checkBoard(c, name, b); len(errs) > 0 {
			for _, e := range errs {
				t.Errorf("%s: %s", name, e)
			}
		}
		if other, dup := seen[b.UID]; dup {
			t.Errorf("%s: uid %q also used by %s", name, b.UID, other)
		}
		seen[b.UID] = name
	}
	if len(files) != 5+len(c.POIDs()) {
		t.Errorf("%d boards, want 5 provider boards and one per PO (%d)", len(files), len(c.POIDs()))
	}
}

func checkBoard(c *catalog.Catalog, file string, b rawBoard) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if want, ok := expectedUID(c, file); !ok {
		bad("no uid in uids.go for this file")
	} else if b.UID != want {
		bad("uid %q, want %q (uids.go)", b.UID, want)
	}
	if b.Editable == nil || *b.Editable {
		bad("editable must be false")
	}
	ids := map[int]string{}
	for _, p := range flatten(b.Panels) {
		if p.ID == nil || *p.ID <= 0 {
			bad("panel %q has no explicit id", p.Title)
			continue
		}
		if other, dup := ids[*p.ID]; dup {
			bad("panel id %d used by %q and %q", *p.ID, other, p.Title)
		}
		ids[*p.ID] = p.Title
		if p.Type == "row" {
			continue
		}
		if p.FieldConfig == nil || p.FieldConfig.Defaults.Unit == "" {
			bad("panel %d %q has no unit", *p.ID, p.Title)
		}
		if !isSlawatch(p.Datasource) {
			bad("panel %d %q: datasource %+v, want prometheus %q", *p.ID, p.Title, p.Datasource, DatasourceUID)
		}
		if len(p.Targets) == 0 {
			bad("panel %d %q has no query", *p.ID, p.Title)
		}
		for _, tg := range p.Targets {
			if !isSlawatch(tg.Datasource) {
				bad("panel %d %q target %s: datasource %+v, want prometheus %q", *p.ID, p.Title, tg.RefID, tg.Datasource, DatasourceUID)
			}
		}
	}
	for _, v := range b.Templating.List {
		if !isSlawatch(v.Datasource) {
			bad("variable %s: datasource %+v, want prometheus %q", v.Name, v.Datasource, DatasourceUID)
		}
	}
	return errs
}

func isSlawatch(d *rawDatasource) bool {
	return d != nil && d.Type == "prometheus" && d.UID == DatasourceUID
}

// linkUID finds the board uid of a link's URL (/d/<uid>[/slug][?query]).
var linkUID = regexp.MustCompile(`^/d/([^/?]+)`)

// linkTemplates are the Grafana variables a link's uid may hold: the PO
// of a row or series, or the board's po variable. Each resolves to every
// PO of the catalogue.
var linkTemplates = []string{"${__data.fields.po}", "${__field.labels.po}", "${po}"}

// resolveLink lists the uids a link can point to.
func resolveLink(c *catalog.Catalog, url string) ([]string, error) {
	m := linkUID.FindStringSubmatch(url)
	if m == nil {
		return nil, fmt.Errorf("link %q is not a board link (/d/<uid>)", url)
	}
	uid := m[1]
	for _, tpl := range linkTemplates {
		if strings.Contains(uid, tpl) {
			var out []string
			for _, id := range c.POIDs() {
				out = append(out, strings.ReplaceAll(uid, tpl, id))
			}
			return out, nil
		}
	}
	if strings.Contains(uid, "$") {
		return nil, fmt.Errorf("link %q: uid holds a variable the check cannot resolve", url)
	}
	return []string{uid}, nil
}

// boardLinks are a board's header links and its panels' data links.
func boardLinks(b rawBoard) []string {
	var out []string
	for _, l := range b.Links {
		out = append(out, l.URL)
	}
	for _, p := range flatten(b.Panels) {
		if p.FieldConfig != nil {
			for _, l := range p.FieldConfig.Defaults.Links {
				out = append(out, l.URL)
			}
		}
	}
	return out
}

// TestLinksResolve: every link of a provider board leads to a board that
// exists (the provider's organisation holds them all); a PO board has no
// link (its organisation holds that board only).
func TestLinksResolve(t *testing.T) {
	c := loadExample(t)
	files := committed(t)
	boards := map[string]rawBoard{}
	uids := map[string]bool{}
	for name, data := range files {
		var b rawBoard
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		boards[name] = b
		uids[b.UID] = true
	}
	links := 0
	for _, name := range sortedKeys(files) {
		b := boards[name]
		ls := boardLinks(b)
		if !strings.HasPrefix(name, ProviderFolder+"/") {
			if len(ls) > 0 {
				t.Errorf("%s: a PO board must not link anywhere (its organisation has no other board): %v", name, ls)
			}
			continue
		}
		for _, l := range ls {
			links++
			targets, err := resolveLink(c, l)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			for _, uid := range targets {
				if !uids[uid] {
					t.Errorf("%s: link %q leads to uid %q, which no board has", name, l, uid)
				}
			}
		}
	}
	if links == 0 {
		t.Error("no links on the provider boards: the duty manager board must drill down")
	}
}

// TestChecksCatchBadBoards: the checks above fail on a board that breaks
// each rule, so their passing means something.
func TestChecksCatchBadBoards(t *testing.T) {
	c := loadExample(t)
	var b rawBoard
	err := json.Unmarshal([]byte(`{"uid":"slawatch-duty","editable":true,"panels":[
		{"id":1,"type":"stat","title":"no unit","datasource":{"type":"prometheus","uid":"slawatch"},"fieldConfig":{"defaults":{}},"targets":[{"refId":"A","datasource":{"type":"prometheus","uid":"slawatch"}}]},
		{"id":1,"type":"stat","title":"same id","datasource":{"type":"prometheus","uid":"other"},"fieldConfig":{"defaults":{"unit":"s"}},"targets":[{"refId":"A"}]}]}`), &b)
	if err != nil {
		t.Fatal(err)
	}
	errs := strings.Join(checkBoard(c, "provider/line-tests.json", b), "\n")
	for _, want := range []string{`uid "slawatch-duty", want "slawatch-linetests"`, "editable must be false", "has no unit", "panel id 1 used by", `datasource &{Type:prometheus UID:other}`, "target A: datasource <nil>"} {
		if !strings.Contains(errs, want) {
			t.Errorf("check missed %q; it said:\n%s", want, errs)
		}
	}
	for _, l := range []string{"/d/slawatch-po-${__data.fields.service_option}", "https://example.com/"} {
		if _, err := resolveLink(c, l); err == nil {
			t.Errorf("link %q accepted", l)
		}
	}
	if got, err := resolveLink(c, "/d/slawatch-po-${__data.fields.po}?orgId=1"); err != nil || len(got) != len(c.POIDs()) || got[0] != POBoardUID(c.POIDs()[0]) {
		t.Errorf("templated PO link resolved to %v, %v", got, err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
