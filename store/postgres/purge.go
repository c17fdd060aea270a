package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

// Purge deletes the rows of one kind older than before (At or Minute
// strictly before it) and reports how many went. For positions and
// readings it drops the day partitions that end at or before before — each
// counted, then dropped, in a transaction of its own — and deletes the
// older rows of the partition that straddles before and of the DEFAULT
// partition.
func (db *DB) Purge(ctx context.Context, kind string, before time.Time) (int64, error) {
	if err := db.enter(); err != nil {
		return 0, err
	}
	defer db.leave()
	var n int64
	var err error
	switch kind {
	case store.KindPositions, store.KindReadings:
		n, err = db.purgePartitioned(ctx, kind, ts(before))
	case store.KindRollups:
		n, err = db.execN(ctx, "DELETE FROM rollups WHERE minute < $1", ts(before))
	default:
		return 0, fmt.Errorf("postgres: purge: %w: unknown kind %q", ErrInvalid, kind)
	}
	if err != nil {
		return n, fmt.Errorf("postgres: purge %s: %w", kind, storeErr(err))
	}
	return n, nil
}

// purgePartitioned purges table, named like its kind.
func (db *DB) purgePartitioned(ctx context.Context, table string, before time.Time) (int64, error) {
	var total int64
	err := db.conn(ctx, func(c *pgx.Conn) error {
		old, err := oldPartitions(ctx, c, table, before)
		if err != nil {
			return err
		}
		for _, d := range old {
			n, err := db.dropPartition(ctx, c, table, d)
			if err != nil {
				return err
			}
			total += n
		}
		// Partition pruning limits this to the partition that straddles
		// before and the DEFAULT one.
		tag, err := c.Exec(ctx, "DELETE FROM "+pgx.Identifier{table}.Sanitize()+" WHERE at < $1", before)
		total += tag.RowsAffected()
		return err
	})
	return total, err
}

// oldPartitions lists the days of table's partitions that end at or
// before before.
func oldPartitions(ctx context.Context, c *pgx.Conn, table string, before time.Time) ([]int64, error) {
	const q = `SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = $1::regclass`
	rows, _ := c.Query(ctx, q, pgx.Identifier{table}.Sanitize())
	names, err := collect(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	var old []int64
	for _, name := range names {
		if d, ok := partDay(table, name); ok && !dayStart(d+1).After(before) {
			old = append(old, d)
		}
	}
	return old, nil
}

// dropPartition counts the rows of table's partition for day d and drops
// it. The SHARE lock taken first keeps writers out between the count and
// the drop.
func (db *DB) dropPartition(ctx context.Context, c *pgx.Conn, table string, d int64) (int64, error) {
	name := pgx.Identifier{partName(table, d)}.Sanitize()
	var n int64
	err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, partLock, table); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&exists); err != nil || !exists {
			return err // dropped meanwhile by another purge
		}
		if _, err := tx.Exec(ctx, "LOCK TABLE "+name+" IN SHARE MODE"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+name).Scan(&n); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DROP TABLE "+name)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("drop partition %s: %w", name, err)
	}
	db.parts.remember(table, false, d)
	db.log.Info("partition dropped", "table", table, "partition", partName(table, d), "rows", n)
	return n, nil
}
