package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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

// alarmUpsert inserts alarms or updates the fields of the stored ones that
// change in their lifecycle: level, state, times of update, ack and clear,
// ack fields, messages and details. An alarm's identity — type, key,
// entity, area, place and raised_at — is fixed when the manager opens it (a
// condition that comes back is a new alarm), so an update leaves the
// indexes on those columns alone: five fewer index writes per step.
// rows is how many alarms one statement carries (a later row with the
// same id updates the earlier one, so a batch's order holds).
func alarmUpsert(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO alarms (` + alarmColumns + `) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	b.WriteString(` ON CONFLICT (id) DO UPDATE SET
			level = excluded.level, state = excluded.state,
			updated_at = excluded.updated_at, acked_at = excluded.acked_at,
			acked_by = excluded.acked_by, ack_note = excluded.ack_note,
			cleared_at = excluded.cleared_at, message = excluded.message,
			message_en = excluded.message_en, details = excluded.details`)
	return b.String()
}

// alarmChunk is how many alarms one upsert statement carries: statement
// overhead (binding, the program's setup) is paid once per chunk rather
// than once per alarm; 18 columns × 32 rows stays far below SQLite's
// bound-parameter limit.
const alarmChunk = 32

// alarmUpserts[k] is the upsert of k alarms, 1 ≤ k ≤ alarmChunk.
var alarmUpserts = func() (qs [alarmChunk + 1]string) {
	for k := 1; k <= alarmChunk; k++ {
		qs[k] = alarmUpsert(k)
	}
	return qs
}()

// SaveAlarms saves several alarms in one transaction, in order (a later
// state of the same id wins): all or none.
func (db *DB) SaveAlarms(ctx context.Context, as []alarm.Alarm) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if len(as) == 0 {
		return nil
	}
	details := make([]any, len(as))
	for i, a := range as {
		if err := checkAlarm(a); err != nil {
			return fmt.Errorf("sqlite: save alarm %q: %w", a.ID, err)
		}
		if a.Details != nil {
			d, err := alarm.AppendDetails(nil, a.Details)
			if err != nil {
				return fmt.Errorf("sqlite: save alarm %q: details: %w: %w", a.ID, ErrInvalid, err)
			}
			details[i] = string(d)
		}
	}
	// The statements for full chunks and for the rest, prepared before the
	// transaction takes the connection.
	var stmts [alarmChunk + 1]*sql.Stmt
	for _, k := range []int{min(len(as), alarmChunk), len(as) % alarmChunk} {
		if k > 0 && stmts[k] == nil {
			var err error
			if stmts[k], err = db.prepared(ctx, alarmUpserts[k]); err != nil {
				return fmt.Errorf("sqlite: save alarms: %w", storeErr(err))
			}
		}
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: save alarms: %w", storeErr(err))
	}
	defer tx.Rollback()
	args := make([]any, 0, 18*min(len(as), alarmChunk))
	for start := 0; start < len(as); start += alarmChunk {
		chunk := as[start:min(start+alarmChunk, len(as))]
		args = args[:0]
		for i, a := range chunk {
			args = append(args, a.ID, string(a.Type), a.Level, string(a.State), a.Key,
				a.EntityID, a.AreaID, a.Lon, a.Lat, millis(a.RaisedAt), millis(a.UpdatedAt),
				nullMillis(a.AckedAt), a.AckedBy, a.AckNote, nullMillis(a.ClearedAt), a.Message,
				a.MessageEn, details[start+i])
		}
		stmt, err := txStmt(ctx, tx, stmts[len(chunk)], alarmUpserts[len(chunk)])
		if err == nil {
			_, err = stmt.ExecContext(ctx, args...)
		}
		if err != nil {
			if len(chunk) == 1 {
				return fmt.Errorf("sqlite: save alarm %q: %w", chunk[0].ID, storeErr(err))
			}
			return fmt.Errorf("sqlite: save alarms %q…%q: %w", chunk[0].ID, chunk[len(chunk)-1].ID, storeErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: save alarms: %w", storeErr(err))
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
	row := db.r.QueryRowContext(ctx, "SELECT "+alarmColumns+" FROM alarms WHERE id = ?", id)
	a, err := scanAlarm(row)
	if err != nil {
		return alarm.Alarm{}, fmt.Errorf("sqlite: alarm %q: %w", id, storeErr(err))
	}
	return a, nil
}

// Alarms lists the alarms matching f, newest raised first (ties: greater id
// first). Limit ≤ 0 means DefaultAlarmLimit and is capped at MaxAlarmLimit;
// a negative Offset counts as 0.
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
		" ORDER BY raised_at DESC, id DESC LIMIT ? OFFSET ?"
	args := append(w.args, limit(f.Limit, DefaultAlarmLimit, MaxAlarmLimit), max(f.Offset, 0))
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: alarms: %w", err)
	}
	defer rows.Close()
	var as []alarm.Alarm
	for rows.Next() {
		a, err := scanAlarm(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: alarms: %w", err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: alarms: %w", err)
	}
	return as, nil
}

func scanAlarm(row scanner) (alarm.Alarm, error) {
	var a alarm.Alarm
	var raised, updated int64
	var acked, cleared sql.NullInt64
	var details sql.NullString
	err := row.Scan(&a.ID, &a.Type, &a.Level, &a.State, &a.Key, &a.EntityID, &a.AreaID,
		&a.Lon, &a.Lat, &raised, &updated, &acked, &a.AckedBy, &a.AckNote, &cleared,
		&a.Message, &a.MessageEn, &details)
	if err != nil {
		return alarm.Alarm{}, err
	}
	a.RaisedAt, a.UpdatedAt = fromMillis(raised), fromMillis(updated)
	a.AckedAt, a.ClearedAt = fromNullMillis(acked), fromNullMillis(cleared)
	a.Details, err = decodeJSON(details)
	return a, err
}
