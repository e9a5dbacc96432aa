package alerting

import (
	"testing"

	"github.com/prometheus/alertmanager/config"
)

// loadAM parses generated YAML with Alertmanager's own config loader (the
// v0.31 Go packages the embedded engine routes with).
func loadAM(t testing.TB, data []byte) *config.Config {
	t.Helper()
	cfg, err := config.Load(string(data))
	if err != nil {
		t.Fatalf("alertmanager config.Load: %v", err)
	}
	return cfg
}
