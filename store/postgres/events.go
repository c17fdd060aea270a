package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

// DefaultLogLimit is the number of events or audit entries listed when a
// filter sets no Limit. There is no cap: callers facing the outside (the
// API) bound what they ask for.
const DefaultLogLimit = 1000

var eventColumns = []string{"type", "entity_id", "area_id", "at", "lon", "lat", "data"}

// AppendEvents adds evs to the event log with one COPY: all or none. The
// store assigns ids, increasing in slice order; Event.ID is ignored and
// evs is not modified. An empty batch does nothing.
func (db *DB) AppendEvents(ctx context.Context, evs []store.Event) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if len(evs) == 0 {
		return nil
	}
	rows := make([][]any, len(evs))
	for i, e := range evs {
		data, err := checkEvent(e)
		if err != nil {
			return fmt.Errorf("postgres: append events: event %d: %w", i, err)
		}
		rows[i] = []any{e.Type, e.EntityID, e.AreaID, ts(e.At), e.Lon, e.Lat, data}
	}
	err := db.conn(ctx, func(c *pgx.Conn) error {
		_, err := c.CopyFrom(ctx, pgx.Identifier{"events"}, eventColumns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: append events: %w", storeErr(err))
	}
	return nil
}

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
		" ORDER BY at, id LIMIT " + w.next(limit(f.Limit, DefaultLogLimit, 0))
	var evs []store.Event
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, q, w.args...)
		var err error
		evs, err = collect(rows, scanEvent)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	return evs, nil
}

func scanEvent(row pgx.CollectableRow) (store.Event, error) {
	var e store.Event
	var data []byte
	if err := row.Scan(&e.ID, &e.Type, &e.EntityID, &e.AreaID, &e.At, &e.Lon, &e.Lat, &data); err != nil {
		return store.Event{}, err
	}
	e.At = fromTS(e.At)
	var err error
	if e.Data, err = decodeJSON(data); err != nil {
		return store.Event{}, fmt.Errorf("event %d: %w", e.ID, err)
	}
	return e, nil
}
