package evac

import (
	"fmt"
	"hash/fnv"
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/route"
)

// MaxVertices bounds the vertices of all the hazards and closures of one
// plan together.
const MaxVertices = 1 << 18

// zoneKind is what an area of a plan is.
type zoneKind uint8

const (
	zoneHazard zoneKind = iota + 1
	zoneClosure
	zoneSector // a hazard's downwind sector
)

// zone is one polygon of a plan, prepared and clipped against the network.
type zone struct {
	id   string // the hazard's or closure's id
	kind zoneKind
	*clipped
}

// clipped is a polygon with the pedestrian edges it covers: edges[i] has
// spans[off[i]:off[i+1]] inside it. Clipped polygons are cached by the
// Planner between plans, keyed by their coordinates.
type clipped struct {
	area  *area
	edges []int32
	off   []int32
	spans []span
	gen   uint64 // the last plan that used it
}

// clipArea finds the pedestrian edges a polygon covers (R-tree prefilter
// on its bounds, then the exact clip).
func (w *network) clipArea(a *area) *clipped {
	c := &clipped{area: a, off: []int32{0}}
	if a.empty() {
		return c
	}
	w.g.Search(a.min, a.max, func(e int) bool {
		if !w.ped[e] {
			return true
		}
		n := len(c.spans)
		c.spans = a.clip(w.pos[w.from[e]], w.pos[w.to[e]], c.spans)
		if len(c.spans) > n {
			c.edges = append(c.edges, int32(e))
			c.off = append(c.off, int32(len(c.spans)))
		}
		return true
	})
	return c
}

// polygonRings returns the polygons of a Polygon or MultiPolygon as rings
// of plain points, checking each ring.
func polygonRings(g orb.Geometry) ([][][][2]float64, int, error) {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return nil, 0, fmt.Errorf("geometry %T (want Polygon or MultiPolygon)", g)
	}
	var out [][][][2]float64
	n := 0
	for _, poly := range polys {
		if len(poly) == 0 {
			return nil, 0, fmt.Errorf("polygon without rings")
		}
		var rings [][][2]float64
		for _, r := range poly {
			pts := make([][2]float64, len(r))
			distinct := map[[2]float64]bool{}
			for i, p := range r {
				if !validPoint(p) {
					return nil, 0, fmt.Errorf("vertex %v (want finite plant metres within %g)", p, MaxCoordM)
				}
				pts[i] = p
				if len(distinct) < 3 {
					distinct[p] = true
				}
			}
			if len(distinct) < 3 {
				return nil, 0, fmt.Errorf("ring of %d points (want 3 distinct)", len(r))
			}
			rings = append(rings, pts)
			n += len(r)
		}
		out = append(out, rings)
	}
	return out, n, nil
}

// lineStrings returns the lines of a LineString or MultiLineString.
func lineStrings(g orb.Geometry) ([][][2]float64, int, error) {
	var ls []orb.LineString
	switch g := g.(type) {
	case orb.LineString:
		ls = []orb.LineString{g}
	case orb.MultiLineString:
		ls = g
	}
	var out [][][2]float64
	n := 0
	for _, l := range ls {
		if len(l) < 2 {
			return nil, 0, fmt.Errorf("line of %d points (want 2)", len(l))
		}
		pts := make([][2]float64, len(l))
		for i, p := range l {
			if !validPoint(p) {
				return nil, 0, fmt.Errorf("vertex %v (want finite plant metres within %g)", p, MaxCoordM)
			}
			pts[i] = p
		}
		out = append(out, pts)
		n += len(l)
	}
	return out, n, nil
}

// ringsKey hashes a polygon's coordinates with a kind tag and parameters.
func ringsKey(tag byte, rings [][][2]float64, params ...float64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	put := func(v uint64) {
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
		h.Write(b[:])
	}
	h.Write([]byte{tag})
	for _, p := range params {
		put(math.Float64bits(p))
	}
	for _, r := range rings {
		put(uint64(len(r)))
		for _, p := range r {
			put(math.Float64bits(p[0]))
			put(math.Float64bits(p[1]))
		}
	}
	return h.Sum64()
}

// edgeZone is what the plan's zones make of one edge.
type edgeZone struct {
	// inside hazards or closed areas; in downwind sectors. An edge that
	// one zone of a kind covers shares that zone's cached spans (capacity
	// capped, so that adding to them copies); spans of several zones are
	// copied and merged.
	nogo, down   []span
	nNogo, nDown int32
	closed       bool // its source line is closed
	cut          bool // a barrier crosses it (costs.cuts has where)
}

// cost is the cost of walking a path or a piece of one: millimetres inside
// hazards and closures first, then weighted metres; with the real length
// and time.
type cost struct {
	ins         int64 // mm inside hazards and closures
	w           float64
	lenM, timeS float64
}

func (c cost) add(d cost) cost {
	return cost{c.ins + d.ins, c.w + d.w, c.lenM + d.lenM, c.timeS + d.timeS}
}

// less orders costs lexicographically: inside millimetres, then weight.
func (c cost) less(d cost) bool { return c.ins < d.ins || c.ins == d.ins && c.w < d.w }

// insideMM counts metres inside hazards and closures in whole millimetres,
// rounded up, so that any piece with length inside (beyond float noise)
// counts at least 1 mm and the lexicographic order is exact: a path with
// none inside always beats one with some.
func insideMM(m float64) int64 {
	if m <= 1e-9 {
		return 0
	}
	return int64(math.Ceil(m * 1000))
}

// costs are the per-edge costs of one plan: the zones of the edges they
// touch, prefix sums over the chains, and the chains' costs.
type costs struct {
	net    *network
	factor float64 // downwind factor
	zoneOf []int32 // edge → its entry in zones, -1 for none
	zones  []edgeZone
	cuts   map[int32][]float64 // where barriers cross an edge
	// prefix sums of ins, w and cut edges over the chain positions
	pIns []int64
	pW   []float64
	pCut []int32
	// arcIns and arcW are the chains' costs in the order of the junction
	// graph's arcs, for the search to read in sequence; arcIns is -1 for a
	// cut chain.
	arcIns []int64
	arcW   []float64
}

// newCosts prepares the costs of the zones, for size edges' entries.
func newCosts(net *network, factor float64, size int) *costs {
	c := &costs{net: net, factor: factor, zoneOf: make([]int32, len(net.lenM)),
		zones: make([]edgeZone, 0, size), cuts: make(map[int32][]float64)}
	for i := range c.zoneOf {
		c.zoneOf[i] = -1
	}
	return c
}

// zone returns edge e's entry, making it.
func (c *costs) zone(e int32) *edgeZone {
	if c.zoneOf[e] < 0 {
		c.zoneOf[e] = int32(len(c.zones))
		c.zones = append(c.zones, edgeZone{})
	}
	return &c.zones[c.zoneOf[e]]
}

// zoneAt returns edge e's entry, nil for none.
func (c *costs) zoneAt(e int32) *edgeZone {
	if k := c.zoneOf[e]; k >= 0 {
		return &c.zones[k]
	}
	return nil
}

// addZone records what a zone covers.
func (c *costs) addZone(z zone) {
	for i, e := range z.edges {
		s := z.spans[z.off[i]:z.off[i+1]:z.off[i+1]]
		ez := c.zone(e)
		list, n := &ez.nogo, &ez.nNogo
		if z.kind == zoneSector {
			list, n = &ez.down, &ez.nDown
		}
		if *n == 0 {
			*list = s // shared, read only
		} else {
			*list = append(*list, s...) // a copy: s's capacity is capped
		}
		*n++
	}
}

// addLine cuts the pedestrian edges a barrier line crosses.
func (c *costs) addLine(line [][2]float64) {
	w := c.net
	for i := 0; i+1 < len(line); i++ {
		u, v := line[i], line[i+1]
		lo := [2]float64{math.Min(u[0], v[0]), math.Min(u[1], v[1])}
		hi := [2]float64{math.Max(u[0], v[0]), math.Max(u[1], v[1])}
		w.g.Search(lo, hi, func(e int) bool {
			if !w.ped[e] {
				return true
			}
			p, q := w.pos[w.from[e]], w.pos[w.to[e]]
			if t, ok := crossing(p, [2]float64{q[0] - p[0], q[1] - p[1]}, u, v); ok {
				c.zone(int32(e)).cut = true
				c.cuts[int32(e)] = append(c.cuts[int32(e)], t)
			}
			return true
		})
	}
}

// finish merges the spans and sets the prefix sums and the chains'
// costs.
func (c *costs) finish() {
	for k := range c.zones {
		z := &c.zones[k]
		if z.nNogo > 1 {
			z.nogo = mergeSpans(z.nogo)
		}
		if z.nDown > 1 {
			z.down = mergeSpans(z.down)
		}
	}
	w := c.net
	n := len(w.chEdges) + 1
	c.pIns, c.pW, c.pCut = make([]int64, n), make([]float64, n), make([]int32, n)
	for k, e := range w.chEdges {
		ins, wt, cut := int64(0), w.lenM[e], int32(0)
		if z := c.zoneAt(e); z != nil {
			whole, _ := c.piece(e, 0, 1)
			ins, wt = whole.ins, whole.w
			if z.cut {
				cut = 1
			}
		}
		c.pIns[k+1], c.pW[k+1], c.pCut[k+1] = c.pIns[k]+ins, c.pW[k]+wt, c.pCut[k]+cut
	}
	c.arcIns, c.arcW = make([]int64, len(w.arcs)), make([]float64, len(w.arcs))
	for k, a := range w.arcs {
		run, ok := c.run(w.chOff[a.chain], w.chOff[a.chain+1])
		c.arcIns[k], c.arcW[k] = run.ins, run.w
		if !ok {
			c.arcIns[k] = -1
		}
	}
}

// run returns the cost of the chain positions [k0, k1), and false when a
// barrier cuts one of them.
func (c *costs) run(k0, k1 int32) (cost, bool) {
	w := c.net
	return cost{c.pIns[k1] - c.pIns[k0], c.pW[k1] - c.pW[k0], w.pLen[k1] - w.pLen[k0], w.pTime[k1] - w.pTime[k0]},
		c.pCut[k1] == c.pCut[k0]
}

// toA and toB return the cost of walking from a snap along its chain to
// the chain's junction A or B.
func (c *costs) toA(s route.Snap) (cost, bool) {
	w, e := c.net, int32(s.Edge)
	k := w.edgeK[e]
	a, b := s.T, 1.0 // the piece of the edge towards A
	if w.chFwd[k] {
		a, b = 0, s.T
	}
	pc, ok := c.piece(e, a, b)
	run, rok := c.run(w.chOff[w.edgeC[e]], k)
	return pc.add(run), ok && rok
}

func (c *costs) toB(s route.Snap) (cost, bool) {
	w, e := c.net, int32(s.Edge)
	k := w.edgeK[e]
	a, b := 0.0, s.T
	if w.chFwd[k] {
		a, b = s.T, 1
	}
	pc, ok := c.piece(e, a, b)
	run, rok := c.run(k+1, w.chOff[w.edgeC[e]+1])
	return pc.add(run), ok && rok
}

// between returns the cost of walking between two snaps on one chain,
// along it.
func (c *costs) between(s, u route.Snap) (cost, bool) {
	w := c.net
	ks, ku := w.edgeK[s.Edge], w.edgeK[u.Edge]
	if ks == ku {
		return c.piece(int32(s.Edge), min(s.T, u.T), max(s.T, u.T))
	}
	if ks > ku {
		s, u, ks, ku = u, s, ku, ks
	}
	// s is nearer A: from s towards B to the end of its edge, the edges
	// between, and u's edge from its A end to u.
	a, b := 0.0, s.T
	if w.chFwd[ks] {
		a, b = s.T, 1
	}
	p1, ok1 := c.piece(int32(s.Edge), a, b)
	a, b = u.T, 1
	if w.chFwd[ku] {
		a, b = 0, u.T
	}
	p2, ok2 := c.piece(int32(u.Edge), a, b)
	run, ok := c.run(ks+1, ku)
	return p1.add(run).add(p2), ok1 && ok2 && ok
}

// piece returns the cost of walking edge e between fractions a ≤ b, and
// false when a barrier line crosses it there.
func (c *costs) piece(e int32, a, b float64) (cost, bool) {
	f := b - a
	l := c.net.lenM[e]
	pc := cost{w: f * l, lenM: f * l, timeS: f * c.net.timeS[e]}
	z := c.zoneAt(e)
	if z == nil {
		return pc, true
	}
	if z.cut {
		for _, t := range c.cuts[e] {
			if t >= a && t <= b {
				return pc, false
			}
		}
	}
	if z.closed {
		pc.ins = insideMM(f * l)
	} else if len(z.nogo) > 0 {
		pc.ins = insideMM(measure(z.nogo, a, b) * l)
	}
	if len(z.down) > 0 {
		pc.w += (c.factor - 1) * measure(z.down, a, b) * l
	}
	return pc, true
}

// inside reports whether the point at fraction t of edge e is inside a
// hazard or closure.
func (c *costs) inside(e int32, t float64) bool {
	z := c.zoneAt(e)
	return z != nil && (z.closed || within(z.nogo, t))
}
