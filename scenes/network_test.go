package scenes

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// vertexKey identifies a network vertex: its exact position and its level.
// Outdoors and floors 0 and 1 are the ground level; a walkway on floor f ≥ 2
// is on level f; a stairs line starts on floor_from and ends on floor_to
// (docs/scene-format.md).
type vertexKey struct {
	p     orb.Point
	level int
}

func levelOf(floor float64) int {
	if floor == 0 || floor == 1 {
		return 1
	}
	return int(floor)
}

// netLine is a road, walkway or stairs of a scene, prepared for the
// network tests.
type netLine struct {
	id     string
	level  int
	stairs bool
	pts    []orb.Point // plant metres
	keys   []vertexKey
	bound  orb.Bound
}

func networkLines(s *Scene) []netLine {
	var out []netLine
	for _, e := range s.Entities {
		if e.Kind != twin.KindRoad && e.Kind != twin.KindWalkway && e.Kind != twin.KindStairs {
			continue
		}
		ls := e.Geometry.(orb.LineString)
		l := netLine{id: e.ID, level: levelOf(e.Float("floor", 0)), stairs: e.Kind == twin.KindStairs}
		for i, q := range ls {
			level := l.level
			switch {
			case l.stairs && i == 0:
				level = levelOf(e.Float("floor_from", 0))
			case l.stairs && i == len(ls)-1:
				level = levelOf(e.Float("floor_to", 0))
			case l.stairs:
				level = -1000 - i // inner stair vertices join nothing
			}
			l.keys = append(l.keys, vertexKey{q, level})
			x, y := s.Frame.FastLocal(q)
			l.pts = append(l.pts, orb.Point{x, y})
		}
		l.bound = orb.LineString(l.pts).Bound().Pad(0.01)
		out = append(out, l)
	}
	return out
}

// unnodedCrossing reports a point where two polylines meet other than at a
// vertex they share.
func unnodedCrossing(a, b []orb.Point) (orb.Point, bool) {
	for i := 1; i < len(a); i++ {
		for j := 1; j < len(b); j++ {
			a0, a1, b0, b1 := a[i-1], a[i], b[j-1], b[j]
			q, meet, overlap := segmentsMeet(a0, a1, b0, b1)
			if !meet {
				continue
			}
			shared := near(q, a0) && (near(q, b0) || near(q, b1)) || near(q, a1) && (near(q, b0) || near(q, b1))
			if overlap || !shared {
				return q, true
			}
		}
	}
	return orb.Point{}, false
}

func near(p, q orb.Point) bool { return math.Hypot(p[0]-q[0], p[1]-q[1]) < 1e-3 }

// segmentsMeet returns a point the segments have in common, and whether
// they overlap along a stretch.
func segmentsMeet(a0, a1, b0, b1 orb.Point) (q orb.Point, meet, overlap bool) {
	cross := func(u, v orb.Point) float64 { return u[0]*v[1] - u[1]*v[0] }
	sub := func(u, v orb.Point) orb.Point { return orb.Point{u[0] - v[0], u[1] - v[1]} }
	r, s, d := sub(a1, a0), sub(b1, b0), sub(b0, a0)
	den := cross(r, s)
	if math.Abs(den) < 1e-9 {
		if math.Abs(cross(d, r)) > 1e-6 {
			return q, false, false
		}
		var common []orb.Point
		for _, c := range [][3]orb.Point{{b0, a0, a1}, {b1, a0, a1}, {a0, b0, b1}, {a1, b0, b1}} {
			if geo.DistanceToM(orb.LineString{c[1], c[2]}, c[0]) >= 0 && onSeg(c[0], c[1], c[2]) {
				common = append(common, c[0])
			}
		}
		if len(common) == 0 {
			return q, false, false
		}
		for _, c := range common[1:] {
			if !near(c, common[0]) {
				return common[0], true, true
			}
		}
		return common[0], true, false
	}
	t, u := cross(d, s)/den, cross(d, r)/den
	const eps = 1e-9
	if t < -eps || t > 1+eps || u < -eps || u > 1+eps {
		return q, false, false
	}
	return orb.Point{a0[0] + t*r[0], a0[1] + t*r[1]}, true, false
}

func onSeg(q, a, b orb.Point) bool {
	const eps = 1e-6
	return q[0] >= math.Min(a[0], b[0])-eps && q[0] <= math.Max(a[0], b[0])+eps &&
		q[1] >= math.Min(a[1], b[1])-eps && q[1] <= math.Max(a[1], b[1])+eps
}

// unionFind joins vertex keys into components.
type unionFind map[vertexKey]vertexKey

func (u unionFind) find(k vertexKey) vertexKey {
	for {
		p, ok := u[k]
		if !ok || p == k {
			return k
		}
		if gp, ok := u[p]; ok {
			u[k] = gp // path halving
		}
		k = p
	}
}

func (u unionFind) union(a, b vertexKey) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u[ra] = rb
	}
}
