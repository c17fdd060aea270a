package route

import (
	"math"
	"slices"

	"github.com/tidwall/rtree"
)

// segIndex returns the R-tree over the floor segments (stairs excluded),
// each bound grown by the tolerance, building it on first use. Noding only
// adds splits, so the bounds stay valid.
func (b *builder) segIndex() *rtree.RTreeG[int32] {
	if b.segTree != nil {
		return b.segTree
	}
	b.segTree = new(rtree.RTreeG[int32])
	for i := range b.segs {
		if s := &b.segs[i]; !s.stairs {
			min, max := b.segBound(s)
			b.segTree.Insert(min, max, int32(i))
		}
	}
	return b.segTree
}

func (b *builder) segBound(s *seg) (min, max [2]float64) {
	p, q, tol := b.nodes[s.a].P, b.nodes[s.b].P, b.opts.SnapM
	return [2]float64{math.Min(p[0], q[0]) - tol, math.Min(p[1], q[1]) - tol},
		[2]float64{math.Max(p[0], q[0]) + tol, math.Max(p[1], q[1]) + tol}
}

// nodeCrossings splits every pair of floor segments that cross properly,
// away from their ends, at a node on the crossing.
func (b *builder) nodeCrossings() {
	tr := b.segIndex()
	var near []int32
	for i := range b.segs {
		if b.segs[i].stairs {
			continue
		}
		min, max := b.segBound(&b.segs[i])
		near = near[:0]
		tr.Search(min, max, func(_, _ [2]float64, j int32) bool {
			if int(j) > i && b.segs[j].lv == b.segs[i].lv {
				near = append(near, j)
			}
			return true
		})
		slices.Sort(near) // R-tree order is an implementation detail; node order must not be
		for _, j := range near {
			b.cross(int32(i), j)
		}
	}
}

// cross splits segments i and j at their proper crossing, if any.
func (b *builder) cross(i, j int32) {
	s, t := &b.segs[i], &b.segs[j]
	if s.a == t.a || s.a == t.b || s.b == t.a || s.b == t.b {
		return // they meet at a shared node already
	}
	p, p2 := b.nodes[s.a].P, b.nodes[s.b].P
	q, q2 := b.nodes[t.a].P, b.nodes[t.b].P
	x, ok := crossing(p, p2, q, q2)
	if !ok {
		return
	}
	for _, end := range [][2]float64{p, p2, q, q2} {
		if dist(x, end) <= b.opts.SnapM {
			return // near an end: a T-junction, handled by nodeTees
		}
	}
	n := b.snap(x, s.lv, float64(s.lv.level))
	b.addSplit(s, n)
	b.addSplit(t, n)
}

// nodeTees splits every floor segment that passes within the tolerance of
// a node not its own (a T-junction, or a crossing node of other segments).
func (b *builder) nodeTees() {
	tr := b.segIndex()
	tol := b.opts.SnapM
	var near []int32
	for n := range b.nodes {
		lv := b.nodeLv[n]
		if lv.conn >= 0 {
			continue // inner stairs vertices touch nothing
		}
		p := b.nodes[n].P
		near = near[:0]
		tr.Search([2]float64{p[0] - tol, p[1] - tol}, [2]float64{p[0] + tol, p[1] + tol}, func(_, _ [2]float64, j int32) bool {
			if s := &b.segs[j]; s.lv == lv && int(s.a) != n && int(s.b) != n {
				near = append(near, j)
			}
			return true
		})
		slices.Sort(near)
		for _, j := range near {
			s := &b.segs[j]
			if _, d := b.project(s, p); d <= tol {
				b.addSplit(s, int32(n))
			}
		}
	}
}

// addSplit inserts node n into segment s, once, unless n ends it or falls
// outside its interior.
func (b *builder) addSplit(s *seg, n int32) {
	if n == s.a || n == s.b {
		return
	}
	for _, sp := range s.splits {
		if sp.node == n {
			return
		}
	}
	t, _ := b.project(s, b.nodes[n].P)
	if t <= 0 || t >= 1 {
		return
	}
	s.splits = append(s.splits, split{t: t, node: n})
}

// project returns the fraction along s of the point nearest to p, clamped to
// [0, 1], and the distance from p to it.
func (b *builder) project(s *seg, p [2]float64) (t, d float64) {
	a, c := b.nodes[s.a].P, b.nodes[s.b].P
	t = projectT(a, c, p)
	return t, dist(p, lerp(a, c, t))
}

func projectT(a, b, p [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return 0
	}
	return math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
}

// crossing returns the point where segments p→p2 and q→q2 cross, if they
// cross at interior points of both. Parallel and collinear segments do not
// cross (their touching ends are T-junctions).
func crossing(p, p2, q, q2 [2]float64) ([2]float64, bool) {
	r := [2]float64{p2[0] - p[0], p2[1] - p[1]}
	s := [2]float64{q2[0] - q[0], q2[1] - q[1]}
	den := r[0]*s[1] - r[1]*s[0]
	if math.Abs(den) <= 1e-12*math.Hypot(r[0], r[1])*math.Hypot(s[0], s[1]) {
		return [2]float64{}, false
	}
	qp := [2]float64{q[0] - p[0], q[1] - p[1]}
	t := (qp[0]*s[1] - qp[1]*s[0]) / den
	u := (qp[0]*r[1] - qp[1]*r[0]) / den
	if t <= 0 || t >= 1 || u <= 0 || u >= 1 {
		return [2]float64{}, false
	}
	return [2]float64{p[0] + t*r[0], p[1] + t*r[1]}, true
}
