package locate

import (
	"math"

	"github.com/chemtwin/chemtwin/geo/route"
)

// Floor determination settings.
const (
	// floorSwitchLLR is the CUSUM threshold of a floor change: the evidence
	// for the floor above (or below) must build up to a likelihood ratio of
	// e^4.6 ≈ 100 over consecutive reports.
	floorSwitchLLR = 4.6
	floorFitIters  = 2 // Gauss–Newton steps re-fitting a floor hypothesis
	voteBeacons    = 6 // strongest beacons in the floor vote
)

// place is where a tag is: a building and floor, or outdoors.
type place struct {
	bld   int32 // building index, −1 outdoors
	floor int   // 0 outdoors
}

var outdoors = place{bld: -1}

// vote returns the building and floor the strongest beacons agree on,
// weighting each by its received power relative to its 1 m power (1/d²
// of the model's range). hs must be sorted strongest first.
func vote(hs []heard, m PathLoss) place {
	type tally struct {
		p place
		w float64
	}
	var t [voteBeacons]tally
	n := 0
	for _, h := range hs[:min(len(hs), voteBeacons)] {
		p := place{bld: h.bld, floor: h.floor}
		if h.bld < 0 {
			p = outdoors
		}
		r := m.RangeM(h.rssi1m, h.rssi)
		w := 1 / (r*r + 1)
		i := 0
		for i < n && t[i].p != p {
			i++
		}
		if i == n {
			t[n] = tally{p: p}
			n++
		}
		t[i].w += w
	}
	best := 0
	for i := 1; i < n; i++ {
		if t[i].w > t[best].w {
			best = i
		}
	}
	return t[best].p
}

// floorCost re-fits the position for tag height z from p and returns the
// robust data cost there (−log-likelihood up to a constant).
func (l *lsq) floorCost(p [2]float64, z float64) float64 {
	zt := l.zt
	l.zt = z
	q := l.solve(p, floorFitIters)
	_, _, _, data := l.eval(q)
	l.zt = zt
	return data
}

// floorTrack is the floor state of a tag inside a building: the CUSUM
// statistics of the floor above and below against the current one.
type floorTrack struct {
	up, down float64
}

// step adds one report's evidence, costs of the floor below, the current
// floor and the floor above (NaN where there is none), and returns the
// floor change it decides: −1, 0 or +1.
func (ft *floorTrack) step(below, here, above float64) int {
	ft.up = cusum(ft.up, here-above)
	ft.down = cusum(ft.down, here-below)
	switch {
	case ft.up > floorSwitchLLR && ft.up >= ft.down:
		*ft = floorTrack{}
		return 1
	case ft.down > floorSwitchLLR:
		*ft = floorTrack{}
		return -1
	}
	return 0
}

// cusum is one step of Page's CUSUM: s grows with the log-likelihood ratio
// of the alternative and is floored at zero. A NaN ratio (no such floor)
// keeps it at zero.
func cusum(s, llr float64) float64 {
	if llr != llr {
		return 0
	}
	return max(0, s+llr)
}

// tagZ returns the tag's height above ground at place p.
func (s *Solver) tagZ(p place) float64 {
	if p.bld < 0 {
		return float64(route.Storey(p.floor))*route.DefaultFloorHeightM + s.o.TagHeightM
	}
	return s.m.buildings[p.bld].FloorBaseM(p.floor) + s.o.TagHeightM
}

// bestFloor returns the floor of building b that fits the report best,
// among the floors of its beacons heard (±1), starting from the vote.
func (t *track) bestFloor(s *Solver, l *lsq, b int32, p [2]float64, guess place) place {
	lo, hi := math.MaxInt, math.MinInt
	for _, h := range l.obs {
		if h.bld == b {
			lo, hi = min(lo, h.floor-1), max(hi, h.floor+1)
		}
	}
	bld := &s.m.buildings[b]
	lo, hi = max(lo, 1), min(hi, bld.Floors)
	best := place{bld: b, floor: 1}
	if guess.bld == b {
		best.floor = guess.floor
	}
	bestCost := math.Inf(1)
	for f := lo; f <= hi; f++ {
		if c := l.floorCost(p, s.tagZ(place{b, f})); c < bestCost {
			best.floor, bestCost = f, c
		}
	}
	t.floors = floorTrack{}
	return best
}

// trackFloor scores the floors below and above the current one and moves
// the tag when the evidence has built up (re-solving on the new floor).
func (t *track) trackFloor(s *Solver, l *lsq, ft fit) fit {
	bld := &s.m.buildings[t.at.bld]
	cost := func(floor int) float64 {
		if floor < 1 || floor > bld.Floors {
			return math.NaN()
		}
		return l.floorCost(ft.xy, s.tagZ(place{t.at.bld, floor}))
	}
	here := cost(t.at.floor)
	move := t.floors.step(cost(t.at.floor-1), here, cost(t.at.floor+1))
	if move == 0 {
		return ft
	}
	t.at.floor += move
	l.zt = s.tagZ(t.at)
	return l.robust(ft.xy, ft.xy)
}
