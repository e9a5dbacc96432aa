package rules

import (
	"errors"
	"fmt"

	"github.com/prometheus/common/model"
)

// MailroomConfig tunes GenerateMailroomWith; DefaultMailroomConfig is what
// `slawatch generate rules` uses. The business units, regions and the
// third-week sample come from the catalogue, not from here.
type MailroomConfig struct {
	// HarmfulWindow: MailroomHarmfulItemLogged fires while
	// mailroom_harmful_items_total rose within this window.
	HarmfulWindow string
	// MissingFor: mailroom_daily_count_missing above 0 this long fires
	// MailroomDailyCountMissing (the gauge already waits for the count's
	// due time; this only rides over a count dropped at that minute).
	MissingFor string
	// Severity of both alerts: warning (posted to the duty managers'
	// channel, nobody paged) or critical / page (pages the provider's duty
	// manager at any hour).
	Severity string
}

// DefaultMailroomConfig: harmful items within 1h, missing count for 5m,
// severity warning.
func DefaultMailroomConfig() MailroomConfig {
	return MailroomConfig{HarmfulWindow: "1h", MissingFor: "5m", Severity: "warning"}
}

func (cfg MailroomConfig) validate() error {
	var errs []error
	for _, f := range []struct{ field, v string }{{"HarmfulWindow", cfg.HarmfulWindow}, {"MissingFor", cfg.MissingFor}} {
		if d, err := model.ParseDuration(f.v); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("mail-room rules config: %s %q is not a positive Prometheus duration (such as 5m, 1h)", f.field, f.v))
		}
	}
	switch cfg.Severity {
	case "warning", "critical", "page":
	default:
		errs = append(errs, fmt.Errorf("mail-room rules config: Severity %q; want warning, critical or page", cfg.Severity))
	}
	return errors.Join(errs...)
}
