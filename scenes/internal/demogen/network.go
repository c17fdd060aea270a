package main

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// ground is the network level of everything outdoors and of ground floors
// (floor 1); an indoor walkway on floor f ≥ 2 is on level f.
const ground = 1

func levelOf(floor int) int {
	if floor == 0 || floor == 1 {
		return ground
	}
	return floor
}

// line is one road, walkway or stairs polyline, in plant metres, before the
// network is noded.
type line struct {
	kind     twin.Kind
	level    int // walkways and roads: the level all vertices are on
	from, to int // stairs: the levels of the first and the last vertex
	indoor   bool
	pts      []orb.Point
	props    P
}

// network collects lines and nodes them: wherever two lines of one level
// meet or cross they get a shared vertex, and every line is split there, so
// junctions are always line endpoints.
type network struct {
	lines  []*line // roads and walkways
	stairs []*line
}

func (n *network) add(l *line) {
	if l.kind == twin.KindStairs {
		n.stairs = append(n.stairs, l)
		return
	}
	n.lines = append(n.lines, l)
}

// ray returns the first point where the ray from a in direction d meets a
// line of the given level.
func (n *network) ray(a, d orb.Point, level int) (orb.Point, bool) {
	best := math.Inf(1)
	for _, l := range n.lines {
		if l.level != level {
			continue
		}
		for i := 1; i < len(l.pts); i++ {
			if t, ok := raySegment(a, d, l.pts[i-1], l.pts[i]); ok && t > 1e-6 && t < best {
				best = t
			}
		}
	}
	if math.IsInf(best, 1) {
		return orb.Point{}, false
	}
	return snap(orb.Point{a[0] + best*d[0], a[1] + best*d[1]}), true
}

// raySegment returns t where a + t·d meets segment b0–b1.
func raySegment(a, d, b0, b1 orb.Point) (float64, bool) {
	s := sub(b1, b0)
	den := cross(d, s)
	if math.Abs(den) < 1e-12 {
		return 0, false
	}
	q := sub(b0, a)
	t, u := cross(q, s)/den, cross(q, d)/den
	return t, u >= -1e-9 && u <= 1+1e-9
}

// noded returns the roads and walkways split at every junction.
func (n *network) noded() []*line {
	extra := make([][]orb.Point, len(n.lines))
	for i, a := range n.lines {
		for j := i + 1; j < len(n.lines); j++ {
			if b := n.lines[j]; a.level == b.level {
				for _, q := range crossings(a.pts, b.pts) {
					extra[i] = append(extra[i], q)
					extra[j] = append(extra[j], q)
				}
			}
		}
	}
	forced := map[nodeKey]bool{}
	for _, s := range n.stairs {
		for _, end := range []struct {
			q     orb.Point
			level int
		}{{s.pts[0], s.from}, {s.pts[len(s.pts)-1], s.to}} {
			forced[keyOf(end.q, end.level)] = true
			for i, l := range n.lines {
				if l.level == end.level && onPolyline(l.pts, end.q) {
					extra[i] = append(extra[i], end.q)
				}
			}
		}
	}
	for i, l := range n.lines {
		l.pts = insertPoints(l.pts, extra[i])
	}
	return split(n.lines, useCounts(n.lines, forced))
}

type nodeKey struct {
	x, y  int64 // millimetres
	level int
}

func keyOf(q orb.Point, level int) nodeKey {
	return nodeKey{int64(math.Round(q[0] * 1000)), int64(math.Round(q[1] * 1000)), level}
}

// useCounts counts, per vertex, the lines that pass through it; forced
// vertices (stair landings) count as junctions.
func useCounts(lines []*line, forced map[nodeKey]bool) map[nodeKey]int {
	use := map[nodeKey]int{}
	for k := range forced {
		use[k] = 2
	}
	for _, l := range lines {
		seen := map[nodeKey]bool{}
		for _, q := range l.pts {
			if k := keyOf(q, l.level); !seen[k] {
				seen[k] = true
				use[k]++
			}
		}
	}
	return use
}

// split cuts every line at its inner vertices that other lines share.
func split(lines []*line, use map[nodeKey]int) []*line {
	var out []*line
	for _, l := range lines {
		start := 0
		for i := 1; i < len(l.pts); i++ {
			if i == len(l.pts)-1 || use[keyOf(l.pts[i], l.level)] >= 2 {
				piece := *l
				piece.pts = slices.Clone(l.pts[start : i+1])
				out = append(out, &piece)
				start = i
			}
		}
	}
	return out
}

// crossings returns the points where two polylines meet. Collinear overlaps
// are a drawing mistake and panic.
func crossings(a, b []orb.Point) []orb.Point {
	var pts []orb.Point
	for i := 1; i < len(a); i++ {
		for j := 1; j < len(b); j++ {
			pts = append(pts, segmentCrossings(a[i-1], a[i], b[j-1], b[j])...)
		}
	}
	return pts
}

func segmentCrossings(a0, a1, b0, b1 orb.Point) []orb.Point {
	r, s, q := sub(a1, a0), sub(b1, b0), sub(b0, a0)
	den := cross(r, s)
	if math.Abs(den) < 1e-12 {
		if math.Abs(cross(q, r)) > 1e-9 {
			return nil // parallel
		}
		var pts []orb.Point
		for _, c := range []struct{ p, s0, s1 orb.Point }{{b0, a0, a1}, {b1, a0, a1}, {a0, b0, b1}, {a1, b0, b1}} {
			if onSegment(c.p, c.s0, c.s1) && !slices.Contains(pts, c.p) {
				pts = append(pts, c.p)
			}
		}
		if len(pts) > 1 {
			panic(fmt.Sprintf("demogen: network lines overlap between %v and %v", pts[0], pts[1]))
		}
		return pts
	}
	t, u := cross(q, s)/den, cross(q, r)/den
	if t < -1e-9 || t > 1+1e-9 || u < -1e-9 || u > 1+1e-9 {
		return nil
	}
	return []orb.Point{snap(orb.Point{a0[0] + t*r[0], a0[1] + t*r[1]})}
}

// insertPoints adds the points that lie on the polyline as vertices, in
// order along it.
func insertPoints(pts, extra []orb.Point) []orb.Point {
	out := []orb.Point{pts[0]}
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		var on []orb.Point
		for _, q := range extra {
			if onSegment(q, a, b) && dist(q, a) > 1e-6 && dist(q, b) > 1e-6 && !slices.Contains(on, q) {
				on = append(on, q)
			}
		}
		slices.SortFunc(on, func(p, q orb.Point) int { return cmpFloat(dist(a, p), dist(a, q)) })
		out = append(append(out, on...), b)
	}
	return out
}

func onPolyline(pts []orb.Point, q orb.Point) bool {
	for i := 1; i < len(pts); i++ {
		if onSegment(q, pts[i-1], pts[i]) {
			return true
		}
	}
	return false
}

func onSegment(q, a, b orb.Point) bool {
	const eps = 1e-6
	if math.Abs(cross(sub(b, a), sub(q, a))) > eps*math.Max(1, dist(a, b)) {
		return false
	}
	return q[0] >= math.Min(a[0], b[0])-eps && q[0] <= math.Max(a[0], b[0])+eps &&
		q[1] >= math.Min(a[1], b[1])-eps && q[1] <= math.Max(a[1], b[1])+eps
}

func sub(a, b orb.Point) orb.Point { return orb.Point{a[0] - b[0], a[1] - b[1]} }
func cross(a, b orb.Point) float64 { return a[0]*b[1] - a[1]*b[0] }

// snap rounds a point to the millimetre, so that crossings computed twice
// agree exactly.
func snap(q orb.Point) orb.Point {
	return orb.Point{math.Round(q[0]*1000) / 1000, math.Round(q[1]*1000) / 1000}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
