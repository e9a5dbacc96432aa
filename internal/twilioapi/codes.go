package twilioapi

import "fmt"

// Twilio error codes that decide what to do.
const (
	CodeAuthenticate    = 20003
	CodeNotFound        = 20404
	CodeTooManyRequests = 20429
	CodeInvalidTo       = 21211
	CodeNoPermission    = 21408
	CodeBodyRequired    = 21602
	CodeNotSMSCapable   = 21606
	CodeUnsubscribed    = 21610
	CodeCannotRoute     = 21612
	CodeNotMobile       = 21614
)

// codeText says what Twilio's error codes mean, in our words: those of
// the Messages and Calls APIs (Twilio's codes are unique across APIs).
var codeText = map[int]string{
	CodeAuthenticate:    "authentication failed: check the account SID and auth token",
	CodeNotFound:        "no such resource: check the account SID",
	CodeTooManyRequests: "too many requests",
	20500:               "Twilio internal error",
	20503:               "Twilio service unavailable",
	21201:               "no 'To' number given",
	21205:               "no TwiML or Url given",
	21210:               "the 'From' number is not a verified caller ID of the account",
	CodeInvalidTo:       "the 'To' number is not a valid phone number",
	21212:               "the 'From' number is not a valid phone number",
	21213:               "no 'From' number given",
	21214:               "the 'To' number cannot be reached",
	21215:               "the account's geo permissions do not allow calling that number",
	21216:               "the account is not allowed to call that number",
	21217:               "the 'To' number does not appear to be a valid phone number",
	CodeNoPermission:    "the account has no permission to send to that region",
	CodeBodyRequired:    "the message body is empty",
	CodeNotSMSCapable:   "the 'From' number cannot send SMS for this account",
	CodeUnsubscribed:    "the recipient has replied STOP (unsubscribed)",
	CodeCannotRoute:     "the 'To' number cannot be reached by SMS",
	CodeNotMobile:       "the 'To' number is not a mobile number",
	30001:               "queue overflow",
	30002:               "account suspended",
	30003:               "unreachable destination handset",
	30004:               "message blocked",
	30005:               "unknown destination handset",
	30006:               "landline or unreachable carrier",
	30007:               "message filtered by the carrier",
	30008:               "unknown error",
}

// Describe says what a Twilio error code means, or where Twilio documents
// it when we have no words for it.
func Describe(code int) string {
	if t, ok := codeText[code]; ok {
		return t
	}
	return fmt.Sprintf("see https://www.twilio.com/docs/errors/%d", code)
}
