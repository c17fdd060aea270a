package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// ValidLonLat reports whether p is a finite lon in [-180, 180] and lat in
// [-90, 90].
func ValidLonLat(p orb.Point) bool {
	return finite(p[0]) && finite(p[1]) && p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}

// DistanceM returns the ground distance in metres between two [lon, lat]
// points. Within a few kilometres it uses the ellipsoid's local scale at the
// mean latitude (millimetre-exact over a plant); farther apart it falls back
// to the haversine on the mean earth radius.
func DistanceM(a, b orb.Point) float64 {
	dLon, dLat := b[0]-a[0], b[1]-a[1]
	if math.Abs(dLon) < 0.1 && math.Abs(dLat) < 0.1 {
		lonM, latM := MetresPerDegree((a[1] + b[1]) / 2)
		return math.Hypot(dLon*lonM, dLat*latM)
	}
	const r = 6371008.8 // IUGG mean earth radius, metres
	s1, s2 := math.Sin(dLat*deg/2), math.Sin(dLon*deg/2)
	h := s1*s1 + math.Cos(a[1]*deg)*math.Cos(b[1]*deg)*s2*s2
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Contains reports whether the [lon, lat] point p lies in g. Polygons and
// multipolygons test area with every boundary counting as inside — the
// outer ring's and the holes' — as PostGIS ST_Intersects does for a point;
// a point or line never contains anything.
func Contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return polygonContains(g, p)
	case orb.MultiPolygon:
		for _, poly := range g {
			if polygonContains(poly, p) {
				return true
			}
		}
		return false
	case orb.Bound:
		return g.Contains(p)
	case orb.Ring:
		return planar.RingContains(g, p)
	}
	return false
}

// polygonContains is planar.PolygonContains except that a point on a hole's
// ring is inside the polygon (it is on the polygon's boundary).
func polygonContains(poly orb.Polygon, p orb.Point) bool {
	if len(poly) == 0 || !planar.RingContains(poly[0], p) {
		return false
	}
	for _, hole := range poly[1:] {
		if planar.RingContains(hole, p) && !onRing(hole, p) {
			return false
		}
	}
	return true
}

// onRing reports whether p lies on one of the ring's edges.
func onRing(r orb.Ring, p orb.Point) bool {
	for i := 0; i+1 < len(r); i++ {
		if planar.DistanceFromSegmentSquared(r[i], r[i+1], p) == 0 {
			return true
		}
	}
	return false
}

// DistanceToM returns the distance in metres from the [lon, lat] point p to
// geometry g: 0 inside a polygon, else the distance to its nearest part.
func DistanceToM(g orb.Geometry, p orb.Point) float64 {
	if Contains(g, p) {
		return 0
	}
	lonM, latM := MetresPerDegree(p[1])
	local := mapPoints(g, func(q orb.Point) orb.Point {
		return orb.Point{(q[0] - p[0]) * lonM, (q[1] - p[1]) * latM}
	})
	return planar.DistanceFrom(local, orb.Point{})
}

// ExpandM grows a lon/lat bound by m metres on every side.
func ExpandM(b orb.Bound, m float64) orb.Bound {
	lonM, latM := MetresPerDegree(b.Center()[1])
	dx, dy := m/lonM, m/latM
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}

// Circle returns a polygon of n vertices (n ≥ 8 is sensible) approximating a
// circle of radius r metres about the [lon, lat] centre c.
func Circle(c orb.Point, r float64, n int) orb.Polygon {
	if n < 3 {
		n = 3
	}
	lonM, latM := MetresPerDegree(c[1])
	ring := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		s, co := math.Sincos(2 * math.Pi * float64(i) / float64(n))
		ring = append(ring, orb.Point{c[0] + r*co/lonM, c[1] + r*s/latM})
	}
	return orb.Polygon{append(ring, ring[0])}
}

// AreaM2 returns the area of a lon/lat polygon or multipolygon in square metres.
func AreaM2(g orb.Geometry) float64 {
	c := g.Bound().Center()
	lonM, latM := MetresPerDegree(c[1])
	local := mapPoints(g, func(q orb.Point) orb.Point {
		return orb.Point{(q[0] - c[0]) * lonM, (q[1] - c[1]) * latM}
	})
	return planar.Area(local)
}

// Centroid returns the area-weighted centroid of g in lon/lat (for a line,
// its length-weighted centre; for a point, the point).
func Centroid(g orb.Geometry) orb.Point {
	p, _ := planar.CentroidArea(g)
	return p
}

// mapPoints returns a copy of g with every vertex passed through fn.
func mapPoints(g orb.Geometry, fn func(orb.Point) orb.Point) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return fn(g)
	case orb.MultiPoint:
		return orb.MultiPoint(mapSeq(g, fn))
	case orb.LineString:
		return orb.LineString(mapSeq(g, fn))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, ls := range g {
			out[i] = mapSeq(ls, fn)
		}
		return out
	case orb.Ring:
		return orb.Ring(mapSeq(g, fn))
	case orb.Polygon:
		return mapPolygon(g, fn)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = mapPolygon(p, fn)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			out[i] = mapPoints(c, fn)
		}
		return out
	case orb.Bound:
		return mapPolygon(g.ToPolygon(), fn)
	}
	return g
}

func mapSeq[S ~[]orb.Point](s S, fn func(orb.Point) orb.Point) S {
	out := make(S, len(s))
	for i, p := range s {
		out[i] = fn(p)
	}
	return out
}

func mapPolygon(p orb.Polygon, fn func(orb.Point) orb.Point) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		out[i] = mapSeq(r, fn)
	}
	return out
}
