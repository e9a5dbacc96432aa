package twilioapi

import (
	"strings"
	"testing"

	"github.com/slawatch/slawatch/internal/secret"
)

func secretOf(s string) secret.Secret { return secret.New(s) }

func TestNewClientErrors(t *testing.T) {
	ok := Config{AccountSID: "AC123", AuthToken: secretOf("tok")}
	tests := []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.AccountSID = "" }, "AccountSID must be a Twilio account SID"},
		{func(c *Config) { c.AccountSID = "AC 1" }, "AccountSID must be"},
		{func(c *Config) { c.AuthToken = secret.Secret{} }, "AuthToken must be"},
		{func(c *Config) { c.AuthToken = secretOf("s3cr:t") }, "AuthToken must be"},
		{func(c *Config) { c.BaseURL = "api.twilio.com" }, `BaseURL "api.twilio.com" must be an absolute http(s) URL`},
		{func(c *Config) { c.Backoff = -1 }, "must not be negative"},
	}
	for _, tc := range tests {
		c := ok
		tc.edit(&c)
		_, err := NewClient(c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewClient(%+v) = %v, want %q", c, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr:t") {
			t.Errorf("error leaks the token: %v", err)
		}
	}
	c, err := NewClient(ok)
	if err != nil {
		t.Fatalf("NewClient(valid) = %v", err)
	}
	if got := c.Config(); got.BaseURL != DefaultBaseURL || got.Timeout != DefaultTimeout || got.Attempts != DefaultAttempts || got.Backoff != DefaultBackoff {
		t.Errorf("defaults = %+v", got)
	}
}
