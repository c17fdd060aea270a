package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/chemtwin/chemtwin/store"
)

// PutEdit stores a run-time scene edit, replacing the one of its id.
func (db *DB) PutEdit(ctx context.Context, e store.Edit) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckEdit(e); err != nil {
		return fmt.Errorf("sqlite: put edit: %w", err)
	}
	if err := checkText(e.ID, e.Kind, string(e.Feature), e.By); err != nil {
		return fmt.Errorf("sqlite: put edit: %w", err)
	}
	var feature any
	if !e.Removed {
		feature = string(e.Feature)
	}
	const q = `INSERT INTO scene_edits (id, kind, feature, removed, at, by) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, feature = excluded.feature,
			removed = excluded.removed, at = excluded.at, by = excluded.by`
	if _, err := db.w.ExecContext(ctx, q, e.ID, e.Kind, feature, e.Removed, millis(e.At), e.By); err != nil {
		return fmt.Errorf("sqlite: put edit %q: %w", e.ID, storeErr(err))
	}
	return nil
}

// SceneEdits returns every edit, oldest first (ties by id).
func (db *DB) SceneEdits(ctx context.Context) ([]store.Edit, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	rows, err := db.r.QueryContext(ctx, "SELECT id, kind, feature, removed, at, by FROM scene_edits ORDER BY at, id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: scene edits: %w", err)
	}
	defer rows.Close()
	var es []store.Edit
	for rows.Next() {
		var e store.Edit
		var feature sql.NullString
		var at int64
		if err := rows.Scan(&e.ID, &e.Kind, &feature, &e.Removed, &at, &e.By); err != nil {
			return nil, fmt.Errorf("sqlite: scene edits: %w", err)
		}
		if feature.Valid {
			e.Feature = []byte(feature.String)
		}
		e.At = fromMillis(at)
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: scene edits: %w", err)
	}
	return es, nil
}
