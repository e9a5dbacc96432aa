// Package twilioapi is the Twilio plumbing shared by the SMS sender and
// webhooks (alerting/sms) and the line-test dialer (exporters/linetest):
// what twilio-go lacks and both need.
//
// Client checks credentials and retry options and makes create requests
// (CreateMessage, CreateCall) with a context and timeout per attempt,
// against a base URL of our choosing, retrying transient failures (Create).
// Error classifies a failed attempt once: its HTTP status, Twilio error
// code and whether trying again may help. Verifier reads a webhook's form
// and checks its X-Twilio-Signature against the public URL Twilio was
// given. Phone numbers never reach a log line or an error text here.
package twilioapi
