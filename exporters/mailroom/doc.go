// Package mailroom is the mail-room exporter (SPEC.md "Mail room"): the
// daily and monthly count files a government mail room drops in a folder,
// and the item events its scanners and sorting stations push over HTTP,
// written once into the event store (files by the SHA-256 of their bytes,
// items by their source id) and exported as the mailroom_* metrics of the
// metric contract, restored from the store at start.
//
// A count file is all or nothing: one malformed row, or one business unit
// or region the catalogue does not know, rejects the whole file with a
// reason naming the line and column, because a partial file would make
// the exact daily and monthly totals wrong. A file is moved to done/ or
// rejected/ only after the store has committed it, so a crash in between
// processes it again and the hash finds it. docs/MAILROOM.md is the
// operator's guide: file format, API, metrics, alerts and corrections.
package mailroom
