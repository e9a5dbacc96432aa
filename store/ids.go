package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// ids are the dictionary ids of a batch's sources and series, with the ones
// learnt inside the batch's transaction kept apart until it commits (a
// rolled-back transaction may have created them).
type ids struct {
	sources    map[string]int64
	series     map[SeriesKey]int64
	newSources map[string]int64
	newSeries  map[SeriesKey]int64
}

// resolveIDs finds or creates the ids of the sources and series of calls
// inside tx, in sorted order so that concurrent PostgreSQL writers take
// their locks in the same order. src[i] and ser[i] receive the ids of
// calls[i]. s.mu is held.
func (s *Store) resolveIDs(ctx context.Context, tx *sql.Tx, calls []Call, src, ser []int64) (*ids, error) {
	in := &ids{sources: s.sourceIDs, series: s.seriesIDs}
	var missingSources []string
	var missingSeries []SeriesKey
	seenSrc := map[string]bool{}
	seenSer := map[SeriesKey]bool{}
	for i := range calls {
		c := &calls[i]
		if _, ok := in.sources[c.Source]; !ok && !seenSrc[c.Source] {
			seenSrc[c.Source] = true
			missingSources = append(missingSources, c.Source)
		}
		k := SeriesKey{c.PO, c.ServiceOption, c.AccessNumber, c.Standard}
		if _, ok := in.series[k]; !ok && !seenSer[k] {
			seenSer[k] = true
			missingSeries = append(missingSeries, k)
		}
	}
	if len(missingSources)+len(missingSeries) > 0 {
		in.newSources = make(map[string]int64, len(missingSources))
		in.newSeries = make(map[SeriesKey]int64, len(missingSeries))
		slices.Sort(missingSources)
		for _, name := range missingSources {
			id, err := s.dictID(ctx, tx, "sources", []string{"name"}, []any{name})
			if err != nil {
				return nil, fmt.Errorf("store: source %q: %w", name, err)
			}
			in.newSources[name] = id
		}
		slices.SortFunc(missingSeries, compareSeries)
		for _, k := range missingSeries {
			id, err := s.dictID(ctx, tx, "series", []string{"po", "service_option", "access_number", "standard"},
				[]any{k.PO, k.ServiceOption, k.AccessNumber, k.Standard})
			if err != nil {
				return nil, fmt.Errorf("store: series %+v: %w", k, err)
			}
			in.newSeries[k] = id
		}
	}
	// Consecutive calls mostly share a source, and often a series.
	var lastSrc string
	var lastSer SeriesKey
	var lastSrcID, lastSerID int64 = -1, -1
	for i := range calls {
		c := &calls[i]
		if lastSrcID < 0 || c.Source != lastSrc {
			lastSrc, lastSrcID = c.Source, in.source(c.Source)
		}
		src[i] = lastSrcID
		k := SeriesKey{c.PO, c.ServiceOption, c.AccessNumber, c.Standard}
		if lastSerID < 0 || k != lastSer {
			lastSer, lastSerID = k, in.seriesID(k)
		}
		ser[i] = lastSerID
	}
	return in, nil
}

func (in *ids) source(name string) int64 {
	if id, ok := in.sources[name]; ok {
		return id
	}
	return in.newSources[name]
}

func (in *ids) seriesID(k SeriesKey) int64 {
	if id, ok := in.series[k]; ok {
		return id
	}
	return in.newSeries[k]
}

// commit adds the ids learnt in a committed transaction to the cache.
// s.mu is held.
func (s *Store) commitIDs(in *ids) {
	for k, v := range in.newSources {
		s.sourceIDs[k] = v
	}
	for k, v := range in.newSeries {
		s.seriesIDs[k] = v
	}
}

// dictID returns the id of the row of table with cols = vals, adding it if
// missing. Another writer may add the same row at the same time: the
// unique constraint keeps one, and the SELECT (a new statement, so a new
// snapshot under PostgreSQL's READ COMMITTED) then sees it.
func (s *Store) dictID(ctx context.Context, tx *sql.Tx, table string, cols []string, vals []any) (int64, error) {
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	ins := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + ph + ") ON CONFLICT DO NOTHING"
	if _, err := tx.ExecContext(ctx, s.d.rebind(ins), vals...); err != nil {
		return 0, fmt.Errorf("add to %s: %w", table, err)
	}
	sel := "SELECT id FROM " + table + " WHERE " + strings.Join(cols, " = ? AND ") + " = ?"
	var id int64
	if err := tx.QueryRowContext(ctx, s.d.rebind(sel), vals...).Scan(&id); err != nil {
		return 0, fmt.Errorf("read id from %s: %w", table, err)
	}
	return id, nil
}

func compareSeries(a, b SeriesKey) int {
	return cmp.Or(strings.Compare(a.PO, b.PO), strings.Compare(a.ServiceOption, b.ServiceOption),
		strings.Compare(a.AccessNumber, b.AccessNumber), strings.Compare(a.Standard, b.Standard))
}

// seriesNames reads the whole series dictionary (a few hundred rows), for
// queries that group by series id.
func (s *Store) seriesNames(ctx context.Context) (map[int64]SeriesKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, po, service_option, access_number, standard FROM series`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]SeriesKey{}
	for rows.Next() {
		var id int64
		var k SeriesKey
		if err := rows.Scan(&id, &k.PO, &k.ServiceOption, &k.AccessNumber, &k.Standard); err != nil {
			return nil, err
		}
		out[id] = k
	}
	return out, rows.Err()
}
