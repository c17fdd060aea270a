package route

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/tidwall/rtree"
)

// Errors of the package.
var (
	// ErrBadLine is wrapped by the error Build returns for each line it had
	// to skip (too few points, non-finite coordinates, bad attributes).
	ErrBadLine = errors.New("route: bad line")
	// ErrBadOptions is returned for options out of range.
	ErrBadOptions = errors.New("route: bad options")
	// ErrBadSnap is returned for a Snap that does not belong to the graph or
	// lies on an edge the mode may not use.
	ErrBadSnap = errors.New("route: bad snap")
	// ErrNoPath is returned when the destination cannot be reached.
	ErrNoPath = errors.New("route: no path")
	// ErrNoFrame is returned by FromScene for a scene without a plant frame.
	ErrNoFrame = errors.New("route: scene has no plant frame")
)

// Mode is a way of travelling the network.
type Mode uint8

// Modes. A pedestrian may use edges flagged Pedestrian, in both directions;
// a vehicle edges flagged Vehicle, along one-way edges only forwards.
const (
	Pedestrian Mode = iota + 1
	Vehicle
)

func (m Mode) String() string {
	switch m {
	case Pedestrian:
		return "pedestrian"
	case Vehicle:
		return "vehicle"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// DefaultSnapM is the default node snapping tolerance, metres: well below a
// walkway's width and above the digitising noise of a drawing.
const DefaultSnapM = 0.5

// DefaultFloorHeightM is the storey height used for a stairs climb when
// neither the line nor the options give one: a typical industrial storey
// (control rooms and offices are built 3.6–4.5 m, floor to floor).
const DefaultFloorHeightM = 4.0

// Line is one input polyline: a road, walkway or stairs, in plant-frame
// metres.
type Line struct {
	ID     string
	Points [][2]float64 // plant x, y metres
	// Vehicle and Pedestrian say which modes may use the line.
	Vehicle, Pedestrian bool
	// Oneway restricts vehicles to the direction of Points.
	Oneway bool
	WidthM float64 // 0 when unknown
	// SpeedLimitKmh is the posted limit; 0 when none.
	SpeedLimitKmh float64
	// Floor is the floor the line lies on, numbered as the scene format
	// does: 0 outdoors, 1 the ground floor (一层), 2 the next, −1 the first
	// basement. For stairs it is the floor of the first point, and FloorTo
	// the floor of the last; set FloorTo = Floor for an ordinary line.
	Floor, FloorTo int
	// ClimbM is the height stairs climb, metres; 0 means the storeys climbed
	// times Options.FloorHeightM.
	ClimbM float64
}

// Stairs reports whether the line connects two storeys.
func (l Line) Stairs() bool { return Storey(l.FloorTo) != Storey(l.Floor) }

// Storey returns the network level of a floor: storeys above ground.
// Outdoors (floor 0) and the ground floor (floor 1) are one level, 0, so
// that a door path joins a ground-floor corridor; floor f ≥ 2 is level
// f − 1 and a basement keeps its negative number. A point's height above
// ground is its level times the storey height.
func Storey(floor int) int {
	if floor >= 1 {
		return floor - 1
	}
	return floor
}

// Floor returns the floor number of network level lv (the inverse of
// Storey, level 0 read as the ground floor 1; outdoors is told by the
// edge's Floor).
func Floor(lv int) int {
	if lv >= 0 {
		return lv + 1
	}
	return lv
}

// Options configure Build. The zero value of each field is its default.
type Options struct {
	// SnapM is the snapping tolerance in metres: vertices closer than this
	// merge, and a node this close to a segment splits it. Default
	// DefaultSnapM; set a negative value for exact matching only.
	SnapM float64
	// FloorHeightM is the storey height for stairs without ClimbM; default
	// DefaultFloorHeightM.
	FloorHeightM float64
}

func (o Options) withDefaults() (Options, error) {
	if math.IsNaN(o.SnapM) || math.IsInf(o.SnapM, 0) || o.SnapM > 100 {
		return o, fmt.Errorf("%w: SnapM %v", ErrBadOptions, o.SnapM)
	}
	if math.IsNaN(o.FloorHeightM) || math.IsInf(o.FloorHeightM, 0) || o.FloorHeightM < 0 || o.FloorHeightM > 100 {
		return o, fmt.Errorf("%w: FloorHeightM %v", ErrBadOptions, o.FloorHeightM)
	}
	switch {
	case o.SnapM == 0:
		o.SnapM = DefaultSnapM
	case o.SnapM < 0:
		o.SnapM = 0
	}
	if o.FloorHeightM == 0 {
		o.FloorHeightM = DefaultFloorHeightM
	}
	return o, nil
}

// Node is a junction or vertex of the network.
type Node struct {
	P [2]float64 // plant x, y metres
	// Level is the node's level (see Storey): storeys above ground,
	// fractional on the inner vertices of stairs (0.5 half way up from the
	// ground floor to floor 2).
	Level float64
}

// Edge is one straight piece of a line between two nodes.
type Edge struct {
	From, To int // node indices
	// LengthM is the length in metres (for stairs including the climb).
	LengthM float64
	// Source is the ID of the line the edge comes from.
	Source              string
	Vehicle, Pedestrian bool
	// Oneway: vehicles may only go From → To.
	Oneway        bool
	WidthM        float64
	SpeedLimitKmh float64
	// Floor and FloorTo are the source line's floor numbers (they differ on
	// stairs); the nodes carry the levels.
	Floor, FloorTo int
}

// Allows reports whether mode may use the edge (in at least one direction).
func (e *Edge) Allows(m Mode) bool {
	switch m {
	case Pedestrian:
		return e.Pedestrian
	case Vehicle:
		return e.Vehicle
	}
	return false
}

// forward and backward report whether mode may travel the edge From → To
// and To → From.
func (e *Edge) forward(m Mode) bool  { return e.Allows(m) }
func (e *Edge) backward(m Mode) bool { return e.Allows(m) && (m != Vehicle || !e.Oneway) }

// arc is one entry of a node's adjacency: an edge and whether leaving the
// node along it runs From → To.
type arc struct {
	edge    int32
	forward bool
}

// Graph is the routable network. It is immutable after Build and safe for
// concurrent use.
type Graph struct {
	opts  Options
	nodes []Node
	edges []Edge
	// adjacency in CSR form: the arcs of node n are arcs[first[n]:first[n+1]].
	first []int32
	arcs  []arc
	tree  rtree.RTreeG[int32] // edge bounds
	pool  sync.Pool           // *searchState
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.nodes) }

// NumEdges returns the number of edges.
func (g *Graph) NumEdges() int { return len(g.edges) }

// Node returns node i.
func (g *Graph) Node(i int) Node { return g.nodes[i] }

// Edge returns edge i.
func (g *Graph) Edge(i int) Edge { return g.edges[i] }

// Degree returns the number of edges meeting at node n.
func (g *Graph) Degree(n int) int { return int(g.first[n+1] - g.first[n]) }

// SnapM returns the snapping tolerance the graph was built with.
func (g *Graph) SnapM() float64 { return g.opts.SnapM }

// Search calls fn for every edge whose bounding box intersects the box
// [min, max] (plant metres), until fn returns false.
func (g *Graph) Search(min, max [2]float64, fn func(edge int) bool) {
	g.tree.Search(min, max, func(_, _ [2]float64, e int32) bool { return fn(int(e)) })
}

// PointAt returns the point and level at fraction t (0–1) along edge i.
func (g *Graph) PointAt(i int, t float64) ([2]float64, float64) {
	e := &g.edges[i]
	a, b := g.nodes[e.From], g.nodes[e.To]
	return lerp(a.P, b.P, t), a.Level + (b.Level-a.Level)*t
}

func lerp(a, b [2]float64, t float64) [2]float64 {
	if t == 1 {
		return b
	}
	return [2]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}

func dist(a, b [2]float64) float64 { return math.Hypot(b[0]-a[0], b[1]-a[1]) }
