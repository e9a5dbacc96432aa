package sms

import "github.com/slawatch/slawatch/internal/twilioapi"

// Error is a failed attempt to send: what Twilio answered, if anything,
// and whether trying again may help (see twilioapi.Error). Its text never
// holds the phone number.
type Error = twilioapi.Error

// Twilio error codes that decide what to do.
const (
	CodeAuthenticate    = twilioapi.CodeAuthenticate
	CodeNotFound        = twilioapi.CodeNotFound
	CodeTooManyRequests = twilioapi.CodeTooManyRequests
	CodeInvalidTo       = twilioapi.CodeInvalidTo
	CodeNoPermission    = twilioapi.CodeNoPermission
	CodeBodyRequired    = twilioapi.CodeBodyRequired
	CodeNotSMSCapable   = twilioapi.CodeNotSMSCapable
	CodeUnsubscribed    = twilioapi.CodeUnsubscribed
	CodeCannotRoute     = twilioapi.CodeCannotRoute
	CodeNotMobile       = twilioapi.CodeNotMobile
)
