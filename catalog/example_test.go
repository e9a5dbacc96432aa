package catalog

import (
	"testing"
	"time"
)

func loadExample(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load("../examples/london-ooh.yaml")
	if err != nil {
		t.Fatalf("example catalogue: %v", err)
	}
	return c
}

func TestExampleHasEveryMatrixOption(t *testing.T) {
	c := loadExample(t)
	if got := len(c.Organisations); got != 11 {
		t.Fatalf("organisations = %d, want 11", got)
	}
	total := 0
	for _, p := range c.Organisations {
		total += len(p.ServiceOptions)
	}
	// 169 R + 28 R-with-CR + 2 I cells in ../shared/reference/service-matrix.csv.
	if total != 199 {
		t.Errorf("service options across POs = %d, want 199 (every marked matrix cell)", total)
	}
}

func TestExampleStandards(t *testing.T) {
	c := loadExample(t)
	ealing, _ := c.PO("ealing")
	if tiers := ealing.TiersUsed(); len(tiers) != 2 || tiers[0] != "gold" || tiers[1] != "silver" {
		t.Errorf("ealing tiers = %v, want [gold silver]", tiers)
	}
	havering, _ := c.PO("havering")
	if s, _ := havering.Standard("silver"); s.TargetSeconds != 40 {
		t.Errorf("havering silver target = %d s, want the 40 s variant", s.TargetSeconds)
	}
	rbkc, _ := c.PO("rbkc")
	before := time.Date(2026, 11, 8, 23, 59, 0, 0, c.Location())
	after := time.Date(2026, 11, 9, 0, 0, 0, 0, c.Location())
	if s, _ := rbkc.StandardAt("parking", before); s.Tier != "silver" {
		t.Errorf("rbkc parking before change = %q, want silver", s.Tier)
	}
	if s, _ := rbkc.StandardAt("parking", after); s.Tier != "gold" {
		t.Errorf("rbkc parking after change = %q, want gold", s.Tier)
	}
}
