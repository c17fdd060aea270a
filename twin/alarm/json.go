package alarm

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the alarm's JSON to dst: exactly the bytes
// encoding/json gives for the struct (field order, omitempty, sorted
// detail keys, RFC 3339 times, HTML-safe string escapes), written without
// reflection. Every alarm step is encoded for every /ws viewer and the
// store, so a burst of fence crossings spends its time here; json.Marshal
// took ~11 µs an alarm, this ~2 µs. Detail values of other types than the
// JSON ones (string, float64, int, bool, nil, []any, []string,
// map[string]any, json.RawMessage) go through json.Marshal. It fails only
// where json.Marshal fails: a detail that cannot be encoded, or a NaN or
// infinite coordinate. (Alarm has no MarshalJSON on purpose: types that
// embed it, as ingest.AlarmMessage does, would lose their own fields.)
func (a Alarm) AppendJSON(dst []byte) ([]byte, error) {
	if bad(a.Lon) || bad(a.Lat) {
		return dst, &json.UnsupportedValueError{Str: "alarm coordinate " + strconv.FormatFloat(a.Lon, 'g', -1, 64) + "," + strconv.FormatFloat(a.Lat, 'g', -1, 64)}
	}
	b := append(dst, `{"id":`...)
	b = appendString(b, a.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, string(a.Type))
	b = append(b, `,"level":`...)
	b = strconv.AppendInt(b, int64(a.Level), 10)
	b = append(b, `,"state":`...)
	b = appendString(b, string(a.State))
	b = append(b, `,"key":`...)
	b = appendString(b, a.Key)
	b = append(b, `,"entity_id":`...)
	b = appendString(b, a.EntityID)
	b = append(b, `,"area_id":`...)
	b = appendString(b, a.AreaID)
	b = append(b, `,"lon":`...)
	b = appendFloat(b, a.Lon)
	b = append(b, `,"lat":`...)
	b = appendFloat(b, a.Lat)
	b = append(b, `,"raised_at":`...)
	var err error
	if b, err = appendTime(b, a.RaisedAt); err != nil {
		return dst, err
	}
	b = append(b, `,"updated_at":`...)
	if b, err = appendTime(b, a.UpdatedAt); err != nil {
		return dst, err
	}
	b = append(b, `,"acked_at":`...)
	if b, err = appendTimePtr(b, a.AckedAt); err != nil {
		return dst, err
	}
	if a.AckedBy != "" {
		b = append(b, `,"acked_by":`...)
		b = appendString(b, a.AckedBy)
	}
	if a.AckNote != "" {
		b = append(b, `,"ack_note":`...)
		b = appendString(b, a.AckNote)
	}
	b = append(b, `,"cleared_at":`...)
	if b, err = appendTimePtr(b, a.ClearedAt); err != nil {
		return dst, err
	}
	b = append(b, `,"message":`...)
	b = appendString(b, a.Message)
	b = append(b, `,"message_en":`...)
	b = appendString(b, a.MessageEn)
	if len(a.Details) > 0 {
		b = append(b, `,"details":`...)
		if b, err = appendValue(b, a.Details); err != nil {
			return dst, err
		}
	}
	return append(b, '}'), nil
}

// AppendDetails appends details as JSON — json.Marshal's bytes — or
// "null" for a nil map: the stores' details column.
func AppendDetails(dst []byte, d map[string]any) ([]byte, error) {
	if d == nil {
		return append(dst, "null"...), nil
	}
	out, err := appendValue(dst, d)
	if err != nil {
		return dst, err
	}
	return out, nil
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

func appendTime(b []byte, t time.Time) ([]byte, error) {
	// time.Time.MarshalJSON: RFC 3339 with nanoseconds, quoted; it refuses
	// years outside 0…9999.
	if y := t.Year(); y < 0 || y >= 10000 {
		_, err := t.MarshalJSON()
		return b, err
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

func appendTimePtr(b []byte, t *time.Time) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	return appendTime(b, *t)
}

// appendFloat formats f as encoding/json does (ES6 number formatting).
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendValue appends a detail value.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case float64:
		if bad(v) {
			return b, &json.UnsupportedValueError{Str: strconv.FormatFloat(v, 'g', -1, 64)}
		}
		return appendFloat(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, v[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, x); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case []string:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, x)
		}
		return append(b, ']'), nil
	}
	// Anything else (structs, other numbers, RawMessage) as encoding/json
	// has it.
	data, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, data...), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s quoted as encoding/json does with its default
// HTML escaping: <, > and & as \u00XX, invalid UTF-8 as \ufffd, U+2028 and
// U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// encoding is an alarm's JSON, made once however many observers ask.
type encoding struct {
	once sync.Once
	b    []byte
	err  error
}

// JSON returns the alarm's JSON (AppendJSON). The manager's events encode
// it once for all their observers (the /ws hub, the MQTT publisher); the
// bytes are shared, so the caller must not change them.
func (ev Event) JSON() ([]byte, error) {
	if ev.enc == nil {
		return ev.Alarm.AppendJSON(nil)
	}
	ev.enc.once.Do(func() { ev.enc.b, ev.enc.err = ev.Alarm.AppendJSON(make([]byte, 0, 768)) })
	return ev.enc.b, ev.enc.err
}
