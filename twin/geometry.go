package twin

import (
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

// ErrGeometry is wrapped by every geometry check failure.
var ErrGeometry = errors.New("bad geometry")

// CheckGeometry reports why g is not a usable WGS84 geometry: non-finite or
// out-of-range coordinates, lines with fewer than two points, rings that are
// not closed or have fewer than four points, empty multi-geometries.
func CheckGeometry(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Point:
		return checkPoint(g)
	case orb.MultiPoint:
		if len(g) == 0 {
			return fmt.Errorf("%w: empty multipoint", ErrGeometry)
		}
		return checkPoints(g)
	case orb.LineString:
		return checkLine(g)
	case orb.MultiLineString:
		if len(g) == 0 {
			return fmt.Errorf("%w: empty multilinestring", ErrGeometry)
		}
		for _, l := range g {
			if err := checkLine(l); err != nil {
				return err
			}
		}
		return nil
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return fmt.Errorf("%w: empty multipolygon", ErrGeometry)
		}
		for _, p := range g {
			if err := checkPolygon(p); err != nil {
				return err
			}
		}
		return nil
	case nil:
		return fmt.Errorf("%w: no geometry", ErrGeometry)
	}
	return fmt.Errorf("%w: unsupported type %s", ErrGeometry, g.GeoJSONType())
}

func checkPoint(p orb.Point) error {
	if !geo.ValidLonLat(p) {
		return fmt.Errorf("%w: coordinate %v is not a finite lon/lat", ErrGeometry, p)
	}
	return nil
}

func checkPoints(ps []orb.Point) error {
	for _, p := range ps {
		if err := checkPoint(p); err != nil {
			return err
		}
	}
	return nil
}

func checkLine(l orb.LineString) error {
	if len(l) < 2 {
		return fmt.Errorf("%w: line with %d point(s)", ErrGeometry, len(l))
	}
	return checkPoints(l)
}

func checkPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: polygon without rings", ErrGeometry)
	}
	for i, r := range p {
		if len(r) < 4 {
			return fmt.Errorf("%w: ring %d has %d points (needs 4, closed)", ErrGeometry, i, len(r))
		}
		if r[0] != r[len(r)-1] {
			return fmt.Errorf("%w: ring %d is not closed", ErrGeometry, i)
		}
		if err := checkPoints(r); err != nil {
			return err
		}
	}
	return nil
}
