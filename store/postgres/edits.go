package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

// PutEdit stores a run-time scene edit, replacing the one of its id.
func (db *DB) PutEdit(ctx context.Context, e store.Edit) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckEdit(e); err != nil {
		return fmt.Errorf("postgres: put edit: %w", err)
	}
	if err := checkText(e.ID, e.Kind, string(e.Feature), e.By); err != nil {
		return fmt.Errorf("postgres: put edit: %w", err)
	}
	var feature *string
	if !e.Removed {
		f := string(e.Feature)
		feature = &f
	}
	const q = `INSERT INTO scene_edits (id, kind, feature, removed, at, by) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, feature = excluded.feature,
			removed = excluded.removed, at = excluded.at, by = excluded.by`
	if err := db.exec(ctx, q, e.ID, e.Kind, feature, e.Removed, ts(e.At), e.By); err != nil {
		return fmt.Errorf("postgres: put edit %q: %w", e.ID, storeErr(err))
	}
	return nil
}

// SceneEdits returns every edit, oldest first (ties by id).
func (db *DB) SceneEdits(ctx context.Context) ([]store.Edit, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	var es []store.Edit
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, "SELECT id, kind, feature, removed, at, by FROM scene_edits ORDER BY at, id")
		var err error
		es, err = collect(rows, func(row pgx.CollectableRow) (store.Edit, error) {
			var e store.Edit
			var feature *string
			err := row.Scan(&e.ID, &e.Kind, &feature, &e.Removed, &e.At, &e.By)
			if feature != nil {
				e.Feature = []byte(*feature)
			}
			e.At = fromTS(e.At)
			return e, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: scene edits: %w", err)
	}
	return es, nil
}
