package postgres

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// areaSQL returns the SQL expression of a Presence area — a geometry in
// SRID 4326 — and its arguments, numbered from $first. A Bound becomes an
// envelope polygon; a Polygon or MultiPolygon travels as GeoJSON. The rules
// are those of the SQLite store, so that both refuse the same areas.
func areaSQL(g orb.Geometry, first int) (string, []any, error) {
	switch a := g.(type) {
	case orb.Bound:
		if err := checkFinite("area corner", a.Min[0], a.Min[1], a.Max[0], a.Max[1]); err != nil {
			return "", nil, err
		}
		if a.Min[0] > a.Max[0] || a.Min[1] > a.Max[1] {
			return "", nil, fmt.Errorf("%w: area bound %v has min above max", ErrInvalid, a)
		}
		sql := fmt.Sprintf("ST_MakeEnvelope($%d, $%d, $%d, $%d, 4326)", first, first+1, first+2, first+3)
		return sql, []any{a.Min[0], a.Min[1], a.Max[0], a.Max[1]}, nil
	case orb.Polygon:
		if err := checkPolygon(a); err != nil {
			return "", nil, err
		}
		return geoJSONArea(a, first)
	case orb.MultiPolygon:
		if len(a) == 0 {
			return "", nil, fmt.Errorf("%w: empty area", ErrInvalid)
		}
		for i, p := range a {
			if err := checkPolygon(p); err != nil {
				return "", nil, fmt.Errorf("polygon %d: %w", i, err)
			}
		}
		return geoJSONArea(a, first)
	case nil:
		return "", nil, fmt.Errorf("%w: no area", ErrInvalid)
	}
	return "", nil, fmt.Errorf("%w: area is a %s, want a Polygon, MultiPolygon or Bound", ErrInvalid, g.GeoJSONType())
}

func geoJSONArea(g orb.Geometry, first int) (string, []any, error) {
	b, err := geojson.NewGeometry(g).MarshalJSON()
	if err != nil {
		return "", nil, fmt.Errorf("%w: area: %w", ErrInvalid, err)
	}
	return fmt.Sprintf("ST_SetSRID(ST_GeomFromGeoJSON($%d::text), 4326)", first), []any{string(b)}, nil
}

// checkPolygon refuses a polygon without rings, a ring that is not closed
// or has fewer than 4 points, and coordinates that are not finite.
func checkPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: area polygon without rings", ErrInvalid)
	}
	for i, r := range p {
		if len(r) < 4 || r[0] != r[len(r)-1] {
			return fmt.Errorf("%w: area ring %d is not closed with at least 4 points", ErrInvalid, i)
		}
		for _, pt := range r {
			if err := checkFinite("area vertex", pt[0], pt[1]); err != nil {
				return err
			}
		}
	}
	return nil
}
