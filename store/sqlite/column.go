package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/chemtwin/chemtwin/store"
)

// How Go values are kept in columns: times as unix milliseconds UTC,
// optional times as NULL, maps as JSON text (NULL for a nil map).

// millis encodes t; see the package documentation.
func millis(t time.Time) int64 { return t.UnixMilli() }

// zeroMillis is millis(time.Time{}).
var zeroMillis = time.Time{}.UnixMilli()

// fromMillis decodes a time written by millis.
func fromMillis(ms int64) time.Time {
	if ms == zeroMillis {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// nullMillis encodes an optional time.
func nullMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return millis(*t)
}

// fromNullMillis decodes an optional time.
func fromNullMillis(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := fromMillis(ms.Int64)
	return &t
}

// encodeJSON encodes a map column; nil is NULL.
func encodeJSON(m map[string]any) (any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return string(b), nil
}

// decodeJSON decodes a map column. Numbers come back as float64, as
// encoding/json decodes them.
func decodeJSON(s sql.NullString) (map[string]any, error) {
	if !s.Valid {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s.String), &m); err != nil {
		return nil, fmt.Errorf("sqlite: stored json: %w", err)
	}
	return m, nil
}

// checkText refuses strings that a portable store cannot keep as text:
// invalid UTF-8 or a NUL byte (PostgreSQL refuses both).
func checkText(fields ...string) error {
	for _, s := range fields {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return fmt.Errorf("%w: text %q is not valid UTF-8 without NUL", ErrInvalid, s)
		}
	}
	return nil
}

// checkCoord refuses a NaN or infinite coordinate (SQLite would store NaN as
// NULL).
func checkCoord(lon, lat float64) error {
	if math.IsNaN(lon) || math.IsInf(lon, 0) || math.IsNaN(lat) || math.IsInf(lat, 0) {
		return fmt.Errorf("%w: coordinate (%v, %v) is not finite", ErrInvalid, lon, lat)
	}
	return nil
}

// storeErr maps a driver error to the store's sentinels, keeping the
// driver's message.
func storeErr(err error) error {
	var se *sqlitedriver.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%w: %w", store.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", store.ErrNotFound, err)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// limit returns n, or def when n ≤ 0, capped at most (when most > 0).
func limit(n, def, most int) int {
	if n <= 0 {
		n = def
	}
	if most > 0 && n > most {
		n = most
	}
	return n
}

// where collects the conditions and arguments of a query's WHERE clause.
type where struct {
	conds []string
	args  []any
}

// add appends cond with its argument when the argument is not zero.
func (w *where) add(cond string, arg any) {
	switch v := arg.(type) {
	case string:
		if v == "" {
			return
		}
	case time.Time:
		if v.IsZero() {
			return
		}
		arg = millis(v)
	}
	w.and(cond, arg)
}

// and appends cond with its arguments.
func (w *where) and(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// String returns " WHERE c1 AND c2 …", or "" without conditions.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
