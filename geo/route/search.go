package route

import (
	"fmt"
	"math"
)

// Snap is a position on the network: a fraction along one edge.
type Snap struct {
	Edge  int        // edge index
	T     float64    // fraction along the edge, 0 at From, 1 at To
	Point [2]float64 // the position, plant metres
	Level float64    // the storey at the position (see Node.Level)
	DistM float64    // distance from the query point (Nearest), metres
}

// At returns the snap at fraction t (clamped to 0–1) along edge i.
func (g *Graph) At(i int, t float64) Snap {
	t = math.Max(0, math.Min(1, t))
	p, lv := g.PointAt(i, t)
	return Snap{Edge: i, T: t, Point: p, Level: lv}
}

// Nearest snaps p (plant metres) to the closest point of an edge mode may
// use, on any floor. It reports false when no edge allows mode.
func (g *Graph) Nearest(p [2]float64, mode Mode) (Snap, bool) {
	return g.nearest(p, func(e *Edge) bool { return e.Allows(mode) })
}

// NearestOn is Nearest restricted to edges that touch a floor (numbered as
// Line.Floor; 0 and 1 are both the ground level): those lying on it and the
// flights of stairs arriving at it.
func (g *Graph) NearestOn(p [2]float64, floor int, mode Mode) (Snap, bool) {
	lv := float64(Storey(floor))
	return g.nearest(p, func(e *Edge) bool {
		return e.Allows(mode) && (g.nodes[e.From].Level == lv || g.nodes[e.To].Level == lv)
	})
}

func (g *Graph) nearest(p [2]float64, ok func(*Edge) bool) (Snap, bool) {
	var snap Snap
	found := false
	g.tree.Nearby(
		func(min, max [2]float64, i int32, item bool) float64 {
			if item {
				e := &g.edges[i]
				a, b := g.nodes[e.From].P, g.nodes[e.To].P
				return dist(p, lerp(a, b, projectT(a, b, p)))
			}
			dx := math.Max(0, math.Max(min[0]-p[0], p[0]-max[0]))
			dy := math.Max(0, math.Max(min[1]-p[1], p[1]-max[1]))
			return math.Hypot(dx, dy)
		},
		func(_, _ [2]float64, i int32, d float64) bool {
			e := &g.edges[i]
			if !ok(e) {
				return true
			}
			snap = g.At(int(i), projectT(g.nodes[e.From].P, g.nodes[e.To].P, p))
			snap.DistM, found = d, true
			return false
		})
	return snap, found
}

// Path is a route along the network.
type Path struct {
	Points [][2]float64 // plant metres, from the start snap to the end snap
	Levels []float64    // the storey at each point
	// Edges[i] carries the leg Points[i] → Points[i+1], whose network
	// length (stairs climb included) is LegsM[i].
	Edges   []int
	LegsM   []float64
	LengthM float64
}

// Shortest returns the shortest path by length from one snap to another for
// mode (A* with the straight-line distance as heuristic). It returns
// ErrBadSnap for a snap off the graph or on an edge mode may not use, and
// ErrNoPath when to cannot be reached from from.
func (g *Graph) Shortest(from, to Snap, mode Mode) (Path, error) {
	if err := g.checkSnap(from, mode); err != nil {
		return Path{}, fmt.Errorf("from: %w", err)
	}
	if err := g.checkSnap(to, mode); err != nil {
		return Path{}, fmt.Errorf("to: %w", err)
	}
	st := g.state()
	defer g.pool.Put(st)
	a := astar{g: g, st: st, mode: mode, from: from, to: to}
	if !a.run() {
		return Path{}, fmt.Errorf("%w: edge %d → edge %d for %s", ErrNoPath, from.Edge, to.Edge, mode)
	}
	return a.path(), nil
}

func (g *Graph) checkSnap(s Snap, mode Mode) error {
	if s.Edge < 0 || s.Edge >= len(g.edges) || !(s.T >= 0 && s.T <= 1) {
		return fmt.Errorf("%w: edge %d at %v of %d edges", ErrBadSnap, s.Edge, s.T, len(g.edges))
	}
	if !g.edges[s.Edge].Allows(mode) {
		return fmt.Errorf("%w: edge %d (%s) is closed to %s", ErrBadSnap, s.Edge, g.edges[s.Edge].Source, mode)
	}
	return nil
}
