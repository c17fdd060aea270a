package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/store"
)

func TestHasNULEscape(t *testing.T) {
	cases := map[string]bool{
		`{}`:                          false,
		`{"a":"b"}`:                   false,
		`{"a":"\u0000"}`:              true,
		`{"\u0000":1}`:                true,
		`{"a":"x\u0000y"}`:            true,
		`{"a":"\\u0000"}`:             false, // the text \u0000, not a NUL
		`{"a":"\\\u0000"}`:            true,  // a backslash, then a NUL
		`{"a":"\\\\u0000"}`:           false,
		`{"a":"\u00001"}`:             true,
		`{"a":"\u0001"}`:              false,
		`{"a":"\"\u0000"}`:            true,
		`{"a":"\u000"}`:               false, // malformed, never written by encoding/json
		`\`:                           false,
		`{"a":["\ud83d\ude00",0.5]}`:  false,
		`{"n":{"k":["ok","\u0000"]}}`: true,
	}
	for in, want := range cases {
		if got := hasNULEscape([]byte(in)); got != want {
			t.Errorf("hasNULEscape(%s) = %v, want %v", in, got, want)
		}
	}
}

// FuzzHasNULEscape checks hasNULEscape against decoding: a JSON document
// holds the escape \u0000 exactly when a decoded string or key holds NUL.
func FuzzHasNULEscape(f *testing.F) {
	for _, s := range []string{`{"a":"\u0000"}`, `{"a":"\\u0000"}`, `["\\\u0000"]`, `"x"`, `{"\u0000":{}}`, `[1,"\u0041"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return // only valid JSON reaches the store
		}
		if got, want := hasNULEscape([]byte(s)), holdsNUL(v); got != want {
			t.Errorf("hasNULEscape(%q) = %v, decoded value holds NUL: %v", s, got, want)
		}
	})
}

// holdsNUL reports whether a decoded JSON value has a NUL in a string or
// key.
func holdsNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, 0)
	case []any:
		for _, x := range v {
			if holdsNUL(x) {
				return true
			}
		}
	case map[string]any:
		for k, x := range v {
			if strings.ContainsRune(k, 0) || holdsNUL(x) {
				return true
			}
		}
	}
	return false
}

func TestEncodeJSON(t *testing.T) {
	for name, m := range map[string]map[string]any{
		"NUL in value":  {"a": "x\x00"},
		"NUL in key":    {"k\x00": 1},
		"NUL nested":    {"a": []any{map[string]any{"b": "\x00"}}},
		"not encodable": {"f": func() {}},
	} {
		if _, err := encodeJSON(m); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("encodeJSON(%s) error = %v, want store.ErrInvalid", name, err)
		}
	}
	b, err := encodeJSON(map[string]any{"text": `\u0000`})
	if err != nil || string(b.([]byte)) != `{"text":"\\u0000"}` {
		t.Errorf("encodeJSON(the text \\u0000) = %s, %v", b, err)
	}
	if b, err := encodeJSON(nil); b != nil || err != nil {
		t.Errorf("encodeJSON(nil) = %v, %v; want NULL", b, err)
	}
}

func TestTimes(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	cases := []struct{ in, want time.Time }{
		{time.Date(2026, 7, 1, 16, 0, 0, 123_456_789, cst), time.Date(2026, 7, 1, 8, 0, 0, 123_000_000, time.UTC)},
		{time.Date(1969, 12, 31, 23, 59, 59, 999_600_000, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC)},
	}
	for _, tc := range cases {
		if got := ts(tc.in); !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ts(%v) = %v, want %v in UTC", tc.in, got, tc.want)
		}
	}
	if got := fromTS(time.Time{}.In(time.Local)); got != (time.Time{}) {
		t.Errorf("fromTS(zero in Local) = %#v, want the zero time", got)
	}
}

func TestDays(t *testing.T) {
	cases := []struct {
		at   time.Time
		day  int64
		name string
	}{
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 0, "positions_p19700101"},
		{time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC), -1, "positions_p19691231"},
		{time.Date(2026, 7, 1, 23, 59, 59, 0, time.FixedZone("CST", 8*3600)), 20635, "positions_p20260701"},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), firstPartDay, "positions_p00010101"},
	}
	for _, tc := range cases {
		d := dayOf(tc.at)
		if d != tc.day || partName("positions", d) != tc.name {
			t.Errorf("dayOf(%v) = %d (%s), want %d (%s)", tc.at, d, partName("positions", d), tc.day, tc.name)
		}
		if back, ok := partDay("positions", tc.name); !ok || back != d {
			t.Errorf("partDay(%s) = %d, %v; want %d", tc.name, back, ok, d)
		}
		if s := dayStart(d); s.After(tc.at) || !s.Add(day).After(tc.at) {
			t.Errorf("dayStart(%d) = %v does not hold %v", d, s, tc.at)
		}
	}
	for _, name := range []string{"positions_default", "readings_p20260701", "positions_p2026070", "positions_p2026x701", "positions_p20261301"} {
		if _, ok := partDay("positions", name); ok {
			t.Errorf("partDay(positions, %s) ok, want not a day partition of positions", name)
		}
	}
	got := daysOf(5, func(i int) time.Time { return dayStart(int64([]int{3, 3, 1, 3, 2}[i])).Add(time.Hour) })
	if fmt.Sprint(got) != "[3 1 2]" {
		t.Errorf("daysOf = %v, want [3 1 2]", got)
	}
}

func TestStoreErr(t *testing.T) {
	cases := map[string]error{
		"23505": store.ErrConflict,
		"23503": store.ErrNotFound,
		"23502": store.ErrInvalid,
		"23514": store.ErrInvalid,
		"22008": store.ErrInvalid, // datetime_field_overflow
		"22021": store.ErrInvalid, // character_not_in_repertoire
	}
	for code, want := range cases {
		err := storeErr(fmt.Errorf("exec: %w", &pgconn.PgError{Code: code, Message: "m"}))
		if !errors.Is(err, want) {
			t.Errorf("storeErr(SQLSTATE %s) = %v, want %v", code, err, want)
		}
	}
	for _, code := range []string{"40P01", "57014", "XX000"} {
		err := storeErr(&pgconn.PgError{Code: code})
		if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("storeErr(SQLSTATE %s) = %v, want no store sentinel", code, err)
		}
	}
}

func TestAreaSQL(t *testing.T) {
	sq := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	sql, args, err := areaSQL(orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{3, 4}}, 3)
	if err != nil || sql != "ST_MakeEnvelope($3, $4, $5, $6, 4326)" || fmt.Sprint(args) != "[1 2 3 4]" {
		t.Errorf("areaSQL(bound) = %s %v, %v", sql, args, err)
	}
	sql, args, err = areaSQL(orb.MultiPolygon{{sq}}, 3)
	want := `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}`
	if err != nil || sql != "ST_SetSRID(ST_GeomFromGeoJSON($3::text), 4326)" || len(args) != 1 || args[0] != want {
		t.Errorf("areaSQL(multipolygon) = %s %v, %v", sql, args, err)
	}
	for name, g := range map[string]orb.Geometry{
		"nil": nil, "ring": sq, "collection": orb.Collection{orb.Polygon{sq}},
		"unclosed": orb.Polygon{sq[:4]}, "polygon of no rings": orb.Polygon{},
	} {
		if _, _, err := areaSQL(g, 1); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("areaSQL(%s) error = %v, want store.ErrInvalid", name, err)
		}
	}
}

func TestMergeRollups(t *testing.T) {
	m := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	rs := []store.Rollup{
		{DetectorID: "b", Minute: m, Min: 1, Max: 2, Sum: 3, N: 2, Unit: "ppm"},
		{DetectorID: "a", Minute: m.Add(time.Minute), Min: 5, Max: 5, Sum: 5, N: 1, Unit: "%LEL"},
		{DetectorID: "b", Minute: m.In(time.FixedZone("CST", 8*3600)), Min: -1, Max: 1, Sum: 0, N: 3, Unit: "mg/m3"},
		{DetectorID: "a", Minute: m, Min: 0, Max: 0, Sum: 0, N: 1, Unit: "%LEL"},
	}
	got := mergeRollups(rs)
	want := []store.Rollup{
		{DetectorID: "a", Minute: m, Min: 0, Max: 0, Sum: 0, N: 1, Unit: "%LEL"},
		{DetectorID: "a", Minute: m.Add(time.Minute), Min: 5, Max: 5, Sum: 5, N: 1, Unit: "%LEL"},
		{DetectorID: "b", Minute: m, Min: -1, Max: 2, Sum: 3, N: 5, Unit: "mg/m3"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("mergeRollups\n got %v\nwant %v", got, want)
	}
}

func TestLoadMigrations(t *testing.T) {
	if len(migrations) < 2 || migrations[0].version != 1 || migrations[1].version != 2 {
		t.Fatalf("embedded migrations: %+v", migrations)
	}
	for name, files := range map[string]fstest.MapFS{
		"no number":      {"m/init.sql": {}},
		"zero":           {"m/0000_init.sql": {}},
		"not a number":   {"m/00x1_init.sql": {}},
		"shared version": {"m/0001_a.sql": {}, "m/1_b.sql": {}},
	} {
		if _, err := loadMigrations(files, "m"); err == nil {
			t.Errorf("loadMigrations(%s) = nil error", name)
		}
	}
	ms, err := loadMigrations(fstest.MapFS{
		"m/0010_c.sql": {Data: []byte("c")}, "m/0002_b.sql": {Data: []byte("b")}, "m/README": {},
	}, "m")
	if err != nil || len(ms) != 2 || ms[0].version != 2 || ms[1].sql != "c" {
		t.Errorf("loadMigrations = %+v, %v", ms, err)
	}
}
