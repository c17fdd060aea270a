package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/chemtwin/chemtwin/store"
)

// DefaultLogLimit is the number of events or audit entries listed when a
// filter sets no Limit. There is no cap: callers facing the outside (the
// API) bound what they ask for.
const DefaultLogLimit = 1000

// AppendEvents adds evs to the event log in one transaction: all or none.
// The store assigns ids, increasing in slice order; Event.ID is ignored and
// evs is not modified (the same slice may be in use elsewhere). An empty
// batch does nothing.
func (db *DB) AppendEvents(ctx context.Context, evs []store.Event) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if len(evs) == 0 {
		return nil
	}
	data := make([]any, len(evs)) // encoded before the write lock is taken
	for i, e := range evs {
		var err error
		if data[i], err = checkEvent(e); err != nil {
			return fmt.Errorf("sqlite: append events: event %d: %w", i, err)
		}
	}
	st, err := db.prepared(ctx, insertEvent)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	defer tx.Rollback()
	stmt, err := txStmt(ctx, tx, st, insertEvent)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	for i, e := range evs {
		if _, err := stmt.ExecContext(ctx, e.Type, e.EntityID, e.AreaID, millis(e.At), e.Lon, e.Lat, data[i]); err != nil {
			return fmt.Errorf("sqlite: append events: event %d: %w", i, storeErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	return nil
}

const insertEvent = "INSERT INTO events (type, entity_id, area_id, at, lon, lat, data) VALUES (?, ?, ?, ?, ?, ?, ?)"

// checkEvent validates e and returns its encoded data.
func checkEvent(e store.Event) (any, error) {
	if e.Type == "" {
		return nil, fmt.Errorf("%w: event without type", ErrInvalid)
	}
	if err := checkCoord(e.Lon, e.Lat); err != nil {
		return nil, err
	}
	if err := checkText(e.Type, e.EntityID, e.AreaID); err != nil {
		return nil, err
	}
	return encodeJSON(e.Data)
}

// Events lists the events matching f, oldest first (ties: smaller id
// first). Limit ≤ 0 means DefaultLogLimit.
func (db *DB) Events(ctx context.Context, f store.EventFilter) ([]store.Event, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	var w where
	w.add("type = ?", f.Type)
	w.add("entity_id = ?", f.EntityID)
	w.add("area_id = ?", f.AreaID)
	w.add("at >= ?", f.From)
	w.add("at <= ?", f.To)
	q := "SELECT id, type, entity_id, area_id, at, lon, lat, data FROM events" + w.String() +
		" ORDER BY at, id LIMIT ?"
	rows, err := db.r.QueryContext(ctx, q, append(w.args, limit(f.Limit, DefaultLogLimit, 0))...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer rows.Close()
	var evs []store.Event
	for rows.Next() {
		var e store.Event
		var at int64
		var data sql.NullString
		if err := rows.Scan(&e.ID, &e.Type, &e.EntityID, &e.AreaID, &at, &e.Lon, &e.Lat, &data); err != nil {
			return nil, fmt.Errorf("sqlite: events: %w", err)
		}
		e.At = fromMillis(at)
		if e.Data, err = decodeJSON(data); err != nil {
			return nil, fmt.Errorf("sqlite: event %d: %w", e.ID, err)
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	return evs, nil
}
