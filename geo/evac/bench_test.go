package evac

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/internal/gridplant"
)

// benchScene is the benchmark's plant: a 130 × 130 street grid at 10 m
// (100,880 edges), 10,000 people spread over it, 8 muster points on its
// edges holding 2,000 each (some fill, so capacity costs searches), two
// threat zones of 200 vertices with a wind, a closed area and a barrier.
func benchScene(tb testing.TB) (*route.Graph, Input) {
	rng := rand.New(rand.NewPCG(7, 7))
	const n, cell = 130, 10.0
	g := mustBuild(tb, gridplant.Lines(nil, n, cell, 0))
	span := float64(n-1) * cell
	in := Input{Wind: &Wind{FromDeg: 225, SpeedMS: 3}}
	for i := range 10000 {
		in.People = append(in.People, Person{ID: fmt.Sprintf("P%05d", i), P: [2]float64{rng.Float64() * span, rng.Float64() * span}})
	}
	for i, p := range [][2]float64{{0, 0}, {span / 2, 0}, {span, 0}, {0, span / 2}, {span, span / 2}, {0, span}, {span / 2, span}, {span, span}} {
		in.Musters = append(in.Musters, MusterPoint{ID: fmt.Sprintf("M%d", i), P: [2]float64{p[0] - 5, p[1] - 5}, RadiusM: 10, Capacity: 2000})
	}
	in.Hazards = []Hazard{
		{ID: "zone1", Area: circle([2]float64{span * 0.3, span * 0.6}, 60, 200)},
		{ID: "zone2", Area: circle([2]float64{span * 0.7, span * 0.35}, 40, 200)},
	}
	in.Closures = []Closure{
		{ID: "area", Geometry: convex(rng, [2]float64{span * 0.5, span * 0.8}, 50)},
		{ID: "barrier", Geometry: orb.LineString{{span * 0.2, span * 0.2}, {span * 0.2, span * 0.45}}},
	}
	return g, in
}

// BenchmarkPlan is a first plan on a new planner: every snap and clip
// computed. Making the planner (the junction graph and the snapping grid,
// once per network) is not timed.
func BenchmarkPlan(b *testing.B) {
	g, in := benchScene(b)
	for b.Loop() {
		b.StopTimer()
		p, err := NewPlanner(g, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		pl, err := p.Plan(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(pl.Stats.Searches), "searches")
	}
	b.ReportMetric(float64(g.NumEdges()), "edges")
}

// BenchmarkNewPlanner is the per-network preparation.
func BenchmarkNewPlanner(b *testing.B) {
	g, _ := benchScene(b)
	for b.Loop() {
		if _, err := NewPlanner(g, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplan is a plan after one new hazard polygon: snaps and the
// other clips kept.
func BenchmarkReplan(b *testing.B) {
	g, in := benchScene(b)
	p, err := NewPlanner(g, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Plan(context.Background(), in); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		next := in
		// A new hazard each time, so that it is clipped each time.
		next.Hazards = append(in.Hazards[:len(in.Hazards):len(in.Hazards)],
			Hazard{ID: "new", Area: circle([2]float64{400 + float64(i%100), 700}, 30, 64)})
		if _, err := p.Plan(context.Background(), next); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnap is the snapping of one person.
func BenchmarkSnap(b *testing.B) {
	g, in := benchScene(b)
	p, err := NewPlanner(g, Options{})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		h := in.People[i%len(in.People)]
		p.net.snap(h.P, h.Floor, p.opts.MaxSnapM)
	}
}

// BenchmarkSearch is one multi-source search over the whole network.
func BenchmarkSearch(b *testing.B) {
	g, in := benchScene(b)
	p, err := NewPlanner(g, Options{})
	if err != nil {
		b.Fatal(err)
	}
	pl, err := p.Plan(context.Background(), in)
	if err != nil {
		b.Fatal(err)
	}
	var seeds []seed
	for i, m := range pl.Musters {
		seeds = append(seeds, seed{p.net.chA[p.net.edgeC[m.Snap.Edge]], int32(i), cost{}, false})
	}
	var l labels
	for b.Loop() {
		if _, err := l.search(context.Background(), p.net, pl.costs, seeds, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(p.net.jNode)), "junctions")
}
