package route

import (
	"math"
	"slices"
)

// searchState is the per-query scratch of A*, pooled per graph. A node's
// dist and prev are valid only when its stamp equals the query's.
type searchState struct {
	dist  []float64
	prev  []int32 // edge that reached the node; -1 for a start node
	stamp []uint32
	cur   uint32
	heap  []qitem
}

type qitem struct {
	f float64
	n int32
}

func (g *Graph) state() *searchState {
	if st, ok := g.pool.Get().(*searchState); ok {
		st.cur++
		if st.cur == 0 { // wrapped: stale stamps could match again
			clear(st.stamp)
			st.cur = 1
		}
		st.heap = st.heap[:0]
		return st
	}
	n := len(g.nodes)
	return &searchState{dist: make([]float64, n), prev: make([]int32, n), stamp: make([]uint32, n), cur: 1}
}

// astar is one Shortest query. The goal is the point to.T along edge
// to.Edge, reached through either end of that edge (or directly, when both
// snaps share an edge); best is the cost of the best way found so far.
type astar struct {
	g        *Graph
	st       *searchState
	mode     Mode
	from, to Snap

	best     float64
	bestNode int32 // node the path leaves for the goal; -1 for the direct way
}

func (a *astar) run() bool {
	g, ef, et := a.g, &a.g.edges[a.from.Edge], &a.g.edges[a.to.Edge]
	a.best, a.bestNode = math.Inf(1), -1
	if a.from.Edge == a.to.Edge {
		if a.to.T >= a.from.T && ef.forward(a.mode) || a.to.T <= a.from.T && ef.backward(a.mode) {
			a.best = math.Abs(a.to.T-a.from.T) * ef.LengthM
		}
	}
	if ef.backward(a.mode) {
		a.relax(int32(ef.From), a.from.T*ef.LengthM, -1)
	}
	if ef.forward(a.mode) {
		a.relax(int32(ef.To), (1-a.from.T)*ef.LengthM, -1)
	}
	for len(a.st.heap) > 0 {
		it := a.pop()
		if it.f >= a.best {
			break
		}
		u := it.n
		du := a.st.dist[u]
		if it.f > du+a.h(u)+1e-9 {
			continue // stale entry
		}
		if int(u) == et.From && et.forward(a.mode) {
			a.improve(du+a.to.T*et.LengthM, u)
		}
		if int(u) == et.To && et.backward(a.mode) {
			a.improve(du+(1-a.to.T)*et.LengthM, u)
		}
		for _, ar := range g.arcs[g.first[u]:g.first[u+1]] {
			e := &g.edges[ar.edge]
			if ar.forward && !e.forward(a.mode) || !ar.forward && !e.backward(a.mode) {
				continue
			}
			v := int32(e.To)
			if !ar.forward {
				v = int32(e.From)
			}
			a.relax(v, du+e.LengthM, ar.edge)
		}
	}
	return !math.IsInf(a.best, 1)
}

func (a *astar) improve(cost float64, via int32) {
	if cost < a.best {
		a.best, a.bestNode = cost, via
	}
}

func (a *astar) h(n int32) float64 { return dist(a.g.nodes[n].P, a.to.Point) }

func (a *astar) relax(n int32, d float64, edge int32) {
	st := a.st
	if st.stamp[n] == st.cur && st.dist[n] <= d {
		return
	}
	st.stamp[n], st.dist[n], st.prev[n] = st.cur, d, edge
	a.push(qitem{f: d + a.h(n), n: n})
}

// path walks the prev edges back from the best node and assembles the legs.
func (a *astar) path() Path {
	g := a.g
	var nodes []int32
	var edges []int
	for n := a.bestNode; n >= 0; {
		nodes = append(nodes, n)
		e := a.st.prev[n]
		if e < 0 {
			break
		}
		edges = append(edges, int(e))
		if ed := &g.edges[e]; int32(ed.To) == n {
			n = int32(ed.From)
		} else {
			n = int32(ed.To)
		}
	}
	slices.Reverse(nodes)
	slices.Reverse(edges)
	p := Path{Points: [][2]float64{a.from.Point}, Levels: []float64{a.from.Level}}
	leg := func(edge int, pt [2]float64, lv, m float64) {
		p.Points, p.Levels = append(p.Points, pt), append(p.Levels, lv)
		p.Edges, p.LegsM = append(p.Edges, edge), append(p.LegsM, m)
		p.LengthM += m
	}
	if len(nodes) == 0 { // the direct way along one edge
		leg(a.from.Edge, a.to.Point, a.to.Level, a.best)
		return p
	}
	first := g.nodes[nodes[0]]
	leg(a.from.Edge, first.P, first.Level, a.st.dist[nodes[0]])
	for i, e := range edges {
		n := g.nodes[nodes[i+1]]
		leg(e, n.P, n.Level, g.edges[e].LengthM)
	}
	et, tail := &g.edges[a.to.Edge], a.to.T
	if int32(et.To) == a.bestNode {
		tail = 1 - tail
	}
	leg(a.to.Edge, a.to.Point, a.to.Level, tail*et.LengthM)
	return p.trim()
}

// trim drops a zero-length first or last leg (a snap on a node), keeping at
// least one leg. The snap's own point stays the path's end: the node it
// lies on is the one dropped.
func (p Path) trim() Path {
	if len(p.Edges) > 1 && p.LegsM[0] == 0 {
		p.Points = append(p.Points[:1], p.Points[2:]...)
		p.Levels = append(p.Levels[:1], p.Levels[2:]...)
		p.Edges, p.LegsM = p.Edges[1:], p.LegsM[1:]
	}
	if n := len(p.Edges); n > 1 && p.LegsM[n-1] == 0 {
		p.Points = append(p.Points[:n-1], p.Points[n])
		p.Levels = append(p.Levels[:n-1], p.Levels[n])
		p.Edges, p.LegsM = p.Edges[:n-1], p.LegsM[:n-1]
	}
	return p
}

func (a *astar) push(it qitem) {
	h := append(a.st.heap, it)
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !less(h[i], h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
	a.st.heap = h
}

func (a *astar) pop() qitem {
	h := a.st.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && less(h[l], h[m]) {
			m = l
		}
		if r < len(h) && less(h[r], h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	a.st.heap = h
	return top
}

// less orders the heap by f, ties by node index, so that equal-cost paths
// resolve the same way every time.
func less(x, y qitem) bool { return x.f < y.f || x.f == y.f && x.n < y.n }
