package evac

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/internal/gridplant"
)

// scenario is a random plant: a street grid with gaps, sometimes a
// building's upper floor with stairs, random convex hazards and closed
// areas, barrier lines, a closed line, a wind, muster points and people
// (some far from any walkway or on a floor without one).
func scenario(rng *rand.Rand, capacities bool) (*route.Graph, Input, error) {
	n := 6 + rng.IntN(6)
	const cell = 20.0
	lines := gridplant.Lines(rng, n, cell, 0.25)
	if rng.IntN(2) == 0 {
		lines = append(lines, upperFloor(45, 30)...)
	}
	g, err := route.Build(lines, route.Options{})
	if err != nil {
		return nil, Input{}, err
	}
	span := float64(n-1) * cell
	pt := func() [2]float64 { return [2]float64{rng.Float64() * span, rng.Float64() * span} }
	var in Input
	for i := range rng.IntN(4) {
		in.Hazards = append(in.Hazards, Hazard{ID: fmt.Sprintf("H%d", i), Area: convex(rng, pt(), 10+rng.Float64()*40)})
	}
	for i := range rng.IntN(3) {
		switch rng.IntN(3) {
		case 0:
			in.Closures = append(in.Closures, Closure{ID: fmt.Sprintf("C%d", i), Geometry: convex(rng, pt(), 5+rng.Float64()*20)})
		case 1:
			a := pt()
			b := [2]float64{a[0] + (rng.Float64()-0.5)*80, a[1] + (rng.Float64()-0.5)*80}
			in.Closures = append(in.Closures, Closure{ID: fmt.Sprintf("C%d", i), Geometry: orb.LineString{a, b}})
		default:
			in.Closures = append(in.Closures, Closure{ID: fmt.Sprintf("C%d", i), Sources: []string{lines[rng.IntN(len(lines))].ID}})
		}
	}
	if rng.IntN(4) > 0 {
		in.Wind = &Wind{FromDeg: rng.Float64() * 360, SpeedMS: rng.Float64() * 6}
	}
	for i := range 1 + rng.IntN(5) {
		m := MusterPoint{ID: fmt.Sprintf("M%d", i), P: pt(), RadiusM: rng.Float64() * 10}
		if rng.IntN(8) == 0 {
			m.Floor = 2
		}
		if capacities {
			m.Capacity = rng.IntN(15)
		}
		in.Musters = append(in.Musters, m)
	}
	for i := range 20 + rng.IntN(40) {
		h := Person{ID: fmt.Sprintf("P%d", i), P: pt()}
		switch rng.IntN(12) {
		case 0:
			h.P[0] += span + 100 // far from the network
		case 1:
			h.Floor = 2
		case 2:
			h.Floor = 7 // no walkway there
		}
		in.People = append(in.People, h)
	}
	return g, in, nil
}

// refStatus is the reference's safety of a muster point.
func (r *refWorld) refStatus(in Input, m MusterPoint) MusterStatus {
	d := func(poly [][2]float64) float64 {
		if _, _, ok := cyrusBeck(poly, m.P, m.P); ok {
			return 0
		}
		best := math.Inf(1)
		for i := 0; i+1 < len(poly); i++ {
			best = math.Min(best, dist(m.P, lerp(poly[i], poly[i+1], project(poly[i], poly[i+1], m.P))))
		}
		return math.Min(best, dist(m.P, lerp(poly[len(poly)-1], poly[0], project(poly[len(poly)-1], poly[0], m.P))))
	}
	nh := 0
	for _, h := range in.Hazards {
		nh += len(asPolygons(h.Area))
	}
	for i, poly := range r.nogo {
		if d(poly) <= m.RadiusM {
			if i < nh {
				return MusterInHazard
			}
			return MusterInClosure
		}
	}
	for _, s := range r.sectors {
		if d(s) <= m.RadiusM {
			return MusterDownwind
		}
	}
	return MusterSafe
}

// seen counts what the checked plans held, so that a test can tell it
// tested each case.
type seen struct {
	inside, downwind, stairs, cutOff, noNetwork, noCapacity, cutEdges, unsafe, direct int
}

// checkPlan compares a plan with the reference: snaps, muster safety, and
// every person's cost, reason and path.
func checkPlan(t *testing.T, g *route.Graph, o Options, in Input, pl *Plan) (sn seen) {
	t.Helper()
	sn.cutEdges = len(pl.costs.cuts)
	defer func() {
		for _, r := range pl.Routes {
			switch {
			case r.Reason == CutOff:
				sn.cutOff++
			case r.Reason == NoNetwork:
				sn.noNetwork++
			case r.Reason == NoCapacity:
				sn.noCapacity++
			case r.Routed():
				if r.InsideM > 0 {
					sn.inside++
				}
				if r.DownwindM > 0 {
					sn.downwind++
				}
				if r.via < 0 {
					sn.direct++
				}
				if path, _ := pl.Path(slices.Index(pl.Routes, r)); slices.ContainsFunc(path.Levels, func(l float64) bool { return l != 0 }) {
					sn.stairs++
				}
			}
		}
		for _, m := range pl.Musters {
			if m.Status != MusterSafe && m.Status != MusterNoNetwork {
				sn.unsafe++
			}
		}
	}()
	o = o.withDefaults()
	ref := newRefWorld(g, o, in)
	snapOf := func(p [2]float64, floor int) (route.Snap, bool) {
		s, ok := g.NearestOn(p, floor, route.Pedestrian)
		return s, ok && s.DistM <= o.MaxSnapM
	}
	var safe []int
	assigned := make([]int, len(in.Musters))
	for i, m := range in.Musters {
		r := pl.Musters[i]
		want := ref.refStatus(in, m)
		s, ok := snapOf(m.P, m.Floor)
		if want == MusterSafe && !ok {
			want = MusterNoNetwork
		}
		if r.Status != want {
			t.Errorf("muster %s: status %s (by %q), want %s", m.ID, r.Status, r.By, want)
		}
		if ok && math.Abs(r.Snap.DistM-s.DistM) > 1e-9 {
			t.Errorf("muster %s: snapped %v m away, NearestOn %v m", m.ID, r.Snap.DistM, s.DistM)
		}
		if r.Safe() {
			safe = append(safe, i)
		}
		if m.Capacity > 0 && r.Assigned > m.Capacity {
			t.Errorf("muster %s: %d assigned, capacity %d", m.ID, r.Assigned, m.Capacity)
		}
	}
	for i, h := range in.People {
		r := pl.Routes[i]
		if r.PersonID != h.ID {
			t.Fatalf("route %d is %q's, want %q's", i, r.PersonID, h.ID)
		}
		s, ok := snapOf(h.P, h.Floor)
		if !ok {
			if r.Reason != NoNetwork {
				t.Errorf("%s: no walkway within %v m, reason %q", h.ID, o.MaxSnapM, r.Reason)
			}
			continue
		}
		if math.Abs(r.Snap.DistM-s.DistM) > 1e-9 {
			t.Errorf("%s: snapped %v m away, NearestOn %v m", h.ID, r.Snap.DistM, s.DistM)
		}
		if len(safe) == 0 {
			if r.Reason != NoSafeMuster {
				t.Errorf("%s: no safe muster point, reason %q", h.ID, r.Reason)
			}
			continue
		}
		inside := ref.startsInside(h.P, r.Snap)
		if inside != r.StartsInside {
			t.Errorf("%s: starts inside %v, reference %v", h.ID, r.StartsInside, inside)
		}
		// The reference's cost to each safe muster point from the plan's
		// snap; usable ones are reached without entering a hazard from
		// outside.
		costs := map[int]refCost{}
		best := refCost{math.MaxInt64, math.Inf(1)}
		for _, m := range safe {
			c := ref.cost(r.Snap, pl.Musters[m].Snap)
			if c.mm == math.MaxInt64 || c.mm > 0 && !inside {
				continue
			}
			costs[m] = c
			if c.less(best) {
				best = c
			}
		}
		if len(costs) == 0 {
			if r.Reason != CutOff {
				t.Errorf("%s: cut off, reason %q (cost %+v to %s)", h.ID, r.Reason, r.cost, r.MusterID)
			}
			continue
		}
		if r.Reason == NoCapacity {
			for m := range costs {
				if c := in.Musters[m].Capacity; c == 0 || pl.Musters[m].Assigned < c {
					t.Errorf("%s: no capacity, but %s has room (%d of %d)", h.ID, in.Musters[m].ID, pl.Musters[m].Assigned, c)
				}
			}
			continue
		}
		if !r.Routed() {
			t.Errorf("%s: reason %q, reference reaches %d muster points, best %+v", h.ID, r.Reason, len(costs), best)
			continue
		}
		assigned[r.Muster]++
		want, ok := costs[r.Muster]
		if !ok {
			t.Errorf("%s: routed to %s, which the reference cannot use", h.ID, r.MusterID)
			continue
		}
		if r.cost.ins != want.mm || math.Abs(r.cost.w-want.w) > 1e-6*math.Max(1, want.w) {
			t.Errorf("%s → %s: cost %d mm %.9f m, reference %d mm %.9f m", h.ID, r.MusterID, r.cost.ins, r.cost.w, want.mm, want.w)
		}
		// Nearer muster points were full when the person was served.
		for m, c := range costs {
			if c.less(refCost{want.mm, want.w - 1e-6*math.Max(1, want.w)}) {
				if cp := in.Musters[m].Capacity; cp == 0 || pl.Musters[m].Assigned < cp {
					t.Errorf("%s → %s (%+v), but %s is nearer (%+v) and has room", h.ID, r.MusterID, want, in.Musters[m].ID, c)
				}
			}
		}
		checkPath(t, ref, pl, i, inside)
	}
	for i, m := range pl.Musters {
		if m.Assigned != assigned[i] {
			t.Errorf("muster %s: Assigned %d, %d routes", m.ID, m.Assigned, assigned[i])
		}
	}
	return sn
}

// checkPath checks a route's geometry: it starts at the person, ends at
// the muster point, its network part measures the route's length, and for
// a person starting outside it never enters a hazard or closed area and
// never crosses a barrier.
func checkPath(t *testing.T, ref *refWorld, pl *Plan, i int, inside bool) {
	t.Helper()
	r := pl.Routes[i]
	path, err := pl.Path(i)
	if err != nil {
		t.Errorf("%s: %v", r.PersonID, err)
		return
	}
	pts := path.Points
	if pts[0] != r.p || pts[len(pts)-1] != pl.Musters[r.Muster].p {
		t.Errorf("%s: path runs %v → %v", r.PersonID, pts[0], pts[len(pts)-1])
	}
	// The network part: from the snap to the muster point's snap.
	net := pts[1 : len(pts)-1]
	if r.Snap.DistM == 0 {
		net = pts[:len(pts)-1]
	}
	if pl.Musters[r.Muster].Snap.DistM == 0 {
		net = append(net[:len(net):len(net)], pts[len(pts)-1])
	}
	flat, lv := 0.0, path.Levels
	for k := 0; k+1 < len(net); k++ {
		flat += dist(net[k], net[k+1])
		if !inside {
			for _, poly := range ref.nogo {
				if t0, t1, ok := cyrusBeck(poly, net[k], net[k+1]); ok && (t1-t0)*dist(net[k], net[k+1]) > 1e-6 {
					t.Errorf("%s: leg %v → %v enters a hazard or closed area", r.PersonID, net[k], net[k+1])
				}
			}
		}
		for _, l := range ref.lines {
			if segmentsCross(net[k], net[k+1], l[0], l[1]) {
				t.Errorf("%s: leg %v → %v crosses barrier %v", r.PersonID, net[k], net[k+1], l)
			}
		}
	}
	climbs := false
	for k := range lv {
		climbs = climbs || lv[k] != lv[0]
	}
	if !climbs && math.Abs(flat-r.cost.lenM) > 1e-6*math.Max(1, flat) {
		t.Errorf("%s: path's network part is %v m, route's %v m", r.PersonID, flat, r.cost.lenM)
	}
	if math.Abs(r.LengthM-(r.Snap.DistM+r.cost.lenM+pl.Musters[r.Muster].Snap.DistM)) > 1e-9*math.Max(1, r.LengthM) {
		t.Errorf("%s: LengthM %v is not access + network + access", r.PersonID, r.LengthM)
	}
}
