package sim

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/gather"
)

// Work spots. People stop only at spots: points of the pedestrian network
// (off stairs), laid out once at New. Routine work does not crowd a process
// area (the 2023 gathering-risk guide, twin/gather: 3 people within 15 m
// of one of them for over a minute is a gathering, 4 an orange one). Where
// twin/gather watches:
//
//   - one person works at (or walks to) a spot: a pair at one spot, and
//     a passer-by or two, are already 3 or 4 within 15 m, and a stream of
//     passers-by keeps such a group alive for minutes;
//   - the spots of one level are spotSpacingM apart: a passer-by half-way
//     between two occupied spots has neither within 15 m, with the
//     detector's 2 m hysteresis and where people stand about their spot
//     (standM), so a walk along a row of them is no gathering either;
//   - no spot lies on a thoroughfare, the walkways the plant is crossed on.
//
// Where crowds are normal — the zones twin/gather exempts (offices,
// control rooms, gatehouses, labs, the canteen, the fire station, or
// `gathering: false`), shelterMarginM in from their edge — spots are
// shelterSpacingM apart and take anyone: there staff wait and meet, and
// people whose post area has no free spot may wait there.
const (
	spotSpacingM    = 36.0
	spotCapacity    = 1
	shelterSpacingM = 6.0
	spotSampleM     = 2.0 // step of the candidate points along an edge
	siteMarginM     = 5.0 // no spot this near the site boundary
	// standM is how far along the walkway from its spot a person stands.
	standM = 1.5
)

// spot is a place on the network where people stop.
type spot struct {
	at      route.Snap
	label   int  // pedestrian component
	watched bool // gatherings are watched here: spotCapacity applies
	exposed bool // well out of any exempt zone
	n       int  // people at the spot or walking to it
	// maxStayS bounds a stay at the spot, seconds (0: unbounded): in a
	// fence with the rule static (静止, a man-down watch over a tank farm)
	// people move on well before its time runs out, from one gauge or valve
	// to the next, as the people working there do.
	maxStayS float64
}

// bounded reports whether a stay at the spot is bounded (maxStayS).
func (s *spot) bounded() bool { return s.maxStayS > 0 }

// free reports whether a party of k can take the spot.
func (s *spot) free(k int) bool { return !s.watched || s.n+k <= spotCapacity }

// layoutSpots lays the spots out on the pedestrian network: greedily along
// the edges in index order, walkways before the roads people may walk
// (people work beside the units, not on the carriageway), so the layout
// depends on the scene alone: a candidate every spotSampleM metres is kept
// when no spot of its kind (watched or not) on its level is closer than
// the kind's spacing. Watched spots keep off the thoroughfares (busy, see
// thoroughfares); no spot is within siteMarginM of the site boundary
// (site, nil when unknown): with a tag's error, people there would report
// from outside it.
func layoutSpots(s *twin.Scene, f *geo.Frame, g *route.Graph, labels []int, busy map[int]bool, site orb.Polygon) []*spot {
	var out []*spot
	type key struct {
		x, y, lv int64
		watched  bool
	}
	grid := make(map[key][]int)
	cell := func(p [2]float64, lv float64, watched bool) key {
		return key{int64(math.Floor(p[0] / spotSpacingM)), int64(math.Floor(p[1] / spotSpacingM)), int64(math.Round(lv)), watched}
	}
	roomy := func(p [2]float64, lv float64, watched bool) bool {
		gap := shelterSpacingM
		if watched {
			gap = spotSpacingM
		}
		c := cell(p, lv, watched)
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				for _, i := range grid[key{c.x + dx, c.y + dy, c.lv, watched}] {
					q := out[i].at.Point
					if math.Hypot(q[0]-p[0], q[1]-p[1]) < gap {
						return false
					}
				}
			}
		}
		return true
	}
	s.View(func(tx twin.Tx) {
		for k := range 2 * g.NumEdges() {
			i := k % g.NumEdges()
			e := g.Edge(i)
			if !e.Pedestrian || e.Floor != e.FloorTo || e.LengthM < spotSampleM || e.Vehicle != (k >= g.NumEdges()) {
				continue
			}
			n := int(e.LengthM / spotSampleM)
			for j := range n {
				sn := g.At(i, (float64(j)+0.5)/float64(n))
				if q := (orb.Point{sn.Point[0], sn.Point[1]}); site != nil && planar.DistanceFrom(site, q) < siteMarginM {
					continue // at the fence, by a gate: nobody works there
				}
				forbidden, still := fencesAt(tx, f, sn.Point, e.Floor)
				if forbidden {
					continue // a forbidden room or zone: nobody works or waits there
				}
				ex := exemptAround(tx, f, sn.Point)
				watched := ex < 5
				if watched && busy[i] || !roomy(sn.Point, sn.Level, watched) {
					continue
				}
				c := cell(sn.Point, sn.Level, watched)
				grid[c] = append(grid[c], len(out))
				out = append(out, &spot{at: sn, label: labels[e.From], watched: watched, exposed: ex == 0, maxStayS: staticStayShare * still})
			}
		}
	})
	return out
}

// staticStayShare is the share of a static fence's time a stay in it may
// take.
const staticStayShare = 0.6

// fencesAt reports, for plant point p on floor, whether it lies in a fence
// with the rule forbidden (越界: a server room, a tank bund) and the least
// static_s of the fences with the rule static there (0 if none), both on
// that floor.
func fencesAt(tx twin.Tx, f *geo.Frame, p [2]float64, floor int) (forbidden bool, staticS float64) {
	tx.Containing(f.FastPoint(p[0], p[1]), func(e *twin.Entity) bool {
		if e.Kind != twin.KindFence {
			return true
		}
		if fl, ok := twin.AsFloat(e.Props["floor"]); ok && int(fl) != floor {
			return true
		}
		switch e.String("rule") {
		case "forbidden":
			forbidden = true
		case "static":
			if d, ok := twin.AsFloat(e.Props["static_s"]); ok && d > 0 && (staticS == 0 || d < staticS) {
				staticS = d
			}
		}
		return !forbidden
	})
	return forbidden, staticS
}

// shelterMarginM: a spot is a shelter only this far inside an exempt
// zone, so that people in it stay out of the detector's watch whatever
// the positioning error (a BLE fix errs by a few metres).
const shelterMarginM = 6.0

// exemptAround returns how many of the plant point p and the four points
// shelterMarginM around it twin/gather exempts: 5 deep in a shelter, 0
// well out of any.
func exemptAround(tx twin.Tx, f *geo.Frame, p [2]float64) int {
	n := 0
	for _, d := range [][2]float64{{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
		q := f.FastPoint(p[0]+d[0]*shelterMarginM, p[1]+d[1]*shelterMarginM)
		if gather.Exempt(tx, orb.Point(q)) {
			n++
		}
	}
	return n
}

// stand returns where a person at the spot stands: up to standM along the
// walkway from it.
func (s *spot) stand(r *rand.Rand, g *route.Graph) route.Snap {
	l := g.Edge(s.at.Edge).LengthM
	if l <= 0 {
		return s.at
	}
	return g.At(s.at.Edge, s.at.T+uniform(r, -standM, standM)/l)
}

// spotsOf returns the spots that serve a place: on its edges, in or near
// it.
func spotsOf(p *place, spots []*spot) []*spot {
	var out []*spot
	for _, s := range spots {
		if p.has(s.at.Edge) && p.near(s.at.Point, p.nearPed) {
			out = append(out, s)
		}
	}
	return out
}

// pickSpot draws a spot of list in component label (anyLabel: any) that
// a party of k can take, other than not; nil when there is none.
func (m *model) pickSpot(r *rand.Rand, list []*spot, label, k int, not *spot) *spot {
	free := m.scratch[:0]
	for _, s := range list {
		if s != not && (label == anyLabel || s.label == label) && s.free(k) {
			free = append(free, s)
		}
	}
	m.scratch = free[:0]
	if len(free) == 0 {
		return nil
	}
	return free[r.IntN(len(free))]
}

// nearestFree returns a free spot in component label (other than not)
// near from, nil when none is free: where someone with nowhere to be
// waits. It draws among the free spots within nearSlackM of the nearest,
// so that people waiting in an office or a control room spread over it.
func (m *model) nearestFree(r *rand.Rand, from [2]float64, label, k int, not *spot) *spot {
	near := m.scratch[:0]
	nearest := math.Inf(1)
	for _, s := range m.spots {
		if s == not || label != anyLabel && s.label != label || !s.free(k) {
			continue
		}
		d := math.Hypot(s.at.Point[0]-from[0], s.at.Point[1]-from[1])
		if d > nearest+nearSlackM {
			continue
		}
		nearest = min(nearest, d)
		near = append(near, s)
	}
	free := near[:0]
	for _, s := range near {
		if math.Hypot(s.at.Point[0]-from[0], s.at.Point[1]-from[1]) <= nearest+nearSlackM {
			free = append(free, s)
		}
	}
	m.scratch = free[:0]
	if len(free) == 0 {
		return nil
	}
	return free[r.IntN(len(free))]
}

// nearSlackM: how much further than the nearest free spot one to wait at
// may be.
const nearSlackM = 20.0

// thoroughfares returns the pedestrian edges people cross the plant on:
// those of the shortest walks between the areas and the places errands go
// to (the control room, the canteen, offices, workshops, gates, other
// areas), from each area's centre and the corners of its outline, first
// and last edges left out (they are the places' own).
func thoroughfares(g *route.Graph, ps *places) map[int]bool {
	snap := func(q [2]float64) (route.Snap, bool) { return g.Nearest(q, route.Pedestrian) }
	var dests, from []route.Snap
	for _, list := range [][]*place{ps.areas, ps.offices, ps.workshops, ps.gates, {ps.control, ps.canteen}} {
		for _, p := range list {
			if p == nil {
				continue
			}
			if s, ok := snap(p.center); ok {
				dests = append(dests, s)
			}
		}
	}
	for _, a := range ps.areas {
		b := a.poly.Bound()
		for _, q := range [][2]float64{a.center, {b.Min[0], b.Min[1]}, {b.Max[0], b.Min[1]}, {b.Max[0], b.Max[1]}, {b.Min[0], b.Max[1]}} {
			if s, ok := snap(q); ok {
				from = append(from, s)
			}
		}
	}
	busy := make(map[int]bool)
	for _, a := range from {
		for _, b := range dests {
			path, err := g.Shortest(a, b, route.Pedestrian)
			if err != nil || len(path.Edges) < 3 {
				continue
			}
			for _, e := range path.Edges[1 : len(path.Edges)-1] {
				busy[e] = true
			}
		}
	}
	return busy
}
