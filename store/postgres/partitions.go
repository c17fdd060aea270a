package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The history tables positions and readings are partitioned by range on
// their time column "at", one partition per UTC day named <table>_pYYYYMMDD
// (see migrations/0002_history.sql). Rows are always written to the parent
// table, which routes each to its day's partition, or to the DEFAULT
// partition when the day has none; making the partitions is therefore an
// optimisation that cannot lose rows.

const day = 24 * time.Hour

// Days with a partition of their own are those of years 1 to 9999, whose
// partition names have eight digits; rows of other days go to DEFAULT.
var (
	firstPartDay = dayOf(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	lastPartDay  = dayOf(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
)

// dayOf returns the UTC day of t, counted from 1970-01-01 (negative before).
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// dayStart returns the first instant of day d.
func dayStart(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

// partName returns the name of table's partition for day d.
func partName(table string, d int64) string {
	return table + "_p" + dayStart(d).Format("20060102")
}

// partDay parses a partition name made by partName.
func partDay(table, name string) (int64, bool) {
	digits, ok := strings.CutPrefix(name, table+"_p")
	if !ok || len(digits) != 8 {
		return 0, false
	}
	t, err := time.Parse("20060102", digits)
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

// partitions remembers the days that have a partition, per table, so that
// a write checks the catalog only for a day it has not seen. It is safe for
// concurrent use. The cache may be stale when another process drops a
// partition; rows of such a day then go to the DEFAULT partition.
type partitions struct {
	log   *slog.Logger
	mu    sync.Mutex
	known map[string]map[int64]bool // table → day → has a partition
}

func newPartitions(log *slog.Logger) *partitions {
	return &partitions{log: log, known: map[string]map[int64]bool{}}
}

// missing returns the days of ds that table is not known to have.
func (p *partitions) missing(table string, ds []int64) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int64
	for _, d := range ds {
		if !p.known[table][d] && d >= firstPartDay && d <= lastPartDay {
			out = append(out, d)
		}
	}
	return out
}

// remember records whether table has a partition for each day of ds.
func (p *partitions) remember(table string, has bool, ds ...int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.known[table] == nil {
		p.known[table] = map[int64]bool{}
	}
	for _, d := range ds {
		if has {
			p.known[table][d] = true
		} else {
			delete(p.known[table], d)
		}
	}
}

// partLock is the advisory lock that serialises creating and dropping the
// partitions of one table in the current schema.
const partLock = "SELECT pg_advisory_xact_lock(hashtextextended('chemtwin.partition:' || current_schema() || '.' || $1, 0))"

// ensure makes the partitions of table for the days ds (distinct) that it
// lacks, in one transaction on c.
func (p *partitions) ensure(ctx context.Context, c *pgx.Conn, table string, ds []int64) error {
	todo := p.missing(table, ds)
	if len(todo) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, partLock, table); err != nil {
			return err
		}
		for _, d := range todo {
			if err := p.create(ctx, tx, table, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("partitions of %s: %w", table, err)
	}
	p.remember(table, true, todo...)
	return nil
}

// create makes table's partition for day d unless it exists. When the
// DEFAULT partition already holds rows of that day the partition cannot be
// made; those rows and later ones of the day stay in DEFAULT.
func (p *partitions) create(ctx context.Context, tx pgx.Tx, table string, d int64) error {
	name := partName(table, d)
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", pgx.Identifier{name}.Sanitize()).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	bound := func(d int64) string { return "'" + dayStart(d).Format("2006-01-02") + " 00:00:00+00'" }
	q := fmt.Sprintf("CREATE TABLE %s PARTITION OF %s FOR VALUES FROM (%s) TO (%s)",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{table}.Sanitize(), bound(d), bound(d+1))
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error { // a savepoint
		_, err := sp.Exec(ctx, q)
		return err
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23514" { // check_violation: DEFAULT has rows of the day
		p.log.Warn("partition not created: the default partition holds rows of its day",
			"table", table, "partition", name)
		return nil
	}
	if err != nil {
		return err
	}
	p.log.Info("partition created", "table", table, "partition", name)
	return nil
}

// daysOf returns the distinct days of n times, at(i) for i in [0, n).
func daysOf(n int, at func(int) time.Time) []int64 {
	var ds []int64
	seen := map[int64]bool{}
	last := int64(-1 << 62)
	for i := range n {
		d := dayOf(at(i))
		if d == last { // a batch is mostly one day
			continue
		}
		last = d
		if !seen[d] {
			seen[d] = true
			ds = append(ds, d)
		}
	}
	return ds
}
