package sim

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Payloads are written by hand, field by field, with fixed decimals: the
// bytes depend only on the values (never on map order or float printing
// heuristics), and a step allocates one buffer per message. The schema is
// DESIGN.md "MQTT topics"; ts is epoch milliseconds.

// obj appends the members of one JSON object.
type obj struct{ b []byte }

func newObj(capacity int) obj { return obj{b: append(make([]byte, 0, capacity), '{')} }

func (o *obj) key(k string) {
	if len(o.b) > 1 {
		o.b = append(o.b, ',')
	}
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

// num appends a number with prec decimals (NaN and ±Inf, which JSON cannot
// carry, are written as 0; the models never produce them).
func (o *obj) num(k string, v float64, prec int) {
	o.key(k)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	if v == 0 || math.Abs(v) < 0.5*math.Pow10(-prec) {
		v = 0 // no "-0.00"
	}
	o.b = strconv.AppendFloat(o.b, v, 'f', prec, 64)
}

func (o *obj) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *obj) bool(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

func (o *obj) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *obj) done() []byte { return append(o.b, '}') }

// appendJSONString appends s as a JSON string (RFC 8259 escaping; invalid
// UTF-8 becomes U+FFFD).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		case r == utf8.RuneError:
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// decimals returns how many decimals print a value of resolution res
// (1 → 0, 0.1 → 1, 0.01 → 2).
func decimals(res float64) int {
	if res >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(res) - 1e-9))
}
