package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// PutSilence stores an alarm silence, replacing the one of its id.
func (db *DB) PutSilence(ctx context.Context, s alarm.Silence) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckSilence(s); err != nil {
		return fmt.Errorf("postgres: put silence: %w", err)
	}
	types := make([]string, len(s.Types))
	for i, t := range s.Types {
		types[i] = string(t)
	}
	areas := append([]string{}, s.AreaIDs...)
	if err := checkText(append(append([]string{s.ID, s.By, s.Reason}, types...), areas...)...); err != nil {
		return fmt.Errorf("postgres: put silence: %w", err)
	}
	const q = `INSERT INTO silences (id, types, area_ids, from_at, to_at, by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET types = excluded.types, area_ids = excluded.area_ids,
			from_at = excluded.from_at, to_at = excluded.to_at, by = excluded.by, reason = excluded.reason`
	if err := db.exec(ctx, q, s.ID, types, areas, ts(s.From), ts(s.To), s.By, s.Reason); err != nil {
		return fmt.Errorf("postgres: put silence %q: %w", s.ID, storeErr(err))
	}
	return nil
}

// DeleteSilence removes a silence; store.ErrNotFound if there is none.
func (db *DB) DeleteSilence(ctx context.Context, id string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if checkKey(id) != nil {
		return fmt.Errorf("postgres: delete silence: %w", store.ErrNotFound)
	}
	n, err := db.execN(ctx, "DELETE FROM silences WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("postgres: delete silence: %w", storeErr(err))
	}
	if n == 0 {
		return fmt.Errorf("postgres: delete silence %q: %w", id, store.ErrNotFound)
	}
	return nil
}

// ActiveSilences returns the silences whose To is after t, earliest From
// first (ties by id).
func (db *DB) ActiveSilences(ctx context.Context, t time.Time) ([]alarm.Silence, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	var out []alarm.Silence
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, `SELECT id, types, area_ids, from_at, to_at, by, reason
			FROM silences WHERE to_at > $1 ORDER BY from_at, id`, ts(t))
		var err error
		out, err = collect(rows, func(row pgx.CollectableRow) (alarm.Silence, error) {
			var s alarm.Silence
			var types, areas []string
			if err := row.Scan(&s.ID, &types, &areas, &s.From, &s.To, &s.By, &s.Reason); err != nil {
				return s, err
			}
			for _, t := range types {
				s.Types = append(s.Types, alarm.Type(t))
			}
			if len(areas) > 0 {
				s.AreaIDs = areas
			}
			s.From, s.To = fromTS(s.From), fromTS(s.To)
			return s, nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: active silences: %w", err)
	}
	return out, nil
}
