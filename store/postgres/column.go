package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/chemtwin/chemtwin/store"
)

// How Go values are kept in columns: times as timestamptz truncated to the
// millisecond, optional times as NULL, maps as jsonb (NULL for a nil map).

// ts encodes t: truncated to the millisecond towards the past (Truncate
// counts from the zero time, so also before 1970), in UTC.
func ts(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }

// fromTS decodes a time written by ts; pgx returns times in time.Local.
func fromTS(t time.Time) time.Time {
	if t.Equal(time.Time{}) {
		return time.Time{}
	}
	return t.UTC()
}

// nullTS encodes an optional time.
func nullTS(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ts(*t)
	return &v
}

// fromNullTS decodes an optional time.
func fromNullTS(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := fromTS(*t)
	return &v
}

// encodeJSON encodes a map column: the JSON text as []byte, or nil (NULL)
// for a nil map. jsonb cannot hold the character U+0000, so a map with a
// NUL anywhere in it is refused.
func encodeJSON(m map[string]any) (any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if hasNULEscape(b) {
		return nil, fmt.Errorf("%w: json holds the character U+0000, which jsonb cannot store", ErrInvalid)
	}
	return b, nil
}

// hasNULEscape reports whether the JSON text b holds the escape \u0000,
// which encoding/json writes for a NUL in a string or key. An escaped
// backslash followed by "u0000" (the text `\u0000` itself) is not one.
func hasNULEscape(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) && string(b[i+2:i+6]) == "0000" {
			return true
		}
		i++ // skip the escaped character
	}
	return false
}

// decodeJSON decodes a map column. Numbers come back as float64, as
// encoding/json decodes them.
func decodeJSON(b []byte) (map[string]any, error) {
	if b == nil {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("postgres: stored json: %w", err)
	}
	return m, nil
}

// checkText refuses strings that PostgreSQL cannot keep as text: invalid
// UTF-8 or a NUL byte.
func checkText(fields ...string) error {
	for _, s := range fields {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return fmt.Errorf("%w: text %q is not valid UTF-8 without NUL", ErrInvalid, s)
		}
	}
	return nil
}

// checkKey returns store.ErrNotFound for a key that no record can have
// (text the store refuses), which PostgreSQL would not even compare.
func checkKey(key string) error {
	if checkText(key) != nil {
		return store.ErrNotFound
	}
	return nil
}

// checkFinite refuses a NaN or infinite number.
func checkFinite(what string, vs ...float64) error {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s %v is not finite", ErrInvalid, what, v)
		}
	}
	return nil
}

// checkCoord refuses a NaN or infinite coordinate.
func checkCoord(lon, lat float64) error {
	if err := checkFinite("coordinate", lon, lat); err != nil {
		return fmt.Errorf("%w: coordinate (%v, %v) is not finite", ErrInvalid, lon, lat)
	}
	return nil
}

// storeErr maps a driver error to the store's sentinels, keeping the
// driver's message.
func storeErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case pe.Code == "23505": // unique_violation
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	case pe.Code == "23503": // foreign_key_violation
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	case pe.Code == "23502", pe.Code == "23514", strings.HasPrefix(pe.Code, "22"):
		// not_null_violation, check_violation, data exceptions (a time or
		// number out of range, text the encoding refuses …)
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
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

// where collects the conditions and arguments of a query's WHERE clause,
// numbering the placeholders $1, $2 … in order.
type where struct {
	conds []string
	args  []any
}

// add appends cond, with ? standing for its argument, when the argument is
// not zero.
func (w *where) add(cond string, arg any) {
	switch v := arg.(type) {
	case string:
		if v == "" {
			return
		}
		if checkText(v) != nil { // no stored text equals it
			w.conds = append(w.conds, "false")
			return
		}
	case time.Time:
		if v.IsZero() {
			return
		}
		arg = ts(v)
	}
	w.and(cond, arg)
}

// and appends cond with its arguments, one per ? in cond.
func (w *where) and(cond string, args ...any) {
	for _, a := range args {
		cond = strings.Replace(cond, "?", w.next(a), 1)
	}
	w.conds = append(w.conds, cond)
}

// next adds an argument and returns its placeholder.
func (w *where) next(arg any) string {
	w.args = append(w.args, arg)
	return "$" + strconv.Itoa(len(w.args))
}

// String returns " WHERE c1 AND c2 …", or "" without conditions.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// collect scans every row with scan, returning nil rather than an empty
// slice when there are none (as the SQLite store does).
func collect[T any](rows pgx.Rows, scan pgx.RowToFunc[T]) ([]T, error) {
	return pgx.AppendRows([]T(nil), rows, scan)
}
