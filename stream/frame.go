package stream

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Server frame types.
const (
	frameSnapshot  = "snapshot"
	frameDelta     = "delta"
	framePositions = "positions"
	frameAlarm     = "alarm"
	frameNotify    = "notify"
	frameError     = "error"
)

// Error frame codes.
const (
	codeBadRequest   = "bad_request"
	codeUnauthorized = "unauthorized"
)

// appendHeader starts a frame: {"type":T,"seq":S,"ts":MS — the caller
// appends its own fields and the closing brace.
func appendHeader(b []byte, typ string, seq uint64, ts int64) []byte {
	b = append(b, `{"type":"`...)
	b = append(b, typ...)
	b = append(b, `","seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"ts":`...)
	return strconv.AppendInt(b, ts, 10)
}

// appendRev appends ,"rev":R.
func appendRev(b []byte, rev uint64) []byte {
	b = append(b, `,"rev":`...)
	return strconv.AppendUint(b, rev, 10)
}

// appendItem appends one positions item: [id,lon,lat,z,floor,ts_ms] with
// lon/lat rounded to 1e-7° (about 1 cm) and z to 1 mm.
func appendItem(b []byte, id string, f twin.Fix) []byte {
	b = append(b, '[')
	b = appendString(b, id)
	b = append(b, ',')
	b = appendFixed(b, f.Point[0], 7)
	b = append(b, ',')
	b = appendFixed(b, f.Point[1], 7)
	b = append(b, ',')
	b = appendFixed(b, f.Z, 3)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(f.Floor), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, unixMilli(f.At), 10)
	return append(b, ']')
}

// appendFixed appends v with at most prec decimals, trailing zeros trimmed;
// a non-finite v (never valid JSON) is written as null.
func appendFixed(b []byte, v float64, prec int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', prec, 64)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

// unixMilli is t in epoch milliseconds, 0 for the zero time.
func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029': // legal JSON, but not in JavaScript source
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// appendRemove appends {"id":ID,"layer":L}.
func appendRemove(b []byte, id string, layer twin.Layer) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, id)
	b = append(b, `,"layer":`...)
	b = appendString(b, string(layer))
	return append(b, '}')
}

// encodeFeature encodes an entity as a GeoJSON feature. It fails only for
// values JSON cannot carry (NaN in live state).
func encodeFeature(e *twin.Entity) ([]byte, error) {
	// MarshalJSON directly: json.Marshal would compact and re-validate the
	// output, a third of the cost.
	return e.Feature().MarshalJSON()
}

// encodeAlarm encodes an alarm frame,
// {"type":"alarm","seq":N,"ts":N,"action":"…","alarm":{…}}, by appending:
// every alarm step is encoded once per step on the alarm manager's
// critical path, and json.Marshal re-validates an embedded RawMessage.
func encodeAlarm(seq uint64, ts int64, ev alarm.Event) []byte {
	b := make([]byte, 0, 768)
	b = append(b, `{"type":"`+frameAlarm+`","seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"action":`...)
	action, _ := json.Marshal(ev.Action) // a short constant; cannot fail
	b = append(b, action...)
	b = append(b, `,"alarm":`...)
	if js, err := ev.JSON(); err == nil {
		b = append(b, js...)
	} else {
		b = appendAlarm(b, ev.Alarm)
	}
	return append(b, '}')
}

// notifyFrame is the JSON of a `notify` frame: a message for people in the
// field (a gathering to disperse, an area to evacuate), as sent to their
// tags on chemtwin/{site}/tags/{tag}/notify.
type notifyFrame struct {
	Type   string `json:"type"`
	Seq    uint64 `json:"seq"`
	TS     int64  `json:"ts"`
	Notify any    `json:"notify"`
}

// errorFrame is the JSON of an `error` frame.
type errorFrame struct {
	Type    string `json:"type"`
	Seq     uint64 `json:"seq"`
	TS      int64  `json:"ts"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func encodeError(seq uint64, ts int64, code, msg string) []byte {
	data, _ := json.Marshal(errorFrame{Type: frameError, Seq: seq, TS: ts, Code: code, Message: msg})
	return data
}
