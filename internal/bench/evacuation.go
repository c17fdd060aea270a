package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/evac"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/internal/gridplant"
)

// EvacuationOptions size `chemtwin bench evacuation`; zero values are the
// defaults: W8's 10,000 people on a 100,000-edge network.
type EvacuationOptions struct {
	Seed uint64 // default 1
	// Streets is the number of streets each way of the grid plant, 10 m
	// apart with a vertex every 5 m; default 130 (100,360 edges).
	Streets int
	People  int // default 10,000
	Musters int // muster points round the edge; default 8
	Runs    int // plans and re-plans timed; default 7
}

// evacuationPlanTargetMS is W8's target for one plan of 10,000 people on a
// 100,000-edge network.
const evacuationPlanTargetMS = 100

func (o EvacuationOptions) withDefaults() EvacuationOptions {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Streets, 130)
	def(&o.People, 10000)
	def(&o.Musters, 8)
	def(&o.Runs, 7)
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// EvacuationResult is what `chemtwin bench evacuation` prints.
type EvacuationResult struct {
	Nodes   int `json:"nodes"`
	Edges   int `json:"edges"`
	People  int `json:"people"`
	Musters int `json:"muster_points"`
	// Making the planner (once per network: junction graph and snapping
	// grid), ms.
	PrepareMS float64 `json:"prepare_ms"`
	// A first plan on a new planner (every person snapped, every hazard
	// clipped, the searches), median, and the target.
	PlanMS       float64 `json:"plan_ms"`
	PlanTargetMS float64 `json:"plan_target_ms"`
	// A re-plan after one new hazard polygon (snaps and the other clips
	// kept), median.
	ReplanMS float64 `json:"replan_ms"`
	// Searches of the last plan: one, plus one per muster point that
	// filled.
	Searches    int `json:"searches"`
	Routed      int `json:"routed"`
	Unreachable int `json:"unreachable"`
}

// Evacuation measures evacuation planning (geo/evac) on a grid plant of
// o.Streets × o.Streets streets with o.People people spread over it,
// o.Musters muster points on its edge holding 1.5 times their share (so
// some fill and cost searches), two 200-vertex threat zones with a wind, a
// closed area and a barrier.
func Evacuation(ctx context.Context, o EvacuationOptions) (EvacuationResult, error) {
	o = o.withDefaults()
	rng := rand.New(rand.NewPCG(o.Seed, 8))
	g, err := route.Build(gridplant.Lines(nil, o.Streets, 10, 0), route.Options{})
	if err != nil {
		return EvacuationResult{}, err
	}
	span := float64(o.Streets-1) * 10
	in := evac.Input{Wind: &evac.Wind{FromDeg: 225, SpeedMS: 3}}
	for i := range o.People {
		in.People = append(in.People, evac.Person{ID: fmt.Sprintf("P%05d", i), P: [2]float64{rng.Float64() * span, rng.Float64() * span}})
	}
	for i := range o.Musters {
		// Round the edge, 5 m outside it.
		s := 4 * span * float64(i) / float64(o.Musters)
		side, off := int(s/span), math.Mod(s, span)
		p := [4][2]float64{{off, -5}, {span + 5, off}, {span - off, span + 5}, {-5, span - off}}[side]
		in.Musters = append(in.Musters, evac.MusterPoint{ID: fmt.Sprintf("M%d", i), P: p, RadiusM: 10,
			Capacity: 3 * o.People / (2 * o.Musters)})
	}
	in.Hazards = []evac.Hazard{
		{ID: "zone1", Area: evacRing([2]float64{span * 0.3, span * 0.6}, span*0.05, 200)},
		{ID: "zone2", Area: evacRing([2]float64{span * 0.7, span * 0.35}, span*0.03, 200)},
	}
	in.Closures = []evac.Closure{
		{ID: "area", Geometry: evacRing([2]float64{span * 0.5, span * 0.8}, span*0.03, 6)},
		{ID: "barrier", Geometry: orb.LineString{{span * 0.2, span * 0.2}, {span * 0.2, span * 0.45}}},
	}
	r := EvacuationResult{Nodes: g.NumNodes(), Edges: g.NumEdges(), People: o.People, Musters: o.Musters, PlanTargetMS: evacuationPlanTargetMS}
	var prepare, plan, replan []float64
	var p *evac.Planner
	for range o.Runs {
		begin := time.Now()
		if p, err = evac.NewPlanner(g, evac.Options{}); err != nil {
			return r, err
		}
		prepare = append(prepare, ms(time.Since(begin)))
		runtime.GC() // the plan's time, not the collection of the preparation's garbage
		begin = time.Now()
		pl, err := p.Plan(ctx, in)
		if err != nil {
			return r, err
		}
		plan = append(plan, ms(time.Since(begin)))
		r.Searches, r.Routed = pl.Stats.Searches, pl.Stats.Routed
		r.Unreachable = o.People - pl.Stats.Routed
	}
	for i := range o.Runs {
		next := in
		next.Hazards = append(in.Hazards[:len(in.Hazards):len(in.Hazards)],
			evac.Hazard{ID: "new", Area: evacRing([2]float64{span * (0.4 + 0.02*float64(i)), span * 0.5}, span*0.02, 64)})
		runtime.GC()
		begin := time.Now()
		if _, err := p.Plan(ctx, next); err != nil {
			return r, err
		}
		replan = append(replan, ms(time.Since(begin)))
	}
	r.PrepareMS, r.PlanMS, r.ReplanMS = median(prepare), median(plan), median(replan)
	return r, nil
}

// evacRing returns a polygon of n vertices on a circle.
func evacRing(c [2]float64, r float64, n int) orb.Polygon {
	pts := make(orb.Ring, 0, n+1)
	for k := range n {
		s, co := math.Sincos(2 * math.Pi * float64(k) / float64(n))
		pts = append(pts, orb.Point{c[0] + r*co, c[1] + r*s})
	}
	return orb.Polygon{append(pts, pts[0])}
}
