package linetest

import "github.com/slawatch/slawatch/internal/twilioapi"

// TwilioError is a failed attempt to place a call: what Twilio answered,
// if anything, and whether trying again may help (see twilioapi.Error).
// Its text never holds a phone number.
type TwilioError = twilioapi.Error
