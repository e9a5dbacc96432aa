package sms

import "github.com/slawatch/slawatch/internal/secret"

// Secret is a Twilio auth token: it never prints (see internal/secret).
type Secret = secret.Secret

// NewSecret wraps a value ("" gives the zero Secret).
func NewSecret(s string) Secret { return secret.New(s) }
