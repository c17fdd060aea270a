package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

// AppendRollups upserts per-minute rollups in one statement, all or none:
// a rollup for a (detector, minute) already stored — or earlier in rs — is
// merged into it: min of the mins, max of the maxes, sums and counts added,
// the unit the last written. A rollup is refused with ErrInvalid, naming
// its index, for an empty detector id, a Minute that is zero or not the
// start of a minute, a non-finite Min, Max or Sum, Min > Max, N < 1, or
// text that is not UTF-8 or holds NUL. An empty batch does nothing.
func (db *DB) AppendRollups(ctx context.Context, rs []store.Rollup) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if len(rs) == 0 {
		return nil
	}
	for i, r := range rs {
		if err := checkRollup(r); err != nil {
			return fmt.Errorf("postgres: append rollups: rollup %d: %w", i, err)
		}
	}
	ms := mergeRollups(rs)
	var (
		ids, units     = make([]string, len(ms)), make([]string, len(ms))
		minutes        = make([]time.Time, len(ms))
		mins, maxs, ss = make([]float64, len(ms)), make([]float64, len(ms)), make([]float64, len(ms))
		ns             = make([]int64, len(ms))
	)
	for i, r := range ms {
		ids[i], minutes[i], units[i] = r.DetectorID, r.Minute, r.Unit
		mins[i], maxs[i], ss[i], ns[i] = r.Min, r.Max, r.Sum, int64(r.N)
	}
	const q = `INSERT INTO rollups (detector_id, minute, min, max, sum, n, unit)
		SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[], $4::float8[],
			$5::float8[], $6::int8[], $7::text[])
		ON CONFLICT (detector_id, minute) DO UPDATE SET
			min = least(rollups.min, excluded.min), max = greatest(rollups.max, excluded.max),
			sum = rollups.sum + excluded.sum, n = rollups.n + excluded.n, unit = excluded.unit`
	if err := db.exec(ctx, q, ids, minutes, mins, maxs, ss, ns, units); err != nil {
		return fmt.Errorf("postgres: append rollups: %w", storeErr(err))
	}
	return nil
}

func checkRollup(r store.Rollup) error {
	if r.DetectorID == "" {
		return fmt.Errorf("%w: rollup without detector id", ErrInvalid)
	}
	if r.Minute.IsZero() || !r.Minute.Truncate(time.Minute).Equal(r.Minute) {
		return fmt.Errorf("%w: rollup minute %v is not the start of a minute", ErrInvalid, r.Minute)
	}
	if err := checkFinite("rollup min, max or sum", r.Min, r.Max, r.Sum); err != nil {
		return err
	}
	if r.N < 1 || r.Min > r.Max {
		return fmt.Errorf("%w: rollup of %d readings with min %v, max %v", ErrInvalid, r.N, r.Min, r.Max)
	}
	return checkText(r.DetectorID, r.Unit)
}

// mergeRollups returns rs with those of one (detector, minute) merged in
// slice order, sorted by detector and
// minute — so that concurrent upserts lock rows in one order and cannot
// deadlock, and an upsert never meets its own row twice.
func mergeRollups(rs []store.Rollup) []store.Rollup {
	type key struct {
		id string
		at int64
	}
	at := map[key]int{}
	var out []store.Rollup
	for _, r := range rs {
		r.Minute = r.Minute.UTC()
		k := key{r.DetectorID, r.Minute.UnixMilli()}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, r)
			continue
		}
		m := &out[i]
		m.Min, m.Max = min(m.Min, r.Min), max(m.Max, r.Max)
		m.Sum, m.N, m.Unit = m.Sum+r.Sum, m.N+r.N, r.Unit
	}
	slices.SortFunc(out, func(a, b store.Rollup) int {
		return cmp.Or(strings.Compare(a.DetectorID, b.DetectorID), a.Minute.Compare(b.Minute))
	})
	return out
}

// Series aggregates detectorID's rollups with Minute in [from, to] (bounds
// truncated to the millisecond) into buckets of step, oldest first. step
// must be a whole number of minutes, at least one, else ErrInvalid. Buckets
// are aligned to the Unix epoch (date_bin from 1970-01-01): a rollup's
// bucket starts at floor(Minute / step)·step — also before 1970 — so a
// window that does not start on a bucket boundary has a first bucket that
// starts before from and holds only the rollups inside the window. A
// bucket's Min and Max are the extremes of its rollups, N the sum of their
// counts, Avg the sum of their sums over N. Buckets without rollups are
// left out. An empty detectorID is ErrInvalid.
func (db *DB) Series(ctx context.Context, detectorID string, from, to time.Time, step time.Duration) ([]store.SeriesPoint, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	if step < time.Minute || step%time.Minute != 0 {
		return nil, fmt.Errorf("postgres: series: %w: step %v is not a whole number of minutes", ErrInvalid, step)
	}
	if detectorID == "" {
		return nil, fmt.Errorf("postgres: series: %w: empty detector id", ErrInvalid)
	}
	if checkText(detectorID) != nil {
		return nil, nil // no stored detector has this id
	}
	const q = `SELECT date_bin($4::bigint * interval '1 minute', minute, timestamptz '1970-01-01 00:00:00+00') AS bucket,
			min(min), max(max), sum(sum), sum(n)::bigint
		FROM rollups WHERE detector_id = $1 AND minute >= $2 AND minute <= $3
		GROUP BY bucket ORDER BY bucket`
	var ps []store.SeriesPoint
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, q, detectorID, ts(from), ts(to), int64(step/time.Minute))
		var err error
		ps, err = collect(rows, scanSeriesPoint)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: series of %q: %w", detectorID, storeErr(err))
	}
	return ps, nil
}

func scanSeriesPoint(row pgx.CollectableRow) (store.SeriesPoint, error) {
	var p store.SeriesPoint
	var sum float64
	var n int64
	err := row.Scan(&p.At, &p.Min, &p.Max, &sum, &n)
	p.At, p.N = fromTS(p.At), int(n)
	if n > 0 {
		p.Avg = sum / float64(n)
	}
	return p, err
}
