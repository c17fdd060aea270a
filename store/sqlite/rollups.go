package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// seriesQuery buckets one range of the rollups primary key by ?1
// milliseconds. SQLite's % keeps the dividend's sign: ((m % s) + s) % s is
// the floor remainder, also for minutes before 1970.
const seriesQuery = `SELECT minute - ((minute % ?1) + ?1) % ?1 AS bucket, min(min), max(max), sum(sum), sum(n)
	FROM rollups WHERE detector_id = ?2 AND minute >= ?3 AND minute <= ?4
	GROUP BY bucket ORDER BY bucket`

// AppendRollups adds rs in one transaction: all or none. A rollup for a
// (detector, minute) already stored — or earlier in rs — is merged into it:
// min of the mins, max of the maxes, sums and counts added, the unit the
// last written. A rollup is refused with ErrInvalid, naming its index, for
// an empty detector id, a Minute that is zero or not the start of a minute,
// a non-finite Min, Max or Sum, Min > Max, N < 1, or text that is not UTF-8
// or holds NUL. An empty batch does nothing.
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
			return fmt.Errorf("sqlite: append rollups: rollup %d: %w", i, err)
		}
	}
	if err := db.upsertRollups(ctx, rs); err != nil {
		return fmt.Errorf("sqlite: append rollups: %w", err)
	}
	return nil
}

func (db *DB) upsertRollups(ctx context.Context, rs []store.Rollup) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// In DO UPDATE SET, a bare column is the stored row's value.
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO rollups (detector_id, minute, min, max, sum, n, unit)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (detector_id, minute) DO UPDATE SET
			min = min(min, excluded.min), max = max(max, excluded.max),
			sum = sum + excluded.sum, n = n + excluded.n, unit = excluded.unit`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, r := range rs {
		if _, err := stmt.ExecContext(ctx, r.DetectorID, millis(r.Minute), r.Min, r.Max, r.Sum, r.N, r.Unit); err != nil {
			return fmt.Errorf("rollup %d: %w", i, storeErr(err))
		}
	}
	return tx.Commit()
}

func checkRollup(r store.Rollup) error {
	if err := checkID("detector id", r.DetectorID); err != nil {
		return err
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

// Series aggregates detectorID's rollups with Minute in [from, to] (bounds
// truncated to the millisecond) into buckets of step, oldest first. step
// must be a whole number of minutes, at least one, else ErrInvalid. Buckets
// are aligned to the Unix epoch: a rollup's bucket starts at
// floor(Minute / step)·step — also before 1970 — so a window that does not
// start on a bucket boundary has a first bucket that starts before from and
// holds only the rollups inside the window. A bucket's Min and Max are the
// extremes of its rollups, N the sum of their counts, Avg the sum of their
// sums over N. Buckets without rollups are left out. An empty detectorID is
// ErrInvalid.
func (db *DB) Series(ctx context.Context, detectorID string, from, to time.Time, step time.Duration) ([]store.SeriesPoint, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	if err := checkID("detector id", detectorID); err != nil {
		return nil, fmt.Errorf("sqlite: series: %w", err)
	}
	if step < time.Minute || step%time.Minute != 0 {
		return nil, fmt.Errorf("sqlite: series: %w: step %v is not a whole number of minutes ≥ 1 min", ErrInvalid, step)
	}
	rows, err := db.r.QueryContext(ctx, seriesQuery, step.Milliseconds(), detectorID, millis(from), millis(to))
	if err != nil {
		return nil, fmt.Errorf("sqlite: series %q: %w", detectorID, err)
	}
	defer rows.Close()
	var pts []store.SeriesPoint
	for rows.Next() {
		var p store.SeriesPoint
		var bucket int64
		var sum float64
		if err := rows.Scan(&bucket, &p.Min, &p.Max, &sum, &p.N); err != nil {
			return nil, fmt.Errorf("sqlite: series %q: %w", detectorID, err)
		}
		p.At, p.Avg = fromMillis(bucket), sum/float64(p.N)
		pts = append(pts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: series %q: %w", detectorID, err)
	}
	return pts, nil
}
