package api

import (
	"encoding/json"
	"math"
	"slices"

	"github.com/chemtwin/chemtwin/internal/jsonenc"
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
	b = jsonenc.AppendString(b, id)
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
		b = jsonenc.AppendString(comma(b, i), k)
		b = append(b, ':')
		var err error
		if b, err = jsonenc.AppendValue(b, props[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
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
	b = jsonenc.AppendFloat(b, p[0])
	b = append(b, ',')
	b = jsonenc.AppendFloat(b, p[1])
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
