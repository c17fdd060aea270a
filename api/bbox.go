package api

import (
	"github.com/paulmach/orb"
)

// intersects reports whether geometry g meets the box b (OGC bbox semantics:
// the geometry intersects the box, not merely its bound). Coordinates are
// treated as planar lon/lat, as the twin's R-tree does.
func intersects(g orb.Geometry, b orb.Bound) bool {
	switch g := g.(type) {
	case orb.Point:
		return b.Contains(g)
	case orb.MultiPoint:
		for _, p := range g {
			if b.Contains(p) {
				return true
			}
		}
	case orb.LineString:
		return lineMeets(g, b)
	case orb.MultiLineString:
		for _, l := range g {
			if lineMeets(l, b) {
				return true
			}
		}
	case orb.Polygon:
		return polygonMeets(g, b)
	case orb.MultiPolygon:
		for _, p := range g {
			if polygonMeets(p, b) {
				return true
			}
		}
	case orb.Ring:
		return polygonMeets(orb.Polygon{g}, b)
	case orb.Bound:
		return g.Intersects(b)
	case orb.Collection:
		for _, m := range g {
			if intersects(m, b) {
				return true
			}
		}
	}
	return false
}

// lineMeets: a vertex inside the box, or a segment crossing one of its edges.
func lineMeets(l []orb.Point, b orb.Bound) bool {
	if !orb.LineString(l).Bound().Intersects(b) {
		return false
	}
	for _, p := range l {
		if b.Contains(p) {
			return true
		}
	}
	corners := [5]orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}
	for i := 1; i < len(l); i++ {
		for j := 1; j < len(corners); j++ {
			if segmentsMeet(l[i-1], l[i], corners[j-1], corners[j]) {
				return true
			}
		}
	}
	return false
}

// polygonMeets: the boundary meets the box, or the box lies inside the
// polygon (inside the outer ring and outside every hole).
func polygonMeets(p orb.Polygon, b orb.Bound) bool {
	if len(p) == 0 || !p.Bound().Intersects(b) {
		return false
	}
	for _, r := range p {
		if lineMeets(r, b) {
			return true
		}
	}
	c := b.Min
	if !ringContains(p[0], c) {
		return false
	}
	for _, hole := range p[1:] {
		if ringContains(hole, c) {
			return false
		}
	}
	return true
}

// ringContains is the even-odd rule.
func ringContains(r []orb.Point, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, c := r[i], r[j]
		if (a[1] > p[1]) != (c[1] > p[1]) && p[0] < (c[0]-a[0])*(p[1]-a[1])/(c[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// segmentsMeet reports whether segments ab and cd share a point.
func segmentsMeet(a, b, c, d orb.Point) bool {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether p, collinear with ab, lies within its bound.
func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}
