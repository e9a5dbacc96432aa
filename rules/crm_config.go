package rules

import (
	"fmt"

	"github.com/prometheus/common/model"
)

// CRMConfig tunes GenerateCRMWith; DefaultCRMConfig is what GenerateCRM
// (and `slawatch generate rules`) uses. The deadlines and limits come from
// the catalogue, not from here.
type CRMConfig struct {
	// OverLimitWindow: CRMReferralDispatchOverLimit fires while a referral
	// over the limit was dispatched (stored) within this window, so each
	// late referral is seen for this long.
	OverLimitWindow string
}

// DefaultCRMConfig: an over-limit referral is shown for an hour.
func DefaultCRMConfig() CRMConfig { return CRMConfig{OverLimitWindow: "1h"} }

func (cfg CRMConfig) validate() error {
	if d, err := model.ParseDuration(cfg.OverLimitWindow); err != nil || d <= 0 {
		return fmt.Errorf("CRM rules config: OverLimitWindow %q is not a positive Prometheus duration (such as 1h)", cfg.OverLimitWindow)
	}
	return nil
}
