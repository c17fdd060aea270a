package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

// PutPermit stores a permit, replacing the one of its id.
func (db *DB) PutPermit(ctx context.Context, p store.PermitRecord) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckPermit(p); err != nil {
		return fmt.Errorf("postgres: put permit: %w", err)
	}
	if err := checkText(p.ID, p.Type, p.Level, p.Status, string(p.Doc)); err != nil {
		return fmt.Errorf("postgres: put permit: %w", err)
	}
	const q = `INSERT INTO permits (id, type, level, status, start_at, end_at, updated_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, level = excluded.level, status = excluded.status,
			start_at = excluded.start_at, end_at = excluded.end_at, updated_at = excluded.updated_at, doc = excluded.doc`
	if err := db.exec(ctx, q, p.ID, p.Type, p.Level, p.Status, ts(p.Start), ts(p.End), ts(p.UpdatedAt), string(p.Doc)); err != nil {
		return fmt.Errorf("postgres: put permit %q: %w", p.ID, storeErr(err))
	}
	return nil
}

// GetPermit returns one permit.
func (db *DB) GetPermit(ctx context.Context, id string) (store.PermitRecord, error) {
	if err := db.enter(); err != nil {
		return store.PermitRecord{}, err
	}
	defer db.leave()
	var ps []store.PermitRecord
	err := checkKey(id)
	if err == nil {
		ps, err = db.permits(ctx, "WHERE id = $1", []any{id}, 0)
	}
	if err == nil && len(ps) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.PermitRecord{}, fmt.Errorf("postgres: permit %q: %w", id, storeErr(err))
	}
	return ps[0], nil
}

// ListPermits returns the permits f selects, by start then id.
func (db *DB) ListPermits(ctx context.Context, f store.PermitFilter) ([]store.PermitRecord, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	for _, c := range []struct{ col, v string }{{"status", f.Status}, {"type", f.Type}} {
		if c.v != "" {
			if checkKey(c.v) != nil {
				return nil, nil // text no permit can hold
			}
			where = append(where, c.col+" = "+arg(c.v))
		}
	}
	if !f.Day.IsZero() {
		where = append(where, "start_at < "+arg(ts(f.Day.Add(24*time.Hour)))+" AND end_at > "+arg(ts(f.Day)))
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	ps, err := db.permits(ctx, clause, args, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: permits: %w", err)
	}
	return ps, nil
}

func (db *DB) permits(ctx context.Context, where string, args []any, limit int) ([]store.PermitRecord, error) {
	q := "SELECT id, type, level, status, start_at, end_at, updated_at, doc FROM permits " + where + " ORDER BY start_at, id"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []store.PermitRecord
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, q, args...)
		var err error
		out, err = collect(rows, func(row pgx.CollectableRow) (store.PermitRecord, error) {
			var p store.PermitRecord
			var doc string
			if err := row.Scan(&p.ID, &p.Type, &p.Level, &p.Status, &p.Start, &p.End, &p.UpdatedAt, &doc); err != nil {
				return p, err
			}
			p.Start, p.End, p.UpdatedAt, p.Doc = fromTS(p.Start), fromTS(p.End), fromTS(p.UpdatedAt), []byte(doc)
			return p, nil
		})
		return err
	})
	return out, err
}
