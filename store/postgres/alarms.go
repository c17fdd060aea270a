package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Alarm listing limits (alarm.Filter.Limit).
const (
	DefaultAlarmLimit = 100
	MaxAlarmLimit     = 1000
)

const alarmColumns = `id, type, level, state, key, entity_id, area_id, lon, lat,
	raised_at, updated_at, acked_at, acked_by, ack_note, cleared_at, message, message_en, details`

// SaveAlarm inserts a, or updates the lifecycle fields of the stored alarm
// with its id (see alarmUpsert).
func (db *DB) SaveAlarm(ctx context.Context, a alarm.Alarm) error {
	return db.SaveAlarms(ctx, []alarm.Alarm{a})
}

// alarmUpsert inserts an alarm or updates the fields of the stored one that
// change in its lifecycle: level, state, times of update, ack and clear,
// ack fields, messages and details. Its identity — type, key, entity,
// area, place and raised_at — is fixed when the manager opens it (a
// condition that comes back is a new alarm), so an update leaves the
// indexes on those columns alone: five fewer index writes per step.
const alarmUpsert = `INSERT INTO alarms (` + alarmColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (id) DO UPDATE SET
			level = excluded.level, state = excluded.state,
			updated_at = excluded.updated_at, acked_at = excluded.acked_at,
			acked_by = excluded.acked_by, ack_note = excluded.ack_note,
			cleared_at = excluded.cleared_at, message = excluded.message,
			message_en = excluded.message_en, details = excluded.details`

// SaveAlarms saves several alarms in one transaction (one pipelined
// batch), in order (a later state of the same id wins): all or none.
func (db *DB) SaveAlarms(ctx context.Context, as []alarm.Alarm) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if len(as) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, a := range as {
		if err := checkAlarm(a); err != nil {
			return fmt.Errorf("postgres: save alarm %q: %w", a.ID, err)
		}
		details, err := encodeJSON(a.Details)
		if err != nil {
			return fmt.Errorf("postgres: save alarm %q: details: %w", a.ID, err)
		}
		batch.Queue(alarmUpsert, a.ID, string(a.Type), a.Level, string(a.State), a.Key,
			a.EntityID, a.AreaID, a.Lon, a.Lat, ts(a.RaisedAt), ts(a.UpdatedAt),
			nullTS(a.AckedAt), a.AckedBy, a.AckNote, nullTS(a.ClearedAt), a.Message,
			a.MessageEn, details)
	}
	err := db.conn(ctx, func(c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			return tx.SendBatch(ctx, batch).Close()
		})
	})
	if err != nil {
		return fmt.Errorf("postgres: save alarms: %w", storeErr(err))
	}
	return nil
}

func checkAlarm(a alarm.Alarm) error {
	if a.ID == "" {
		return fmt.Errorf("%w: alarm without id", ErrInvalid)
	}
	if !a.State.Valid() {
		return fmt.Errorf("%w: alarm state %q", ErrInvalid, a.State)
	}
	if err := checkCoord(a.Lon, a.Lat); err != nil {
		return err
	}
	return checkText(a.ID, string(a.Type), a.Key, a.EntityID, a.AreaID, a.AckedBy,
		a.AckNote, a.Message, a.MessageEn)
}

// Alarm returns the alarm with id.
func (db *DB) Alarm(ctx context.Context, id string) (alarm.Alarm, error) {
	if err := db.enter(); err != nil {
		return alarm.Alarm{}, err
	}
	defer db.leave()
	var as []alarm.Alarm
	err := checkKey(id)
	if err == nil {
		as, err = db.alarms(ctx, "SELECT "+alarmColumns+" FROM alarms WHERE id = $1", id)
	}
	if err == nil && len(as) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return alarm.Alarm{}, fmt.Errorf("postgres: alarm %q: %w", id, storeErr(err))
	}
	return as[0], nil
}

// Alarms lists the alarms matching f, newest raised first (ties: greater id
// first, byte-wise). Limit ≤ 0 means DefaultAlarmLimit and is capped at
// MaxAlarmLimit; a negative Offset counts as 0.
func (db *DB) Alarms(ctx context.Context, f alarm.Filter) ([]alarm.Alarm, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	var w where
	w.add("state = ?", string(f.State))
	w.add("type = ?", string(f.Type))
	w.add("entity_id = ?", f.EntityID)
	w.add("area_id = ?", f.AreaID)
	w.add("raised_at >= ?", f.From)
	w.add("raised_at <= ?", f.To)
	if f.Open {
		w.and("state IN (?, ?)", string(alarm.Active), string(alarm.Acknowledged))
	}
	q := "SELECT " + alarmColumns + " FROM alarms" + w.String() +
		" ORDER BY raised_at DESC, id DESC LIMIT " + w.next(limit(f.Limit, DefaultAlarmLimit, MaxAlarmLimit)) +
		" OFFSET " + w.next(max(f.Offset, 0))
	as, err := db.alarms(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: alarms: %w", err)
	}
	return as, nil
}

func (db *DB) alarms(ctx context.Context, q string, args ...any) ([]alarm.Alarm, error) {
	var as []alarm.Alarm
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, q, args...)
		var err error
		as, err = collect(rows, scanAlarm)
		return err
	})
	return as, err
}

func scanAlarm(row pgx.CollectableRow) (alarm.Alarm, error) {
	var a alarm.Alarm
	var details []byte
	err := row.Scan(&a.ID, &a.Type, &a.Level, &a.State, &a.Key, &a.EntityID, &a.AreaID,
		&a.Lon, &a.Lat, &a.RaisedAt, &a.UpdatedAt, &a.AckedAt, &a.AckedBy, &a.AckNote, &a.ClearedAt,
		&a.Message, &a.MessageEn, &details)
	if err != nil {
		return alarm.Alarm{}, err
	}
	a.RaisedAt, a.UpdatedAt = fromTS(a.RaisedAt), fromTS(a.UpdatedAt)
	a.AckedAt, a.ClearedAt = fromNullTS(a.AckedAt), fromNullTS(a.ClearedAt)
	a.Details, err = decodeJSON(details)
	return a, err
}
