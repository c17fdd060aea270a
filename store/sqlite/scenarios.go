package sqlite

import (
	"context"
	"fmt"

	"github.com/chemtwin/chemtwin/store"
)

// PutScenario stores a what-if scenario, replacing the one of its id.
func (db *DB) PutScenario(ctx context.Context, sc store.Scenario) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckScenario(sc); err != nil {
		return fmt.Errorf("sqlite: put scenario: %w", err)
	}
	if err := checkText(sc.ID, sc.Name, sc.By, string(sc.Doc)); err != nil {
		return fmt.Errorf("sqlite: put scenario: %w", err)
	}
	const q = `INSERT INTO scenarios (id, name, by, created_at, doc) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, by = excluded.by,
			created_at = excluded.created_at, doc = excluded.doc`
	if _, err := db.w.ExecContext(ctx, q, sc.ID, sc.Name, sc.By, millis(sc.CreatedAt), string(sc.Doc)); err != nil {
		return fmt.Errorf("sqlite: put scenario %q: %w", sc.ID, storeErr(err))
	}
	return nil
}

// GetScenario returns one scenario with its document.
func (db *DB) GetScenario(ctx context.Context, id string) (store.Scenario, error) {
	if err := db.enter(); err != nil {
		return store.Scenario{}, err
	}
	defer db.leave()
	scs, err := db.scenarios(ctx, true, "SELECT id, name, by, created_at, doc FROM scenarios WHERE id = ?", id)
	if err == nil && len(scs) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Scenario{}, fmt.Errorf("sqlite: scenario %q: %w", id, err)
	}
	return scs[0], nil
}

// ListScenarios returns the newest scenarios first, without documents.
func (db *DB) ListScenarios(ctx context.Context, limit int) ([]store.Scenario, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	scs, err := db.scenarios(ctx, false, "SELECT id, name, by, created_at FROM scenarios ORDER BY created_at DESC, id LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: scenarios: %w", err)
	}
	return scs, nil
}

func (db *DB) scenarios(ctx context.Context, withDoc bool, q string, args ...any) ([]store.Scenario, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Scenario
	for rows.Next() {
		var sc store.Scenario
		var at int64
		var doc string
		dst := []any{&sc.ID, &sc.Name, &sc.By, &at}
		if withDoc {
			dst = append(dst, &doc)
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		sc.CreatedAt = fromMillis(at)
		if withDoc {
			sc.Doc = []byte(doc)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// DeleteScenario removes a scenario; store.ErrNotFound if there is none.
func (db *DB) DeleteScenario(ctx context.Context, id string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	res, err := db.w.ExecContext(ctx, "DELETE FROM scenarios WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("sqlite: delete scenario: %w", storeErr(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete scenario: %w", err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: delete scenario %q: %w", id, store.ErrNotFound)
	}
	return nil
}
