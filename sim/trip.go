package sim

import (
	"math"
	"sort"

	"github.com/chemtwin/chemtwin/geo/route"
)

// pos is where an agent is at an instant.
type pos struct {
	p      [2]float64 // plant metres
	level  float64    // storey, fractional on stairs
	edge   int        // network edge it is on (-1 off the network)
	speed  float64    // m/s along the network
	moving bool
}

// trip is a timed walk or drive along a path: leg i runs from t[i] to
// t[i+1] (simulation seconds) at speed[i].
type trip struct {
	path  route.Path
	t     []float64
	speed []float64
	dest  route.Snap
}

// newTrip times path from start, each leg at speedOf(leg).
func newTrip(path route.Path, dest route.Snap, start float64, speedOf func(leg int) float64) *trip {
	tr := &trip{path: path, dest: dest, t: make([]float64, len(path.Points)), speed: make([]float64, len(path.LegsM))}
	tr.t[0] = start
	for i, m := range path.LegsM {
		v := math.Max(0.1, speedOf(i))
		tr.speed[i] = v
		tr.t[i+1] = tr.t[i] + m/v
	}
	return tr
}

func (tr *trip) end() float64 { return tr.t[len(tr.t)-1] }

// at returns the position at simulation time t (clamped to the trip).
func (tr *trip) at(t float64) pos {
	n := len(tr.path.Edges)
	i := sort.SearchFloat64s(tr.t[1:], t) // first leg ending at or after t
	if i >= n {
		last := len(tr.path.Points) - 1
		return pos{p: tr.path.Points[last], level: tr.path.Levels[last], edge: tr.path.Edges[n-1]}
	}
	f := 0.0
	if d := tr.t[i+1] - tr.t[i]; d > 0 {
		f = math.Max(0, math.Min(1, (t-tr.t[i])/d))
	}
	a, b := tr.path.Points[i], tr.path.Points[i+1]
	la, lb := tr.path.Levels[i], tr.path.Levels[i+1]
	return pos{
		p:     [2]float64{a[0] + (b[0]-a[0])*f, a[1] + (b[1]-a[1])*f},
		level: la + (lb-la)*f,
		edge:  tr.path.Edges[i],
		speed: tr.speed[i], moving: true,
	}
}

// snapAt returns the network position of p on its edge, to resume from.
func snapAt(g *route.Graph, p pos) route.Snap {
	e := g.Edge(p.edge)
	a, b := g.Node(e.From).P, g.Node(e.To).P
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = ((p.p[0]-a[0])*dx + (p.p[1]-a[1])*dy) / l2
	}
	return g.At(p.edge, t)
}
