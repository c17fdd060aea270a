package evac

import (
	"cmp"
	"container/heap"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/geo/route"
)

// This file is the test's own model of a plan, written apart from the
// package: convex areas clipped by Cyrus–Beck instead of the package's
// crossing-and-midpoint clipper, barrier lines by a plain segment test,
// and a textbook Dijkstra per person on the graph split at the person's
// and the muster points' snaps, to every safe muster point.

// refWorld is the test's view of one input.
type refWorld struct {
	g       *route.Graph
	opts    Options
	nogo    [][][2]float64 // convex: hazards and closed areas
	sectors [][][2]float64 // convex downwind sectors
	lines   [][2][2]float64
	closed  map[string]bool
}

func newRefWorld(g *route.Graph, o Options, in Input) *refWorld {
	o = o.withDefaults()
	r := &refWorld{g: g, opts: o, closed: map[string]bool{}}
	ring := func(p orb.Polygon) [][2]float64 {
		var pts [][2]float64
		for _, q := range p[0] {
			pts = append(pts, q)
		}
		return pts
	}
	for _, h := range in.Hazards {
		for _, p := range asPolygons(h.Area) {
			r.nogo = append(r.nogo, ring(p))
			if w := in.Wind; w != nil && w.SpeedMS >= CalmBelowWindMS {
				d := plume.Downwind(w.FromDeg)
				if s := downwindSector(ring(p), [2]float64{d[0], d[1]}, o.DownwindHalfAngleDeg, o.DownwindRangeM); len(s) >= 3 {
					r.sectors = append(r.sectors, s)
				}
			}
		}
	}
	for _, c := range in.Closures {
		switch g := c.Geometry.(type) {
		case orb.LineString:
			for i := 0; i+1 < len(g); i++ {
				r.lines = append(r.lines, [2][2]float64{g[i], g[i+1]})
			}
		case orb.Polygon, orb.MultiPolygon:
			for _, p := range asPolygons(g) {
				r.nogo = append(r.nogo, ring(p))
			}
		}
		for _, s := range c.Sources {
			r.closed[s] = true
		}
	}
	return r
}

func asPolygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// cyrusBeck returns the part [t0, t1] of p→q inside a convex polygon.
func cyrusBeck(poly [][2]float64, p, q [2]float64) (float64, float64, bool) {
	n := len(poly)
	if poly[0] == poly[n-1] {
		n--
	}
	area := 0.0
	for i := range n {
		a, b := poly[i], poly[(i+1)%n]
		area += a[0]*b[1] - b[0]*a[1]
	}
	t0, t1 := 0.0, 1.0
	d := [2]float64{q[0] - p[0], q[1] - p[1]}
	for i := range n {
		a, b := poly[i], poly[(i+1)%n]
		// Outward normal of a counter-clockwise polygon's side.
		nx, ny := b[1]-a[1], -(b[0] - a[0])
		if area < 0 {
			nx, ny = -nx, -ny
		}
		num := nx*(p[0]-a[0]) + ny*(p[1]-a[1])
		den := nx*d[0] + ny*d[1]
		if den == 0 {
			if num > 0 {
				return 0, 0, false
			}
			continue
		}
		t := -num / den
		if den > 0 {
			t1 = math.Min(t1, t)
		} else {
			t0 = math.Max(t0, t)
		}
	}
	return t0, t1, t1 > t0
}

// unionIn returns the length fraction of [a, b] of edge p→q covered by
// the convex polygons.
func unionIn(polys [][][2]float64, p, q [2]float64, a, b float64) float64 {
	var iv [][2]float64
	for _, poly := range polys {
		if t0, t1, ok := cyrusBeck(poly, p, q); ok {
			if lo, hi := math.Max(t0, a), math.Min(t1, b); hi > lo {
				iv = append(iv, [2]float64{lo, hi})
			}
		}
	}
	slices.SortFunc(iv, func(x, y [2]float64) int { return cmp.Compare(x[0], y[0]) })
	total, end := 0.0, math.Inf(-1)
	for _, x := range iv {
		lo := math.Max(x[0], end)
		if x[1] > lo {
			total += x[1] - lo
		}
		end = math.Max(end, x[1])
	}
	return total
}

// segmentsCross reports whether segments ab and cd share a point.
func segmentsCross(a, b, c, d [2]float64) bool {
	orient := func(p, q, r [2]float64) float64 { return (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0]) }
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	return (o1 > 0) != (o2 > 0) && (o3 > 0) != (o4 > 0) && o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0
}

// refCost is the reference's cost of a piece or path.
type refCost struct {
	mm int64
	w  float64
}

func (c refCost) less(d refCost) bool { return c.mm < d.mm || c.mm == d.mm && c.w < d.w }

// piece returns the cost of edge e between fractions a and b, false when
// a barrier crosses it there.
func (r *refWorld) piece(e int, a, b float64) (refCost, bool) {
	ed := r.g.Edge(e)
	p, q := r.g.Node(ed.From).P, r.g.Node(ed.To).P
	pa, pb := lerp(p, q, a), lerp(p, q, b)
	for _, l := range r.lines {
		if segmentsCross(pa, pb, l[0], l[1]) {
			return refCost{}, false
		}
	}
	in := unionIn(r.nogo, p, q, a, b) * ed.LengthM
	if r.closed[ed.Source] {
		in = (b - a) * ed.LengthM
	}
	mm := int64(0)
	if in > 1e-9 {
		mm = int64(math.Ceil(in * 1000))
	}
	down := unionIn(r.sectors, p, q, a, b) * ed.LengthM
	return refCost{mm, (b-a)*ed.LengthM + (r.opts.DownwindFactor-1)*down}, true
}

// inside reports whether a point is in a no-go polygon.
func (r *refWorld) inside(p [2]float64) bool {
	for _, poly := range r.nogo {
		if _, _, ok := cyrusBeck(poly, p, p); ok {
			return true
		}
	}
	return false
}

// startsInside is the reference's idea of who starts inside.
func (r *refWorld) startsInside(p [2]float64, s route.Snap) bool {
	return r.inside(p) || r.inside(s.Point) || r.closed[r.g.Edge(s.Edge).Source]
}

// refItem and refHeap are container/heap's textbook priority queue.
type refItem struct {
	c refCost
	n int
}

type refHeap []refItem

func (h refHeap) Len() int           { return len(h) }
func (h refHeap) Less(i, j int) bool { return h[i].c.less(h[j].c) }
func (h refHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *refHeap) Push(x any)        { *h = append(*h, x.(refItem)) }
func (h *refHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// cost returns the cheapest cost from snap s to snap t (+Inf mm for
// none): Dijkstra on the graph with the edges that hold s and t split at
// them.
func (r *refWorld) cost(s, t route.Snap) refCost {
	g := r.g
	type stop struct {
		t    float64
		node int
	}
	n := g.NumNodes()
	from, to := n, n+1
	splits := map[int][]stop{}
	splits[s.Edge] = append(splits[s.Edge], stop{s.T, from})
	splits[t.Edge] = append(splits[t.Edge], stop{t.T, to})
	type link struct {
		to int
		c  refCost
	}
	adj := make([][]link, n+2)
	for e := range g.NumEdges() {
		ed := g.Edge(e)
		if !ed.Pedestrian {
			continue
		}
		stops := append([]stop{{0, ed.From}}, splits[e]...)
		slices.SortStableFunc(stops[1:], func(x, y stop) int { return cmp.Compare(x.t, y.t) })
		stops = append(stops, stop{1, ed.To})
		for k := 0; k+1 < len(stops); k++ {
			u, v := stops[k].node, stops[k+1].node
			if c, ok := r.piece(e, stops[k].t, stops[k+1].t); ok {
				adj[u] = append(adj[u], link{v, c})
				adj[v] = append(adj[v], link{u, c})
			}
		}
	}
	inf := refCost{math.MaxInt64, math.Inf(1)}
	dist := make([]refCost, len(adj))
	for i := range dist {
		dist[i] = inf
	}
	dist[from] = refCost{}
	h := &refHeap{{refCost{}, from}}
	for h.Len() > 0 {
		it := heap.Pop(h).(refItem)
		if dist[it.n].less(it.c) {
			continue
		}
		for _, l := range adj[it.n] {
			c := refCost{it.c.mm + l.c.mm, it.c.w + l.c.w}
			if c.less(dist[l.to]) {
				dist[l.to] = c
				heap.Push(h, refItem{c, l.to})
			}
		}
	}
	return dist[to]
}
