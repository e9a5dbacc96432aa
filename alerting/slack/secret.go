package slack

import "github.com/slawatch/slawatch/internal/secret"

// Secret is a Slack token or signing secret: it never prints (see internal/secret).
type Secret = secret.Secret

// NewSecret wraps a value ("" gives the zero Secret).
func NewSecret(s string) Secret { return secret.New(s) }
