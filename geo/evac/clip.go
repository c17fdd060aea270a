package evac

import (
	"math"
	"slices"
)

// span is the part [t0, t1] of an edge, as fractions of its length.
type span struct{ t0, t1 float64 }

// area is one polygon (outer ring and holes, even–odd) prepared for
// clipping: its sides bucketed into horizontal bands, so that a crossing
// or point-in-polygon query reads only the sides near its y instead of all
// of them (a threat zone's outline has hundreds of vertices and a downwind
// sector covers thousands of edges).
type area struct {
	min, max [2]float64
	sides    [][2][2]float64
	y0, band float64 // band k covers [y0 + k·band, y0 + (k+1)·band)
	bands    [][]int32
}

// newArea prepares the rings (each implicitly closed). Rings of fewer
// than three points add no sides.
func newArea(rings [][][2]float64) *area {
	a := &area{min: [2]float64{math.Inf(1), math.Inf(1)}, max: [2]float64{math.Inf(-1), math.Inf(-1)}}
	for _, r := range rings {
		if len(r) > 1 && r[0] == r[len(r)-1] {
			r = r[:len(r)-1]
		}
		if len(r) < 3 {
			continue
		}
		for i, p := range r {
			q := r[(i+1)%len(r)]
			if p != q {
				a.sides = append(a.sides, [2][2]float64{p, q})
			}
			a.min = [2]float64{math.Min(a.min[0], p[0]), math.Min(a.min[1], p[1])}
			a.max = [2]float64{math.Max(a.max[0], p[0]), math.Max(a.max[1], p[1])}
		}
	}
	// About two sides a band, fewer when long sides would sit in too many
	// bands (at most 16 entries a side on average).
	a.y0 = a.min[1]
	for nb := min(max(1, len(a.sides)/2), 4096); ; nb /= 2 {
		a.band = (a.max[1] - a.min[1]) / float64(nb)
		if !(a.band > 0) {
			a.band, nb = 1, 1
		}
		total := 0
		for _, s := range a.sides {
			total += int(math.Abs(s[0][1]-s[1][1])/a.band) + 2
		}
		if nb == 1 || total <= 16*len(a.sides) {
			a.bands = make([][]int32, nb)
			break
		}
	}
	for i, s := range a.sides {
		lo, hi := a.bandOf(math.Min(s[0][1], s[1][1])), a.bandOf(math.Max(s[0][1], s[1][1]))
		for k := lo; k <= hi; k++ {
			a.bands[k] = append(a.bands[k], int32(i))
		}
	}
	return a
}

func (a *area) empty() bool { return len(a.sides) == 0 }

func (a *area) bandOf(y float64) int {
	k := int(math.Floor((y - a.y0) / a.band))
	return max(0, min(len(a.bands)-1, k))
}

// contains reports whether p is inside (even–odd; a point on a side may
// go either way: only lengths and areas count).
func (a *area) contains(p [2]float64) bool {
	if p[0] < a.min[0] || p[0] > a.max[0] || p[1] < a.min[1] || p[1] > a.max[1] {
		return false
	}
	in := false
	for _, i := range a.bands[a.bandOf(p[1])] {
		s := &a.sides[i]
		u, v := s[0], s[1]
		if (u[1] > p[1]) != (v[1] > p[1]) && p[0] < u[0]+(p[1]-u[1])*(v[0]-u[0])/(v[1]-u[1]) {
			in = !in
		}
	}
	return in
}

// distance returns the distance from p to the area, 0 inside.
func (a *area) distance(p [2]float64) float64 {
	if a.contains(p) {
		return 0
	}
	d := math.Inf(1)
	for _, s := range a.sides {
		d = math.Min(d, dist(p, lerp(s[0], s[1], project(s[0], s[1], p))))
	}
	return d
}

// clip appends to out the parts of segment p→q inside the area, as
// fractions of p→q, sorted and disjoint: the segment is cut where it
// crosses a side, and each piece is in or out as its midpoint is.
func (a *area) clip(p, q [2]float64, out []span) []span {
	if math.Max(p[0], q[0]) < a.min[0] || math.Min(p[0], q[0]) > a.max[0] ||
		math.Max(p[1], q[1]) < a.min[1] || math.Min(p[1], q[1]) > a.max[1] {
		return out
	}
	var buf [16]float64
	ts := append(buf[:0], 0, 1)
	d := [2]float64{q[0] - p[0], q[1] - p[1]}
	lo, hi := a.bandOf(math.Min(p[1], q[1])), a.bandOf(math.Max(p[1], q[1]))
	xmin, xmax := math.Min(p[0], q[0]), math.Max(p[0], q[0])
	for k := lo; k <= hi; k++ {
		for _, i := range a.bands[k] {
			s := &a.sides[i]
			if math.Max(s[0][0], s[1][0]) < xmin || math.Min(s[0][0], s[1][0]) > xmax {
				continue
			}
			if t, ok := crossing(p, d, s[0], s[1]); ok {
				ts = append(ts, t)
			}
		}
	}
	if len(ts) > 2 {
		slices.Sort(ts)
	}
	first := len(out) // out may hold other edges' spans: merge only ours
	for i := 0; i+1 < len(ts); i++ {
		t0, t1 := ts[i], ts[i+1]
		if t1-t0 <= 1e-12 || !a.contains(lerp(p, q, (t0+t1)/2)) {
			continue
		}
		if n := len(out); n > first && out[n-1].t1 >= t0 {
			out[n-1].t1 = t1
		} else {
			out = append(out, span{t0, t1})
		}
	}
	return out
}

// crossing returns where the segment p + t·d (0 ≤ t ≤ 1) meets the
// segment u→v, when it does at a single point.
func crossing(p, d, u, v [2]float64) (float64, bool) {
	e := [2]float64{v[0] - u[0], v[1] - u[1]}
	den := d[0]*e[1] - d[1]*e[0]
	if den == 0 {
		return 0, false // parallel: a collinear overlap has no length inside
	}
	w := [2]float64{u[0] - p[0], u[1] - p[1]}
	t := (w[0]*e[1] - w[1]*e[0]) / den
	s := (w[0]*d[1] - w[1]*d[0]) / den
	if t < 0 || t > 1 || s < 0 || s > 1 {
		return 0, false
	}
	return t, true
}

// mergeSpans sorts spans and joins the overlapping ones, in place.
func mergeSpans(s []span) []span {
	if len(s) < 2 {
		return s
	}
	slices.SortFunc(s, func(a, b span) int {
		switch {
		case a.t0 < b.t0:
			return -1
		case a.t0 > b.t0:
			return 1
		}
		return 0
	})
	out := s[:1]
	for _, x := range s[1:] {
		if last := &out[len(out)-1]; x.t0 <= last.t1 {
			last.t1 = math.Max(last.t1, x.t1)
		} else {
			out = append(out, x)
		}
	}
	return out
}

// measure returns the length of the spans' union within [a, b]; s must be
// merged.
func measure(s []span, a, b float64) float64 {
	m := 0.0
	for _, x := range s {
		if lo, hi := math.Max(x.t0, a), math.Min(x.t1, b); hi > lo {
			m += hi - lo
		}
	}
	return m
}

// within reports whether t lies in one of the spans.
func within(s []span, t float64) bool {
	for _, x := range s {
		if t >= x.t0 && t <= x.t1 {
			return true
		}
	}
	return false
}
