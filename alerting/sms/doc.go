// Package sms pages people by text message through Twilio (twilio-go) and
// handles Twilio's webhooks: delivery status callbacks and inbound replies
// (acknowledgement codes such as "12A", STOP and START).
//
// Text formats a Message for one 160-character GSM-7 segment. Sender
// implements alerting.Sender around twilio-go, adding what the library
// lacks: a context and timeout per call and retries of transient failures.
// Webhooks verifies the X-Twilio-Signature of each callback against the
// public URL Twilio was given and hands the result to an
// alerting.Responder. Phone numbers are personal data: they are sent to
// Twilio and passed to the Responder, never logged or put in errors.
package sms
