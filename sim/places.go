package sim

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/twin"
)

// How far outside a place the network still counts as "at" it, metres: a
// walkway along an area's fence serves the area; a door path touches a
// building; a vehicle serves an area or building from the road in front of
// it (plant roads run a setback away from the units); a gate is reached on
// the roads and paths within a short walk of it.
const (
	nearAreaM     = 8.0
	nearBuildingM = 2.0
	nearRoadM     = 25.0
	nearGateM     = 30.0
)

// place is somewhere people or vehicles go: an area, a building or a gate,
// with the network edges in or next to it.
type place struct {
	id, name string
	kind     twin.Kind
	typ      string      // area_type, building use or gate_type
	poly     orb.Polygon // plant metres; nil for a gate
	center   [2]float64
	ped, veh edgeSet
	spots    []*spot // the spots serving the place
	// nearPed and nearVeh: how far outside the place still counts.
	nearPed, nearVeh float64
}

// pick draws a point in or near the place on the network of mode, in
// component label. Long edges pass places by, so a point is drawn along an
// edge that serves the place and kept only where it is near the place.
func (p *place) pick(r *rand.Rand, m *model, label int, mode route.Mode) (route.Snap, bool) {
	set, labels, near := &p.ped, m.ped, p.nearPed
	if mode == route.Vehicle {
		set, labels, near = &p.veh, m.veh, p.nearVeh
	}
	return set.pick(r, m.g, labels, label, func(q [2]float64) bool { return p.near(q, near) })
}

// edgeSet is a set of edges to pick points from, weighted by length.
type edgeSet struct {
	edges []int
	cum   []float64 // cumulative lengths
}

func (s *edgeSet) add(g *route.Graph, i int) {
	total := 0.0
	if n := len(s.cum); n > 0 {
		total = s.cum[n-1]
	}
	s.edges = append(s.edges, i)
	s.cum = append(s.cum, total+g.Edge(i).LengthM)
}

func (s *edgeSet) empty() bool { return len(s.edges) == 0 }

// pick draws a point on the set, uniform along its length, on a node of
// component label (labels from route.Graph.ComponentLabels) and, when
// accept is not nil, where accept holds; it gives up after a few draws.
func (s *edgeSet) pick(r *rand.Rand, g *route.Graph, labels []int, label int, accept func([2]float64) bool) (route.Snap, bool) {
	if s.empty() {
		return route.Snap{}, false
	}
	for range 12 {
		u := r.Float64() * s.cum[len(s.cum)-1]
		k := sort.SearchFloat64s(s.cum, u)
		k = min(k, len(s.edges)-1)
		e := s.edges[k]
		if label != anyLabel && labels[g.Edge(e).From] != label {
			continue
		}
		snap := g.At(e, uniform(r, 0.05, 0.95))
		if accept == nil || accept(snap.Point) {
			return snap, true
		}
	}
	return route.Snap{}, false
}

// places is the catalogue of destinations.
type places struct {
	all                   []*place
	byID                  map[string]*place
	control, canteen      *place // the control room; the canteen/office building (1#楼)
	offices, workshops    []*place
	loading, gates, areas []*place
	fireStation           *place
}

func buildPlaces(c sceneCopy, f *geo.Frame, g *route.Graph) *places {
	ps := &places{byID: make(map[string]*place)}
	for _, k := range []twin.Kind{twin.KindArea, twin.KindBuilding, twin.KindGate} {
		for _, e := range c.byKind[k] {
			if p := newPlace(e, f, g); p != nil {
				ps.all = append(ps.all, p)
				ps.byID[p.id] = p
			}
		}
	}
	for _, p := range ps.all {
		ps.classify(p)
	}
	if ps.canteen == nil && len(ps.offices) > 0 {
		ps.canteen = ps.offices[0]
	}
	return ps
}

func newPlace(e *twin.Entity, f *geo.Frame, g *route.Graph) *place {
	if e.Geometry == nil {
		return nil
	}
	p := &place{id: e.ID, name: e.Name, kind: e.Kind, center: plantPoint(f, e.Point())}
	switch e.Kind {
	case twin.KindArea:
		p.typ = e.String("area_type")
	case twin.KindBuilding:
		p.typ = e.String("use")
	case twin.KindGate:
		p.typ = e.String("gate_type")
	}
	if e.Kind != twin.KindGate {
		poly, ok := plantPoly(f, e.Geometry)
		if !ok {
			return nil
		}
		p.poly = poly
		c, _ := planar.CentroidArea(poly)
		p.center = [2]float64{c[0], c[1]}
	}
	if g != nil {
		p.collectEdges(g)
	}
	return p
}

// collectEdges finds the edges whose middle lies in or near the place.
func (p *place) collectEdges(g *route.Graph) {
	p.nearPed, p.nearVeh = nearGateM, nearGateM
	switch p.kind {
	case twin.KindArea:
		p.nearPed, p.nearVeh = nearAreaM, nearRoadM
	case twin.KindBuilding:
		p.nearPed, p.nearVeh = nearBuildingM, nearRoadM
	}
	reach := math.Max(p.nearPed, p.nearVeh)
	min, max := [2]float64{p.center[0] - reach, p.center[1] - reach}, [2]float64{p.center[0] + reach, p.center[1] + reach}
	if p.poly != nil {
		b := p.poly.Bound()
		min, max = [2]float64{b.Min[0] - reach, b.Min[1] - reach}, [2]float64{b.Max[0] + reach, b.Max[1] + reach}
	}
	var hits []int
	g.Search(min, max, func(i int) bool {
		hits = append(hits, i)
		return true
	})
	sort.Ints(hits)
	for _, i := range hits {
		e := g.Edge(i)
		mid, _ := g.PointAt(i, 0.5)
		if e.Pedestrian && p.near(mid, p.nearPed) {
			p.ped.add(g, i)
		}
		if e.Vehicle && p.near(mid, p.nearVeh) {
			p.veh.add(g, i)
		}
	}
}

// near reports whether the plant point q lies in the place or within d
// metres of it.
func (p *place) near(q [2]float64, d float64) bool {
	m := orb.Point{q[0], q[1]}
	if p.poly == nil {
		return math.Hypot(q[0]-p.center[0], q[1]-p.center[1]) <= d
	}
	return planar.PolygonContains(p.poly, m) || planar.DistanceFrom(p.poly, m) <= d
}

func (ps *places) classify(p *place) {
	switch {
	case p.kind == twin.KindBuilding && strings.Contains(p.name+p.id, "1#楼"):
		ps.canteen = p // the demo plant's canteen and office building
		ps.offices = append(ps.offices, p)
		return
	case p.kind == twin.KindGate:
		if p.typ != "emergency" {
			ps.gates = append(ps.gates, p)
		}
		return
	}
	switch p.typ {
	case "control_room", "control":
		if ps.control == nil || p.kind == twin.KindBuilding && ps.control.kind != twin.KindBuilding {
			ps.control = p
		}
	case "office":
		ps.offices = append(ps.offices, p)
	case "canteen":
		if ps.canteen == nil {
			ps.canteen = p
		}
	case "workshop":
		ps.workshops = append(ps.workshops, p)
	case "logistics", "storage", "packaging", "warehouse":
		ps.loading = append(ps.loading, p)
	case "fire_station":
		ps.fireStation = p
	}
	if p.kind == twin.KindArea {
		ps.areas = append(ps.areas, p)
	}
}

// containing returns the smallest area containing the plant point q, or
// nil.
func (ps *places) containing(q [2]float64) *place {
	var best *place
	bestA := math.Inf(1)
	for _, p := range ps.areas {
		if planar.PolygonContains(p.poly, orb.Point{q[0], q[1]}) {
			if a := planar.Area(p.poly); a < bestA {
				best, bestA = p, a
			}
		}
	}
	return best
}

// nearest returns the place of list whose centre is closest to q.
func nearest(list []*place, q [2]float64) *place {
	var best *place
	bestD := math.Inf(1)
	for _, p := range list {
		if d := math.Hypot(p.center[0]-q[0], p.center[1]-q[1]); d < bestD {
			best, bestD = p, d
		}
	}
	return best
}
