// Package alerting turns alerts into pages that reach a person. This first
// part generates Alertmanager's configuration from the catalogue
// (GenerateAlertmanager, WriteAlertmanager): routes by po and severity,
// time intervals from each PO's hours of service, inhibition rules and
// receivers that all point at the slawatch notifier.
package alerting
