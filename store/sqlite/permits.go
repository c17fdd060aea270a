package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// PutPermit stores a permit, replacing the one of its id.
func (db *DB) PutPermit(ctx context.Context, p store.PermitRecord) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckPermit(p); err != nil {
		return fmt.Errorf("sqlite: put permit: %w", err)
	}
	if err := checkText(p.ID, p.Type, p.Level, p.Status, string(p.Doc)); err != nil {
		return fmt.Errorf("sqlite: put permit: %w", err)
	}
	const q = `INSERT INTO permits (id, type, level, status, start_at, end_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, level = excluded.level, status = excluded.status,
			start_at = excluded.start_at, end_at = excluded.end_at, updated_at = excluded.updated_at, doc = excluded.doc`
	if _, err := db.w.ExecContext(ctx, q, p.ID, p.Type, p.Level, p.Status, millis(p.Start), millis(p.End), millis(p.UpdatedAt), string(p.Doc)); err != nil {
		return fmt.Errorf("sqlite: put permit %q: %w", p.ID, storeErr(err))
	}
	return nil
}

// GetPermit returns one permit.
func (db *DB) GetPermit(ctx context.Context, id string) (store.PermitRecord, error) {
	if err := db.enter(); err != nil {
		return store.PermitRecord{}, err
	}
	defer db.leave()
	ps, err := db.permits(ctx, "WHERE id = ?", []any{id}, 0)
	if err == nil && len(ps) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.PermitRecord{}, fmt.Errorf("sqlite: permit %q: %w", id, err)
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
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Type != "" {
		where, args = append(where, "type = ?"), append(args, f.Type)
	}
	if !f.Day.IsZero() {
		where, args = append(where, "start_at < ? AND end_at > ?"), append(args, millis(f.Day.Add(24*time.Hour)), millis(f.Day))
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	ps, err := db.permits(ctx, clause, args, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: permits: %w", err)
	}
	return ps, nil
}

func (db *DB) permits(ctx context.Context, where string, args []any, limit int) ([]store.PermitRecord, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.r.QueryContext(ctx, "SELECT id, type, level, status, start_at, end_at, updated_at, doc FROM permits "+
		where+" ORDER BY start_at, id LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PermitRecord
	for rows.Next() {
		var p store.PermitRecord
		var start, end, updated int64
		var doc string
		if err := rows.Scan(&p.ID, &p.Type, &p.Level, &p.Status, &start, &end, &updated, &doc); err != nil {
			return nil, err
		}
		p.Start, p.End, p.UpdatedAt, p.Doc = fromMillis(start), fromMillis(end), fromMillis(updated), []byte(doc)
		out = append(out, p)
	}
	return out, rows.Err()
}
