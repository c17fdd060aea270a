package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

const readingColumns = "detector_id, at, seq, value, unit, fault"

// readingsQuery is one range of the readings primary key, already in order.
const readingsQuery = `SELECT at, value, unit, fault FROM readings
	WHERE detector_id = ? AND at >= ? AND at <= ? ORDER BY at, seq LIMIT ?`

// AppendReadings adds rs in one transaction: all or none. A reading is
// refused with ErrInvalid, naming its index, for an empty detector id, a
// zero time, a non-finite value, or text that is not UTF-8 or holds NUL.
// rs is not modified; an empty batch does nothing.
func (db *DB) AppendReadings(ctx context.Context, rs []store.Reading) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if len(rs) == 0 {
		return nil
	}
	for i, r := range rs {
		if err := checkReading(r); err != nil {
			return fmt.Errorf("sqlite: append readings: reading %d: %w", i, err)
		}
	}
	err := db.appendRows(ctx, "readings", readingColumns, len(rs), func(args []any, i int, seq int64) []any {
		r := &rs[i]
		return append(args, r.DetectorID, millis(r.At), seq, r.Value, r.Unit, r.Fault)
	})
	if err != nil {
		return fmt.Errorf("sqlite: append readings: %w", err)
	}
	return nil
}

func checkReading(r store.Reading) error {
	if err := checkID("detector id", r.DetectorID); err != nil {
		return err
	}
	if r.At.IsZero() {
		return fmt.Errorf("%w: reading without time", ErrInvalid)
	}
	if err := checkFinite("value", r.Value); err != nil {
		return err
	}
	return checkText(r.DetectorID, r.Unit)
}

// Readings returns detectorID's raw readings with At in [from, to] (bounds
// truncated to the millisecond), oldest first — equal times in append order
// — at most n of them (n ≤ 0: store.DefaultSeriesLimit). An empty
// detectorID is ErrInvalid.
func (db *DB) Readings(ctx context.Context, detectorID string, from, to time.Time, n int) ([]store.Reading, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	if err := checkID("detector id", detectorID); err != nil {
		return nil, fmt.Errorf("sqlite: readings: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, readingsQuery, detectorID, millis(from), millis(to), limit(n, store.DefaultSeriesLimit, 0))
	if err != nil {
		return nil, fmt.Errorf("sqlite: readings %q: %w", detectorID, err)
	}
	defer rows.Close()
	var rs []store.Reading
	for rows.Next() {
		r := store.Reading{DetectorID: detectorID}
		var at int64
		if err := rows.Scan(&at, &r.Value, &r.Unit, &r.Fault); err != nil {
			return nil, fmt.Errorf("sqlite: readings %q: %w", detectorID, err)
		}
		r.At = fromMillis(at)
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: readings %q: %w", detectorID, err)
	}
	return rs, nil
}
