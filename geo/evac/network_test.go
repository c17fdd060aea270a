package evac

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/internal/gridplant"
)

// TestChains checks the junction graph: each pedestrian edge is in one
// chain, in order, chains end at junctions, and inner nodes have degree 2.
func TestChains(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	lines := append(gridplant.Lines(rng, 8, 20, 0.3), upperFloor(45, 30)...)
	lines = append(lines,
		// A loop of its own, with no junction.
		route.Line{ID: "ring", Points: [][2]float64{{500, 500}, {520, 500}, {520, 520}, {500, 520}, {500, 500}}, Pedestrian: true},
		// A vehicle-only road: not in the pedestrian network.
		route.Line{ID: "road", Points: [][2]float64{{0, -30}, {100, -30}}, Vehicle: true},
		// A lollipop: a loop hanging off a path.
		route.Line{ID: "stick", Points: [][2]float64{{300, 0}, {330, 0}}, Pedestrian: true},
		route.Line{ID: "candy", Points: [][2]float64{{330, 0}, {340, 10}, {350, 0}, {340, -10}, {330, 0}}, Pedestrian: true},
	)
	g := mustBuild(t, lines)
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := p.net
	deg := make([]int, g.NumNodes())
	for e := range g.NumEdges() {
		if ed := g.Edge(e); ed.Pedestrian {
			deg[ed.From]++
			deg[ed.To]++
		}
	}
	seen := make([]bool, g.NumEdges())
	for c := range w.chA {
		lo, hi := w.chOff[c], w.chOff[c+1]
		if lo >= hi {
			t.Fatalf("chain %d is empty", c)
		}
		if w.aNode(lo) != w.jNode[w.chA[c]] || w.bNode(hi-1) != w.jNode[w.chB[c]] {
			t.Errorf("chain %d does not end at its junctions", c)
		}
		for k := lo; k < hi; k++ {
			e := w.chEdges[k]
			if seen[e] {
				t.Errorf("edge %d in two chains", e)
			}
			seen[e] = true
			if w.edgeK[e] != k || w.edgeC[e] != int32(c) {
				t.Errorf("edge %d: position %d chain %d, want %d %d", e, w.edgeK[e], w.edgeC[e], k, c)
			}
			if k > lo {
				if w.aNode(k) != w.bNode(k-1) {
					t.Errorf("chain %d broken at %d", c, k)
				}
				if deg[w.aNode(k)] != 2 {
					t.Errorf("chain %d passes a node of degree %d", c, deg[w.aNode(k)])
				}
			}
		}
		if want := w.pLen[hi] - w.pLen[lo]; math.Abs(want-sumLen(g, w.chEdges[lo:hi])) > 1e-9 {
			t.Errorf("chain %d length %v", c, want)
		}
	}
	for e := range g.NumEdges() {
		if g.Edge(e).Pedestrian != seen[e] {
			t.Errorf("edge %d (%s): in a chain %v", e, g.Edge(e).Source, seen[e])
		}
	}
	if len(w.jNode) >= g.NumNodes()/2 {
		t.Errorf("%d junctions of %d nodes: the contraction did little", len(w.jNode), g.NumNodes())
	}
	// The ring and the lollipop route like any other walkway.
	in := Input{
		Musters: []MusterPoint{{ID: "ring", P: [2]float64{520, 510}}, {ID: "stick", P: [2]float64{300, 0}}},
		People:  []Person{{ID: "r", P: [2]float64{505, 520}}, {ID: "c", P: [2]float64{350, 0}}},
	}
	pl, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if r := pl.Routes[0]; r.MusterID != "ring" || math.Abs(r.LengthM-25) > 1e-9 {
		t.Errorf("ring: %+v", r)
	}
	if r := pl.Routes[1]; r.MusterID != "stick" || math.Abs(r.LengthM-(30+2*math.Hypot(10, 10))) > 1e-9 {
		t.Errorf("lollipop: %+v", r)
	}
	checkPlan(t, g, Options{}, in, pl)
}

func sumLen(g *route.Graph, edges []int32) float64 {
	s := 0.0
	for _, e := range edges {
		s += g.Edge(int(e)).LengthM
	}
	return s
}

// TestSnapMatchesNearestOn snaps random points, near and far, on each
// floor, with the grid and with the R-tree fallback of a long reach.
func TestSnapMatchesNearestOn(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	g := mustBuild(t, append(gridplant.Lines(rng, 10, 20, 0.4), upperFloor(45, 30)...))
	for _, maxM := range []float64{0, 3, 50, 2000} {
		p, err := NewPlanner(g, Options{MaxSnapM: maxM})
		if err != nil {
			t.Fatal(err)
		}
		maxM = p.Options().MaxSnapM
		for range 3000 {
			q := [2]float64{rng.Float64()*400 - 100, rng.Float64()*400 - 100}
			floor := []int{0, 1, 2, 3}[rng.IntN(4)]
			got, ok := p.net.snap(q, floor, maxM)
			want, wok := g.NearestOn(q, floor, route.Pedestrian)
			wok = wok && want.DistM <= maxM
			if ok != wok || ok && (math.Abs(got.DistM-want.DistM) > 1e-9 || dist(got.Point, q) > got.DistM+1e-9) {
				t.Fatalf("max %v: snap %v floor %d: %+v %v, NearestOn %+v %v", maxM, q, floor, got, ok, want, wok)
			}
		}
	}
}

// TestStairsETA: a route down the stairs walks them at the stairs speed.
func TestStairsETA(t *testing.T) {
	g := mustBuild(t, append(gridplant.Lines(nil, 5, 20, 0), upperFloor(45, 30)...))
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{
		Musters: []MusterPoint{{ID: "m", P: [2]float64{0, 0}}},
		People:  []Person{{ID: "up", P: [2]float64{46, 50}, Floor: 2}},
	}
	pl, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	r := pl.Routes[0]
	path, err := pl.Path(0)
	if err != nil || !r.Routed() {
		t.Fatalf("%+v %v", r, err)
	}
	stairs := 0.0
	for e := range g.NumEdges() {
		if ed := g.Edge(e); ed.Source == "stairs1" {
			stairs += ed.LengthM
		}
	}
	if path.Levels[0] != 1 || path.Levels[len(path.Levels)-1] != 0 {
		t.Errorf("levels %v", path.Levels)
	}
	want := (r.LengthM-stairs)/DefaultWalkMS + stairs/DefaultStairsMS
	if math.Abs(r.EtaS-want) > 1e-9 {
		t.Errorf("ETA %v s, want %v (%v m of stairs)", r.EtaS, want, stairs)
	}
}

// TestConcaveHazard routes round a concave hazard with a hole: nobody
// starting outside walks into it (checked by sampling the path), and the
// hole is not a refuge reachable through the ring.
func TestConcaveHazard(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	g := mustBuild(t, gridplant.Lines(nil, 12, 20, 0))
	outer := star(rng, [2]float64{110, 110}, 70, 24)
	hole := [][2]float64{{105, 105}, {105, 115}, {115, 115}, {115, 105}}
	hz := newArea([][][2]float64{outer, hole})
	in := Input{
		Hazards: []Hazard{{ID: "cloud", Area: orb.MultiPolygon{toPolygon(outer, hole)}}},
		Musters: []MusterPoint{{ID: "sw", P: [2]float64{0, 0}}, {ID: "ne", P: [2]float64{220, 220}}, {ID: "hole", P: [2]float64{110, 110}}},
	}
	for i := range 300 {
		in.People = append(in.People, Person{ID: string(rune('a'+i%26)) + string(rune('a'+i/26)), P: [2]float64{rng.Float64() * 220, rng.Float64() * 220}})
	}
	pl := mustPlan(t, g, in)
	// The point in the hole is outside the hazard, so safe, but its
	// walkway runs through the hazard: nobody from outside goes there.
	if !pl.Musters[2].Safe() {
		t.Errorf("the muster point in the hole: %+v", pl.Musters[2])
	}
	insiders := 0
	for i, r := range pl.Routes {
		if !r.Routed() {
			continue
		}
		path, _ := pl.Path(i)
		walked := 0.0
		pts := path.Points[1 : len(path.Points)-1]
		for k := 0; k+1 < len(pts); k++ {
			walked += measure(hz.clip(pts[k], pts[k+1], nil), 0, 1) * dist(pts[k], pts[k+1])
		}
		if r.StartsInside {
			insiders++
			if math.Abs(walked-r.InsideM) > 0.01+1e-3*float64(len(pts)) {
				t.Errorf("%s: %v m inside along the path, route says %v", r.PersonID, walked, r.InsideM)
			}
		} else if walked > 1e-6 || r.MusterID == "hole" {
			t.Errorf("%s starts outside and walks %v m inside to %s", r.PersonID, walked, r.MusterID)
		}
	}
	if insiders == 0 {
		t.Error("nobody started inside")
	}
}
