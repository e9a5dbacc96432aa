package crmsql

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/slawatch/slawatch/exporters/crm"
)

// deliver converts the rows and hands their events to the exporter. A row
// with an event time in the future (beyond now plus the clock skew, up to
// 24h ahead) ends the page: n rows were delivered and wait is true; that row
// is read again at the next poll. The exporter's error leaves the position
// unsaved (the rows are read again). Rejections are counted each time a row
// is read, and logged once per process with the table, key and column.
func (s *Source) deliver(ctx context.Context, t *Table, rows []pageRow, now time.Time) (n int, wait bool, err error) {
	limit, hold := now.Add(s.o.ClockSkew), now.Add(maxHold)
	var evs []crm.Event
	var origins []origin
	var rejected []crm.EventError
	for i, r := range rows {
		e, o, errs := t.convert(r.row, r.pos.key, s.o.Mapping.loc)
		if at, ok := future(e, limit, hold); ok {
			s.log.Debug("CRM row waits for its time", "table", t.Name, "row", t.item(r.pos.key), "at", at.Format(time.RFC3339))
			rows, wait = rows[:i], true
			break
		}
		evs, origins, rejected = append(evs, e...), append(origins, o...), append(rejected, errs...)
	}
	if len(evs) > 0 {
		res, err := s.o.Ingester.Ingest(ctx, Transport, s.o.Mapping.Source, evs)
		if err != nil {
			return 0, false, fmt.Errorf("ingest: %w", err)
		}
		for _, e := range res.Errors {
			n, err := strconv.Atoi(e.Item)
			if err != nil || n < 1 || n > len(origins) {
				s.log.Warn("CRM event rejected", "table", t.Name, "code", e.Code, "reason", e.Reason)
				continue
			}
			o := origins[n-1]
			s.logRejection(evs[n-1].ID, e, "CRM event rejected", "table", t.Name, "row", o.item, "type", o.ev.Type,
				"column", o.column(e.Field), "field", e.Field, "code", e.Code, "reason", e.Reason)
		}
		s.log.Debug("CRM rows read", "table", t.Name, "rows", len(rows), "events", len(evs),
			"accepted", res.Accepted, "duplicate", res.Duplicate, "rejected", res.Rejected)
	}
	if len(rejected) > 0 {
		s.o.Ingester.Reject(Transport, rejected...)
		for _, e := range rejected {
			s.logRejection(e.ID, e, "CRM event rejected", "table", t.Name, "row", e.Item, "field", e.Field, "code", e.Code, "reason", e.Reason)
		}
	}
	return len(rows), wait, nil
}

// future is the first time of evs after limit and not after hold: an
// event the exporter would refuse now, but whose time may come (a CRM
// clock ahead, local time read in the wrong zone). A time further ahead is
// a data error: the exporter rejects it.
func future(evs []crm.Event, limit, hold time.Time) (time.Time, bool) {
	for _, e := range evs {
		for _, at := range []time.Time{e.At, e.CallEndedAt} {
			if at.After(limit) && !at.After(hold) {
				return at, true
			}
		}
	}
	return time.Time{}, false
}

// logRejection logs a rejection at warning level the first time this
// process sees it (event id, code and field), and at debug level after:
// a rejected row is read again each time it is updated.
func (s *Source) logRejection(id string, e crm.EventError, msg string, args ...any) {
	k := id + "\x00" + e.Code + "\x00" + e.Field
	if _, ok := s.logged[k]; ok {
		s.log.Debug(msg, args...)
		return
	}
	if len(s.logged) >= maxRejectionsLogged {
		clear(s.logged)
	}
	s.logged[k] = struct{}{}
	s.log.Warn(msg, args...)
}
