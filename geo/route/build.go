package route

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tidwall/rtree"
)

// maxCoordM bounds input coordinates: a plant frame spans kilometres, so a
// coordinate beyond 10,000 km is a unit or CRS mistake, not a plant.
const maxCoordM = 1e7

// maxFloor bounds floor numbers (a sanity limit for input, not a building
// code figure).
const maxFloor = 200

// Build makes the graph of lines (see the package documentation for the
// snapping and noding rules). Lines it cannot use are skipped and each is
// reported in the returned error, which wraps ErrBadLine; the graph of the
// remaining lines is returned all the same, so that one bad feature does not
// take the network down. Only bad options give a nil graph.
func Build(lines []Line, opts Options) (*Graph, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	b := newBuilder(opts)
	var errs []error
	for i := range lines {
		l, err := cleanLine(&lines[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: line %d %q: %v", ErrBadLine, i, lines[i].ID, err))
			continue
		}
		b.addLine(l)
	}
	b.nodeCrossings()
	b.nodeTees()
	return b.graph(), errors.Join(errs...)
}

// cleanLine validates l and returns a copy without repeated points.
func cleanLine(l *Line) (Line, error) {
	c := *l
	if len(l.Points) < 2 {
		return c, fmt.Errorf("%d point(s), need 2", len(l.Points))
	}
	for _, v := range []float64{l.WidthM, l.SpeedLimitKmh, l.ClimbM} {
		if !finite(v) || v < 0 {
			return c, fmt.Errorf("width, speed limit and climb must be finite and ≥ 0 (got %v, %v, %v)", l.WidthM, l.SpeedLimitKmh, l.ClimbM)
		}
	}
	if abs(l.Floor) > maxFloor || abs(l.FloorTo) > maxFloor {
		return c, fmt.Errorf("floor %d→%d out of ±%d", l.Floor, l.FloorTo, maxFloor)
	}
	c.Points = make([][2]float64, 0, len(l.Points))
	for i, p := range l.Points {
		if !finite(p[0]) || !finite(p[1]) || math.Abs(p[0]) > maxCoordM || math.Abs(p[1]) > maxCoordM {
			return c, fmt.Errorf("point %d %v is not a finite plant coordinate", i, p)
		}
		if len(c.Points) == 0 || c.Points[len(c.Points)-1] != p {
			c.Points = append(c.Points, p)
		}
	}
	if len(c.Points) < 2 {
		if !c.Stairs() {
			return c, errors.New("all points are equal")
		}
		c.Points = append(c.Points, c.Points[0]) // a ladder or lift: no run, only climb
	}
	return c, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// levelKey names a level for snapping: nodes merge only on the same key.
// The inner vertices of stairs get a key of their own (conn = the line's
// index), so nothing snaps to them.
type levelKey struct {
	level int   // Storey of the floor
	conn  int32 // -1 on a floor
}

type cellKey struct {
	lv   levelKey
	x, y int64
}

// seg is one input segment between two vertex nodes.
type seg struct {
	line   int32
	a, b   int32 // node indices
	lv     levelKey
	stairs bool    // part of a stairs line: its interior is never noded
	climbM float64 // the height this segment climbs (stairs)
	splits []split
}

// split is a node inserted into a segment at fraction t.
type split struct {
	t    float64
	node int32
}

type builder struct {
	opts   Options
	lines  []Line
	nodes  []Node
	nodeLv []levelKey
	cell   float64
	grid   map[cellKey][]int32
	segs   []seg
	// segTree indexes segs once they are all added (segIndex).
	segTree *rtree.RTreeG[int32]
}

func newBuilder(opts Options) *builder {
	cell := opts.SnapM
	if cell == 0 {
		cell = 1
	}
	return &builder{opts: opts, cell: cell, grid: make(map[cellKey][]int32)}
}

// addLine adds the vertex nodes and segments of a clean line.
func (b *builder) addLine(l Line) {
	li := int32(len(b.lines))
	b.lines = append(b.lines, l)
	run := 0.0
	for i := 1; i < len(l.Points); i++ {
		run += dist(l.Points[i-1], l.Points[i])
	}
	from, to := Storey(l.Floor), Storey(l.FloorTo)
	climb := l.ClimbM
	if l.Stairs() && climb == 0 {
		climb = float64(abs(to-from)) * b.opts.FloorHeightM
	}
	last := len(l.Points) - 1
	var prev int32
	done := 0.0
	for i, p := range l.Points {
		if i > 0 {
			done += dist(l.Points[i-1], p)
		}
		lv, level := levelKey{level: from, conn: -1}, float64(from)
		switch {
		case l.Stairs() && i == last:
			lv, level = levelKey{level: to, conn: -1}, float64(to)
		case l.Stairs() && i > 0:
			frac := float64(i) / float64(last)
			if run > 0 {
				frac = done / run
			}
			lv = levelKey{level: from, conn: li}
			level = float64(from) + float64(to-from)*frac
		}
		n := b.snap(p, lv, level)
		if i > 0 && n != prev {
			s := seg{line: li, a: prev, b: n, lv: lv, stairs: l.Stairs()}
			if s.stairs {
				s.climbM = climb / float64(last)
				if run > 0 {
					s.climbM = climb * dist(l.Points[i-1], p) / run
				}
			}
			b.segs = append(b.segs, s)
		}
		prev = n
	}
}

// snap returns the node on level lv nearest to p within the tolerance, or a
// new node at p.
func (b *builder) snap(p [2]float64, lv levelKey, level float64) int32 {
	cx, cy := int64(math.Floor(p[0]/b.cell)), int64(math.Floor(p[1]/b.cell))
	best, bestD := int32(-1), math.Inf(1)
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			for _, n := range b.grid[cellKey{lv, cx + dx, cy + dy}] {
				if d := dist(b.nodes[n].P, p); d <= b.opts.SnapM && d < bestD {
					best, bestD = n, d
				}
			}
		}
	}
	if best >= 0 {
		return best
	}
	n := int32(len(b.nodes))
	b.nodes = append(b.nodes, Node{P: p, Level: level})
	b.nodeLv = append(b.nodeLv, lv)
	k := cellKey{lv, cx, cy}
	b.grid[k] = append(b.grid[k], n)
	return n
}

// graph emits the edges (each segment cut at its splits) and the indexes.
func (b *builder) graph() *Graph {
	g := &Graph{opts: b.opts, nodes: b.nodes}
	for i := range b.segs {
		s := &b.segs[i]
		slices.SortFunc(s.splits, func(x, y split) int {
			if c := cmpFloat(x.t, y.t); c != 0 {
				return c
			}
			return int(x.node - y.node)
		})
		chain := make([]int32, 0, len(s.splits)+2)
		chain = append(chain, s.a)
		for _, sp := range s.splits {
			chain = append(chain, sp.node)
		}
		chain = append(chain, s.b)
		prev := chain[0]
		for _, n := range chain[1:] {
			if n == prev {
				continue
			}
			g.addEdge(b.lines[s.line], s, prev, n)
			prev = n
		}
	}
	g.index()
	return g
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

func (g *Graph) addEdge(l Line, s *seg, from, to int32) {
	length := dist(g.nodes[from].P, g.nodes[to].P)
	if s.stairs {
		length = math.Hypot(length, s.climbM)
	}
	g.edges = append(g.edges, Edge{
		From: int(from), To: int(to), LengthM: length, Source: l.ID,
		Vehicle: l.Vehicle, Pedestrian: l.Pedestrian, Oneway: l.Oneway,
		WidthM: l.WidthM, SpeedLimitKmh: l.SpeedLimitKmh,
		Floor: l.Floor, FloorTo: l.FloorTo,
	})
}

// index builds the adjacency (CSR) and the edge R-tree.
func (g *Graph) index() {
	g.first = make([]int32, len(g.nodes)+1)
	for _, e := range g.edges {
		g.first[e.From+1]++
		g.first[e.To+1]++
	}
	for i := 1; i < len(g.first); i++ {
		g.first[i] += g.first[i-1]
	}
	g.arcs = make([]arc, len(g.edges)*2)
	fill := slices.Clone(g.first[:len(g.nodes)])
	for i, e := range g.edges {
		g.arcs[fill[e.From]] = arc{edge: int32(i), forward: true}
		fill[e.From]++
		g.arcs[fill[e.To]] = arc{edge: int32(i), forward: false}
		fill[e.To]++
	}
	for i, e := range g.edges {
		a, b := g.nodes[e.From].P, g.nodes[e.To].P
		g.tree.Insert(
			[2]float64{math.Min(a[0], b[0]), math.Min(a[1], b[1])},
			[2]float64{math.Max(a[0], b[0]), math.Max(a[1], b[1])},
			int32(i))
	}
}
