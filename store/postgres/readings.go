package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

var readingColumns = []string{"seq", "detector_id", "at", "value", "unit", "fault"}

// AppendReadings adds rs with one COPY into the partitioned readings table,
// all or none, after making the partitions of the days it covers. A
// reading is refused with ErrInvalid, naming its index, for an empty
// detector id, a zero time, a non-finite value, or text that is not UTF-8
// or holds NUL. rs is not modified; an empty batch does nothing.
func (db *DB) AppendReadings(ctx context.Context, rs []store.Reading) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if len(rs) == 0 {
		return nil
	}
	if err := checkBatch(len(rs)); err != nil {
		return fmt.Errorf("postgres: append readings: %w", err)
	}
	for i, r := range rs {
		if err := checkReading(r); err != nil {
			return fmt.Errorf("postgres: append readings: reading %d: %w", i, err)
		}
	}
	days := daysOf(len(rs), func(i int) time.Time { return ts(rs[i].At) })
	src := func(seq int64) pgx.CopyFromSource {
		row := make([]any, len(readingColumns)) // COPY encodes each row before asking for the next
		return pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
			r := rs[i]
			row[0], row[1], row[2], row[3], row[4], row[5] = seq+int64(i), r.DetectorID, ts(r.At), r.Value, r.Unit, r.Fault
			return row, nil
		})
	}
	if err := db.copyHistory(ctx, "readings", days, readingColumns, src); err != nil {
		return fmt.Errorf("postgres: append readings: %w", err)
	}
	return nil
}

func checkReading(r store.Reading) error {
	if r.DetectorID == "" {
		return fmt.Errorf("%w: reading without detector id", ErrInvalid)
	}
	if r.At.IsZero() {
		return fmt.Errorf("%w: reading without time", ErrInvalid)
	}
	if err := checkFinite("value", r.Value); err != nil {
		return err
	}
	return checkText(r.DetectorID, r.Unit)
}

// Readings returns one detector's raw readings with At in [from, to]
// (bounds truncated to the millisecond), oldest first — equal times in
// append order — at most limit rows (≤ 0: store.DefaultSeriesLimit). An
// empty detectorID is ErrInvalid.
func (db *DB) Readings(ctx context.Context, detectorID string, from, to time.Time, limit int) ([]store.Reading, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	if detectorID == "" {
		return nil, fmt.Errorf("postgres: readings: %w: empty detector id", ErrInvalid)
	}
	if checkText(detectorID) != nil {
		return nil, nil // no stored detector has this id
	}
	if limit <= 0 {
		limit = store.DefaultSeriesLimit
	}
	const q = `SELECT detector_id, at, value, unit, fault FROM readings
		WHERE detector_id = $1 AND at >= $2 AND at <= $3 ORDER BY at, seq LIMIT $4`
	var rs []store.Reading
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, q, detectorID, ts(from), ts(to), limit)
		var err error
		rs, err = collect(rows, func(row pgx.CollectableRow) (store.Reading, error) {
			var r store.Reading
			err := row.Scan(&r.DetectorID, &r.At, &r.Value, &r.Unit, &r.Fault)
			r.At = fromTS(r.At)
			return r, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: readings of %q: %w", detectorID, storeErr(err))
	}
	return rs, nil
}
