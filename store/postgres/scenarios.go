package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

// PutScenario stores a what-if scenario, replacing the one of its id.
func (db *DB) PutScenario(ctx context.Context, sc store.Scenario) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckScenario(sc); err != nil {
		return fmt.Errorf("postgres: put scenario: %w", err)
	}
	if err := checkText(sc.ID, sc.Name, sc.By, string(sc.Doc)); err != nil {
		return fmt.Errorf("postgres: put scenario: %w", err)
	}
	const q = `INSERT INTO scenarios (id, name, by, created_at, doc) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, by = excluded.by,
			created_at = excluded.created_at, doc = excluded.doc`
	if err := db.exec(ctx, q, sc.ID, sc.Name, sc.By, ts(sc.CreatedAt), string(sc.Doc)); err != nil {
		return fmt.Errorf("postgres: put scenario %q: %w", sc.ID, storeErr(err))
	}
	return nil
}

// GetScenario returns one scenario with its document.
func (db *DB) GetScenario(ctx context.Context, id string) (store.Scenario, error) {
	if err := db.enter(); err != nil {
		return store.Scenario{}, err
	}
	defer db.leave()
	var scs []store.Scenario
	err := checkKey(id)
	if err == nil {
		scs, err = db.scenarios(ctx, true, "SELECT id, name, by, created_at, doc FROM scenarios WHERE id = $1", id)
	}
	if err == nil && len(scs) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Scenario{}, fmt.Errorf("postgres: scenario %q: %w", id, storeErr(err))
	}
	return scs[0], nil
}

// ListScenarios returns the newest scenarios first, without documents.
func (db *DB) ListScenarios(ctx context.Context, limit int) ([]store.Scenario, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	q, args := "SELECT id, name, by, created_at FROM scenarios ORDER BY created_at DESC, id", []any{}
	if limit > 0 {
		q, args = q+" LIMIT $1", append(args, limit)
	}
	scs, err := db.scenarios(ctx, false, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: scenarios: %w", err)
	}
	return scs, nil
}

func (db *DB) scenarios(ctx context.Context, withDoc bool, q string, args ...any) ([]store.Scenario, error) {
	var out []store.Scenario
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, q, args...)
		var err error
		out, err = collect(rows, func(row pgx.CollectableRow) (store.Scenario, error) {
			var sc store.Scenario
			var doc string
			dst := []any{&sc.ID, &sc.Name, &sc.By, &sc.CreatedAt}
			if withDoc {
				dst = append(dst, &doc)
			}
			if err := row.Scan(dst...); err != nil {
				return sc, err
			}
			sc.CreatedAt = fromTS(sc.CreatedAt)
			if withDoc {
				sc.Doc = []byte(doc)
			}
			return sc, nil
		})
		return err
	})
	return out, err
}

// DeleteScenario removes a scenario; store.ErrNotFound if there is none.
func (db *DB) DeleteScenario(ctx context.Context, id string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if checkKey(id) != nil {
		return fmt.Errorf("postgres: delete scenario: %w", store.ErrNotFound)
	}
	n, err := db.execN(ctx, "DELETE FROM scenarios WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("postgres: delete scenario: %w", storeErr(err))
	}
	if n == 0 {
		return fmt.Errorf("postgres: delete scenario %q: %w", id, store.ErrNotFound)
	}
	return nil
}
