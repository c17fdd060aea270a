package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// purgeChunk is how many rows one purge transaction deletes at most: about
// 0.1 s of work on a 2-core machine (measured: 60–130 ms per chunk of
// positions, 77 000 rows/s overall), so that purging a day of a year-old
// history never holds the write lock long enough to stall the recorder.
const purgeChunk = 10000

// purgeQueries delete the oldest rows of a kind older than ?1, at most ?2.
var purgeQueries = map[string]string{
	store.KindPositions: `DELETE FROM positions WHERE (entity_id, at, seq) IN
		(SELECT entity_id, at, seq FROM positions WHERE at < ?1 ORDER BY at LIMIT ?2)`,
	store.KindReadings: `DELETE FROM readings WHERE (detector_id, at, seq) IN
		(SELECT detector_id, at, seq FROM readings WHERE at < ?1 ORDER BY at LIMIT ?2)`,
	store.KindRollups: `DELETE FROM rollups WHERE (detector_id, minute) IN
		(SELECT detector_id, minute FROM rollups WHERE minute < ?1 ORDER BY minute LIMIT ?2)`,
}

// Purge deletes the rows of kind (store.KindPositions, KindReadings,
// KindRollups) whose time — At, or Minute for rollups — is before before
// (compared to the millisecond; rows at before stay) and reports how many
// went. It deletes in transactions of at most purgeChunk rows, so writers
// interleave with a long purge; if ctx ends midway, the rows deleted so far
// stay deleted and are counted. An unknown kind is ErrInvalid.
func (db *DB) Purge(ctx context.Context, kind string, before time.Time) (int64, error) {
	if err := db.enter(); err != nil {
		return 0, err
	}
	defer db.leave()
	q, ok := purgeQueries[kind]
	if !ok {
		return 0, fmt.Errorf("sqlite: purge: %w: unknown history kind %q", ErrInvalid, kind)
	}
	var total int64
	for {
		res, err := db.w.ExecContext(ctx, q, millis(before), db.purgeChunk)
		if err != nil {
			return total, fmt.Errorf("sqlite: purge %s: %w", kind, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("sqlite: purge %s: %w", kind, err)
		}
		total += n
		if n < int64(db.purgeChunk) {
			return total, nil
		}
	}
}

// insertChunk is how many rows one INSERT statement of appendRows carries:
// the driver's per-statement cost (argument conversion, a goroutine that
// watches the context) paid once per 100 rows instead of once per row.
const insertChunk = 100

// appendRows inserts n rows into table in one write transaction, up to
// insertChunk rows per statement. columns lists the table's columns, seq
// among them; row appends row i's values, in that order, to args. It
// reserves n sequence numbers from history_seq for the rows, growing in
// append order.
func (db *DB) appendRows(ctx context.Context, table, columns string, n int,
	row func(args []any, i int, seq int64) []any) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var first int64
	const reserve = "UPDATE history_seq SET next = next + ?1 WHERE kind = ?2 RETURNING next - ?1"
	if err := tx.QueryRowContext(ctx, reserve, n, table).Scan(&first); err != nil {
		return fmt.Errorf("sequence: %w", err)
	}
	width := strings.Count(columns, ",") + 1
	args := make([]any, 0, min(n, insertChunk)*width)
	var stmt *sql.Stmt
	for start := 0; start < n; start += insertChunk {
		k := min(insertChunk, n-start)
		if stmt == nil || k < insertChunk {
			if stmt != nil {
				stmt.Close()
			}
			if stmt, err = tx.PrepareContext(ctx, insertStatement(table, columns, width, k)); err != nil {
				return err
			}
			defer stmt.Close()
		}
		args = args[:0]
		for i := start; i < start+k; i++ {
			args = row(args, i, first+int64(i))
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("rows %d to %d: %w", start, start+k-1, storeErr(err))
		}
	}
	return tx.Commit()
}

// insertStatement is INSERT INTO table (columns) VALUES (?, …), … for k rows.
func insertStatement(table, columns string, width, k int) string {
	var b strings.Builder
	group := "(" + strings.Repeat("?, ", width-1) + "?)"
	b.Grow(len(table) + len(columns) + k*(len(group)+2) + 32)
	b.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
	for i := range k {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(group)
	}
	return b.String()
}

// checkFinite refuses a NaN or infinite number (SQLite would store NaN as
// NULL, PostgreSQL would keep it and poison every aggregate).
func checkFinite(what string, vs ...float64) error {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s %v is not finite", ErrInvalid, what, v)
		}
	}
	return nil
}

// checkID refuses an empty key.
func checkID(what, id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty %s", ErrInvalid, what)
	}
	return nil
}
