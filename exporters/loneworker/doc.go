// Package loneworker is the lone-worker support service (SPEC.md,
// "Lone-worker support"): an on-call officer checks in before a visit, and
// if they have not checked out by the deadline an alarm pages the staff
// group's escalation policy through the notifier's pager.
//
// Safety comes first, so the timers and the escalation run here, in the
// application, not in Prometheus rules. Every session and action is in the
// event store before the caller hears it was taken (store.CheckIn and
// friends); the service keeps no state of its own that matters:
//
//   - Tick claims due reminders and alarms in the store (exactly once across
//     processes) and then reconciles: every overdue session has one firing
//     incident (raised with the deadline as its start, so two instances on
//     one PostgreSQL open one incident), every incident of a closed session
//     is resolved (everyone paged is told), and an acknowledgement on either
//     side (the page, or the session) is carried to the other.
//   - Because that reconciliation is level-triggered, a crash at any point
//     (after a claim, before the page; after a check-out, before the
//     resolve) is repaired by the next tick of any instance, and a deadline
//     that passed while the service was down escalates on its first tick.
//
// Check-ins, check-outs, extensions and acknowledgements come from the
// authenticated HTTP API, Twilio voice and SMS webhooks, and the duty
// manager's console (`slawatch loneworker`); all go through Service's
// methods, which validate against the catalogue.
//
// Metrics are counts by po and staff_group only (loneworker_*): never an
// officer, a phone number or a location.
package loneworker
