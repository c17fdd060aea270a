package api

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// GeoJSON (RFC 7946) encoding of features straight into a byte slice: one
// pass, no intermediate documents — items pages carry up to 10 000 features.

// appendFeature appends {"type":"Feature","id","geometry","properties"}
// (plus links when given) to b. Properties JSON cannot carry (NaN, ±Inf)
// are dropped rather than failing the answer.
func appendFeature(b []byte, id string, g orb.Geometry, props map[string]any, links []link) ([]byte, error) {
	start := len(b)
	b = append(b, `{"type":"Feature","id":`...)
	b = appendString(b, id)
	b = append(b, `,"geometry":`...)
	b = appendGeometry(b, g)
	b = append(b, `,"properties":`...)
	b, err := appendProps(b, props)
	if err != nil {
		return b[:start], err
	}
	if links != nil {
		lj, _ := json.Marshal(links) // plain strings: cannot fail
		b = append(b, `,"links":`...)
		b = append(b, lj...)
	}
	return append(b, '}'), nil
}

// appendProps appends props as a JSON object with sorted keys, as
// encoding/json would, with fast paths for the common value types.
func appendProps(b []byte, props map[string]any) ([]byte, error) {
	if len(props) == 0 {
		return append(b, "null"...), nil // RFC 7946 §3.2: properties null or an object
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		if f, ok := props[k].(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			continue // JSON cannot carry it; a bad reading must not break the page
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		b = appendString(comma(b, i), k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, props[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case float64:
		return appendFloat(b, v), nil
	}
	j, err := json.Marshal(v)
	return append(b, j...), err
}

// appendFloat formats a finite float like encoding/json: the shortest
// representation, with an exponent only for very large or small magnitudes.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-6 && abs < 1e21) {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	b = strconv.AppendFloat(b, f, 'e', -1, 64)
	if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-09 → e-9, as encoding/json writes it
		b = b[:n-1]
	}
	return b
}

// appendString appends s as a JSON string the way encoding/json writes it:
// HTML-safe (<, >, & escaped), U+2028/2029 escaped, invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
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
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
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
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}

// appendGeometry appends a GeoJSON geometry, or null.
func appendGeometry(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		return appendPoint(append(b, `{"type":"Point","coordinates":`...), g)
	case orb.MultiPoint:
		return append(appendPoints(append(b, `{"type":"MultiPoint","coordinates":`...), g), '}')
	case orb.LineString:
		return append(appendPoints(append(b, `{"type":"LineString","coordinates":`...), g), '}')
	case orb.MultiLineString:
		b = append(b, `{"type":"MultiLineString","coordinates":[`...)
		for i, l := range g {
			b = appendPoints(comma(b, i), l)
		}
		return append(b, "]}"...)
	case orb.Ring:
		return append(appendRings(append(b, `{"type":"Polygon","coordinates":`...), orb.Polygon{g}), '}')
	case orb.Polygon:
		return append(appendRings(append(b, `{"type":"Polygon","coordinates":`...), g), '}')
	case orb.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range g {
			b = appendRings(comma(b, i), p)
		}
		return append(b, "]}"...)
	case orb.Bound:
		return appendGeometry(b, g.ToPolygon())
	case orb.Collection:
		b = append(b, `{"type":"GeometryCollection","geometries":[`...)
		for i, m := range g {
			b = appendGeometry(comma(b, i), m)
		}
		return append(b, "]}"...)
	}
	return append(b, "null"...)
}

func comma(b []byte, i int) []byte {
	if i > 0 {
		return append(b, ',')
	}
	return b
}

// appendPoint appends "[lon,lat]}": the coordinates and the geometry's end.
func appendPoint(b []byte, p orb.Point) []byte {
	return append(appendCoord(b, p), '}')
}

func appendCoord(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = appendFloat(b, p[0])
	b = append(b, ',')
	b = appendFloat(b, p[1])
	return append(b, ']')
}

func appendPoints(b []byte, ps []orb.Point) []byte {
	b = append(b, '[')
	for i, p := range ps {
		b = appendCoord(comma(b, i), p)
	}
	return append(b, ']')
}

func appendRings(b []byte, p orb.Polygon) []byte {
	b = append(b, '[')
	for i, r := range p {
		b = appendPoints(comma(b, i), r)
	}
	return append(b, ']')
}
