package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// maxBatch is the most rows of one history batch: the rows of a batch are
// numbered n·2^24 + i (see migrations/0002_history.sql).
const maxBatch = 1 << 24

// copyHistory makes table's partitions for days, takes the batch's number
// n from the table's sequence and copies src(n·2^24) into the table.
func (db *DB) copyHistory(ctx context.Context, table string, days []int64, cols []string, src func(seq int64) pgx.CopyFromSource) error {
	return db.conn(ctx, func(c *pgx.Conn) error {
		if err := db.parts.ensure(ctx, c, table, days); err != nil {
			return storeErr(err)
		}
		var n int64
		if err := c.QueryRow(ctx, "SELECT nextval($1::regclass)", table+"_seq").Scan(&n); err != nil {
			return err
		}
		_, err := c.CopyFrom(ctx, pgx.Identifier{table}, cols, src(n*maxBatch))
		return storeErr(err)
	})
}

// checkBatch refuses a batch of more than maxBatch rows.
func checkBatch(n int) error {
	if n > maxBatch {
		return fmt.Errorf("%w: batch of %d rows, at most %d", ErrInvalid, n, maxBatch)
	}
	return nil
}
