package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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
		return fmt.Errorf("sqlite: put silence: %w", err)
	}
	text := append([]string{s.ID, s.By, s.Reason}, s.AreaIDs...)
	for _, t := range s.Types {
		text = append(text, string(t))
	}
	if err := checkText(text...); err != nil {
		return fmt.Errorf("sqlite: put silence: %w", err)
	}
	types, err := jsonList(s.Types)
	if err != nil {
		return fmt.Errorf("sqlite: put silence %q: %w", s.ID, err)
	}
	areas, err := jsonList(s.AreaIDs)
	if err != nil {
		return fmt.Errorf("sqlite: put silence %q: %w", s.ID, err)
	}
	const q = `INSERT INTO silences (id, types, area_ids, from_at, to_at, by, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET types = excluded.types, area_ids = excluded.area_ids,
			from_at = excluded.from_at, to_at = excluded.to_at, by = excluded.by, reason = excluded.reason`
	if _, err := db.w.ExecContext(ctx, q, s.ID, types, areas, millis(s.From), millis(s.To), s.By, s.Reason); err != nil {
		return fmt.Errorf("sqlite: put silence %q: %w", s.ID, storeErr(err))
	}
	return nil
}

// DeleteSilence removes a silence; store.ErrNotFound if there is none.
func (db *DB) DeleteSilence(ctx context.Context, id string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	res, err := db.w.ExecContext(ctx, "DELETE FROM silences WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("sqlite: delete silence: %w", storeErr(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete silence: %w", err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: delete silence %q: %w", id, store.ErrNotFound)
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
	rows, err := db.r.QueryContext(ctx, `SELECT id, types, area_ids, from_at, to_at, by, reason
		FROM silences WHERE to_at > ? ORDER BY from_at, id`, millis(t))
	if err != nil {
		return nil, fmt.Errorf("sqlite: active silences: %w", err)
	}
	defer rows.Close()
	var out []alarm.Silence
	for rows.Next() {
		var s alarm.Silence
		var types, areas string
		var from, to int64
		if err := rows.Scan(&s.ID, &types, &areas, &from, &to, &s.By, &s.Reason); err != nil {
			return nil, fmt.Errorf("sqlite: active silences: %w", err)
		}
		if err := readList(types, &s.Types); err != nil {
			return nil, fmt.Errorf("sqlite: silence %q: types: %w", s.ID, err)
		}
		if err := readList(areas, &s.AreaIDs); err != nil {
			return nil, fmt.Errorf("sqlite: silence %q: areas: %w", s.ID, err)
		}
		s.From, s.To = fromMillis(from), fromMillis(to)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: active silences: %w", err)
	}
	return out, nil
}

// jsonList encodes a list of strings as a JSON array ("[]" for none).
func jsonList[T ~string](xs []T) (string, error) {
	if len(xs) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(xs)
	return string(b), err
}

// readList decodes a JSON array written by jsonList; an empty one is nil.
func readList[T ~string](text string, dst *[]T) error {
	var xs []T
	if err := json.Unmarshal([]byte(text), &xs); err != nil {
		return err
	}
	if len(xs) > 0 {
		*dst = xs
	}
	return nil
}
