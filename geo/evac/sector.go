package evac

import (
	"cmp"
	"math"
	"slices"
)

// sectorStepDeg is the angular step of the polygon drawn for a sector's
// arc. The arc's vertices lie at R / cos(step/2), so the polygon's sides
// touch the circle of radius R from outside: the polygon contains the true
// sector (it overreaches by R·(1/cos 3.75° − 1), 0.2 %, at the two ends).
const sectorStepDeg = 7.5

// downwindSector returns the downwind sector of a hazard polygon (its
// outer ring): the points within rangeM of the hazard in a direction
// within halfDeg of downwind (a unit vector, east and north), that is the
// Minkowski sum of the hazard with a circular sector of that radius and
// half-angle. It uses the hazard's convex hull, which makes the sector of
// a concave hazard a little larger, never smaller: the hull of the sums of
// the hull's vertices and the sector polygon's. The result is a convex
// ring, counter-clockwise, not closed; nil for an empty ring or rangeM 0.
func downwindSector(ring [][2]float64, downwind [2]float64, halfDeg, rangeM float64) [][2]float64 {
	h := hull(ring)
	if len(h) == 0 || rangeM <= 0 {
		return nil
	}
	n := int(math.Ceil(2 * halfDeg / sectorStepDeg))
	step := 2 * halfDeg / float64(n) * math.Pi / 180
	r := rangeM / math.Cos(step/2)
	base := math.Atan2(downwind[1], downwind[0]) - halfDeg*math.Pi/180
	offsets := [][2]float64{{0, 0}}
	for k := 0; k <= n; k++ {
		s, c := math.Sincos(base + float64(k)*step)
		offsets = append(offsets, [2]float64{r * c, r * s})
	}
	pts := make([][2]float64, 0, len(h)*len(offsets))
	for _, v := range h {
		for _, o := range offsets {
			pts = append(pts, [2]float64{v[0] + o[0], v[1] + o[1]})
		}
	}
	return hull(pts)
}

// hull returns the convex hull of the points, counter-clockwise, without
// collinear points (Andrew's monotone chain).
func hull(pts [][2]float64) [][2]float64 {
	p := slices.Clone(pts)
	slices.SortFunc(p, func(a, b [2]float64) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	p = slices.Compact(p)
	if len(p) < 3 {
		return p
	}
	cross := func(o, a, b [2]float64) float64 {
		return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
	}
	h := make([][2]float64, 0, 2*len(p))
	for _, q := range p {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	lower := len(h) + 1
	for i := len(p) - 2; i >= 0; i-- {
		q := p[i]
		for len(h) >= lower && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	return h[:len(h)-1]
}
