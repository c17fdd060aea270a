package evac

import (
	"cmp"
	"math"
	"slices"

	"github.com/chemtwin/chemtwin/geo/route"
)

// network is the pedestrian view of a route.Graph, built once per
// Planner. The searches run on its junction graph: a drawn walkway has a
// vertex every few metres, and each vertex is a node of degree two, so the
// network is contracted to its junctions (nodes of any other degree) and
// the chains of edges between them. On the benchmark's street grid with a
// vertex every 5 m (83,720 nodes, 100,360 edges) that leaves 16,896
// junctions and 33,536 chains, and a search, bound by memory latency,
// takes about a quarter of the time. Junctions are numbered along a
// Hilbert curve, so that junctions near each other on the ground are near
// each other in memory and a search front walks its arrays in order.
//
// The chains' edges are stored one after the other in chEdges; chain c
// holds the global positions [chOff[c], chOff[c+1]), walked from junction
// chA[c] to chB[c]; chFwd[k] says the edge at position k runs From → To in
// that direction. Static prefix sums over the positions (pLen, pTime) give
// the length and time of any run of a chain in O(1).
type network struct {
	g     *route.Graph
	pos   [][2]float64 // node positions, plant metres (route's numbering)
	level []float64    // node levels
	from  []int32      // edge ends
	to    []int32
	lenM  []float64 // edge length (stairs with the climb)
	timeS []float64 // time to walk the edge at the walking speeds
	ped   []bool    // pedestrians may use the edge
	grid  *edgeGrid // pedestrian edges by cell, for snapping

	jNode   []int32 // junction → node
	chA     []int32 // chain ends, junction ids
	chB     []int32
	chOff   []int32
	chEdges []int32
	chFwd   []bool
	edgeK   []int32 // edge → its position in chEdges, -1 if not pedestrian
	edgeC   []int32 // edge → its chain
	pLen    []float64
	pTime   []float64
	first   []int32 // arcs of junction j: arcs[first[j]:first[j+1]]
	arcs    []arc
	arcLen  []float64 // lenM and timeS of each arc's chain, in arc order
	arcTime []float64

	source map[string][]int32 // source line id → its pedestrian edges
}

// arc is one entry of a junction's adjacency: a chain and its other end.
type arc struct{ chain, to int32 }

func newNetwork(g *route.Graph, o Options) *network {
	nn, ne := g.NumNodes(), g.NumEdges()
	w := &network{g: g, pos: make([][2]float64, nn), level: make([]float64, nn),
		from: make([]int32, ne), to: make([]int32, ne), lenM: make([]float64, ne),
		timeS: make([]float64, ne), ped: make([]bool, ne), source: make(map[string][]int32)}
	for i := range nn {
		n := g.Node(i)
		w.pos[i], w.level[i] = n.P, n.Level
	}
	for i := range ne {
		e := g.Edge(i)
		w.from[i], w.to[i], w.lenM[i], w.ped[i] = int32(e.From), int32(e.To), e.LengthM, e.Pedestrian
		speed := o.WalkMS
		if route.Storey(e.Floor) != route.Storey(e.FloorTo) {
			speed = o.StairsMS
		}
		w.timeS[i] = e.LengthM / speed
		if e.Pedestrian {
			w.source[e.Source] = append(w.source[e.Source], int32(i))
		}
	}
	w.chains()
	w.grid = newEdgeGrid(w)
	return w
}

// chains contracts the network to junctions and chains.
func (w *network) chains() {
	nn, ne := len(w.pos), len(w.from)
	// Node adjacency (pedestrian edges), CSR.
	first := make([]int32, nn+1)
	for e := range ne {
		if w.ped[e] {
			first[w.from[e]+1]++
			first[w.to[e]+1]++
		}
	}
	for n := range nn {
		first[n+1] += first[n]
	}
	adj := make([]int32, first[nn]) // edges
	fill := slices.Clone(first[:nn])
	for e := range ne {
		if w.ped[e] {
			adj[fill[w.from[e]]] = int32(e)
			fill[w.from[e]]++
			adj[fill[w.to[e]]] = int32(e)
			fill[w.to[e]]++
		}
	}
	isJunction := make([]bool, nn)
	for n := range nn {
		d := first[n+1] - first[n]
		isJunction[n] = d != 2 && d > 0 || d == 2 && (adj[first[n]] == adj[first[n]+1] || w.from[adj[first[n]]] == w.to[adj[first[n]]])
	}
	w.edgeK, w.edgeC = make([]int32, ne), make([]int32, ne)
	for e := range w.edgeK {
		w.edgeK[e], w.edgeC[e] = -1, -1
	}
	w.chOff = []int32{0}
	nodeJ := make([]int32, nn)
	// walk follows a chain from junction node j along edge e.
	walk := func(j int32, e int32) {
		c := int32(len(w.chA))
		start := j
		cur := j
		for {
			k := int32(len(w.chEdges))
			fwd := w.from[e] == cur
			w.chEdges, w.chFwd = append(w.chEdges, e), append(w.chFwd, fwd)
			w.edgeK[e], w.edgeC[e] = k, c
			if fwd {
				cur = w.to[e]
			} else {
				cur = w.from[e]
			}
			if isJunction[cur] {
				break
			}
			a := adj[first[cur]]
			if a == e {
				a = adj[first[cur]+1]
			}
			e = a
		}
		w.chA, w.chB = append(w.chA, start), append(w.chB, cur) // nodes for now
		w.chOff = append(w.chOff, int32(len(w.chEdges)))
	}
	for _, n := range w.junctionOrder(isJunction) {
		for _, e := range adj[first[n]:first[n+1]] {
			if w.edgeK[e] < 0 {
				walk(n, e)
			}
		}
	}
	// What is left are rings of degree-two nodes: one node of each becomes
	// a junction.
	for e := range ne {
		if w.ped[e] && w.edgeK[e] < 0 {
			n := w.from[e]
			isJunction[n] = true
			walk(n, int32(e))
		}
	}
	// Number the junctions along the Hilbert curve.
	for _, n := range w.junctionOrder(isJunction) {
		nodeJ[n] = int32(len(w.jNode))
		w.jNode = append(w.jNode, n)
	}
	for c := range w.chA {
		w.chA[c], w.chB[c] = nodeJ[w.chA[c]], nodeJ[w.chB[c]]
	}
	w.pLen, w.pTime = make([]float64, len(w.chEdges)+1), make([]float64, len(w.chEdges)+1)
	for k, e := range w.chEdges {
		w.pLen[k+1], w.pTime[k+1] = w.pLen[k]+w.lenM[e], w.pTime[k]+w.timeS[e]
	}
	// Junction adjacency; a chain that comes back to its junction is never
	// on a shortest way and is left out.
	nj := len(w.jNode)
	w.first = make([]int32, nj+1)
	for c := range w.chA {
		if w.chA[c] != w.chB[c] {
			w.first[w.chA[c]+1]++
			w.first[w.chB[c]+1]++
		}
	}
	for j := range nj {
		w.first[j+1] += w.first[j]
	}
	na := w.first[nj]
	w.arcs, w.arcLen, w.arcTime = make([]arc, na), make([]float64, na), make([]float64, na)
	jfill := slices.Clone(w.first[:nj])
	put := func(j, c, to int32) {
		k := jfill[j]
		jfill[j]++
		lo, hi := w.chOff[c], w.chOff[c+1]
		w.arcs[k], w.arcLen[k], w.arcTime[k] = arc{c, to}, w.pLen[hi]-w.pLen[lo], w.pTime[hi]-w.pTime[lo]
	}
	for c := range w.chA {
		if a, b := w.chA[c], w.chB[c]; a != b {
			put(a, int32(c), b)
			put(b, int32(c), a)
		}
	}
}

// junctionOrder returns the junction nodes along a Hilbert curve over the
// network's bounds (ties by index).
func (w *network) junctionOrder(isJunction []bool) []int32 {
	lo := [2]float64{math.Inf(1), math.Inf(1)}
	hi := [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, p := range w.pos {
		lo = [2]float64{math.Min(lo[0], p[0]), math.Min(lo[1], p[1])}
		hi = [2]float64{math.Max(hi[0], p[0]), math.Max(hi[1], p[1])}
	}
	const side = 1 << 16
	scale := (side - 1) / math.Max(1e-9, math.Max(hi[0]-lo[0], hi[1]-lo[1]))
	type key struct {
		h uint64
		n int32
	}
	var keys []key
	for n, j := range isJunction {
		if j {
			p := w.pos[n]
			keys = append(keys, key{hilbert(side, uint32((p[0]-lo[0])*scale), uint32((p[1]-lo[1])*scale)), int32(n)})
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.n, b.n)
	})
	out := make([]int32, len(keys))
	for i, k := range keys {
		out[i] = k.n
	}
	return out
}

// hilbert returns the distance of cell (x, y) along the Hilbert curve
// filling a side × side square (side a power of two).
func hilbert(side, x, y uint32) uint64 {
	var d uint64
	for s := side / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 {
			if rx == 1 {
				x, y = side-1-x, side-1-y
			}
			x, y = y, x
		}
	}
	return d
}

// aNode and bNode return the ends of the edge at chain position k towards
// the chain's junction A and B.
func (w *network) aNode(k int32) int32 {
	if e := w.chEdges[k]; w.chFwd[k] {
		return w.from[e]
	}
	return w.to[w.chEdges[k]]
}

func (w *network) bNode(k int32) int32 {
	if e := w.chEdges[k]; w.chFwd[k] {
		return w.to[e]
	}
	return w.from[w.chEdges[k]]
}

// project returns the fraction along a→b of the point nearest p, 0–1.
func project(a, b, p [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return 0
	}
	return math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
}

func lerp(a, b [2]float64, t float64) [2]float64 {
	if t == 1 {
		return b
	}
	return [2]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}

func dist(a, b [2]float64) float64 { return math.Hypot(b[0]-a[0], b[1]-a[1]) }
