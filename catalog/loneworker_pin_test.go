package catalog_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/catalog"
)

func TestOfficerByPIN(t *testing.T) {
	cat, err := catalog.Load(filepath.Join("..", "examples", "london-ooh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, po, groups, ok := cat.OfficerByPIN("246810")
	if !ok || p.ID != "haringey-eo-1" || po != "haringey" || strings.Join(groups, ",") != "enforcement,anti_social_behaviour" {
		t.Fatalf("OfficerByPIN(demo PIN) = %s %s %v %v; want haringey-eo-1 of haringey in enforcement,anti_social_behaviour", p.ID, po, groups, ok)
	}
	for _, pin := range []string{"", "246811", "24681", "haringey-eo-1:246810"} {
		if p, _, _, ok := cat.OfficerByPIN(pin); ok {
			t.Errorf("OfficerByPIN(%q) found %s; want nobody", pin, p.ID)
		}
	}
	if got := catalog.PINHash("haringey-eo-1", "246810"); got != "c501dc0a17158e357d2fa00e0c7110aed0793ef7e9fb2424b89da79e4eb42a32" {
		t.Errorf("PINHash = %s; want the SHA-256 of \"haringey-eo-1:246810\"", got)
	}
}
