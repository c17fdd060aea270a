package evac

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/internal/gridplant"
)

// TestPlanMatchesReference plans random plants with ample capacity and
// checks every route against the reference.
func TestPlanMatchesReference(t *testing.T) {
	var all seen
	defer func() {
		t.Logf("seen %+v", all)
		if all.inside == 0 || all.downwind == 0 || all.stairs == 0 || all.cutOff == 0 || all.noNetwork == 0 ||
			all.cutEdges == 0 || all.unsafe == 0 || all.direct == 0 {
			t.Errorf("the scenarios miss a case: %+v", all)
		}
	}()
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			g, in, err := scenario(rng, false)
			if err != nil {
				t.Fatal(err)
			}
			pl := mustPlan(t, g, in)
			if pl.Stats.Searches > 1 {
				t.Errorf("%d searches without capacity limits", pl.Stats.Searches)
			}
			sn := checkPlan(t, g, Options{}, in, pl)
			all.inside += sn.inside
			all.downwind += sn.downwind
			all.stairs += sn.stairs
			all.cutOff += sn.cutOff
			all.noNetwork += sn.noNetwork
			all.cutEdges += sn.cutEdges
			all.unsafe += sn.unsafe
			all.direct += sn.direct
		})
	}
}

// TestPlanCapacities plans random plants with small muster points.
func TestPlanCapacities(t *testing.T) {
	full := 0
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 2))
			g, in, err := scenario(rng, true)
			if err != nil {
				t.Fatal(err)
			}
			pl := mustPlan(t, g, in)
			limited := 0
			for _, m := range pl.Musters {
				if m.Safe() && m.Capacity > 0 {
					limited++
				}
				if m.Capacity > 0 && m.Assigned == m.Capacity {
					full++
				}
			}
			if pl.Stats.Searches > limited+1 {
				t.Errorf("%d searches for %d limited muster points", pl.Stats.Searches, limited)
			}
			checkPlan(t, g, Options{}, in, pl)
		})
	}
	if full < 20 {
		t.Errorf("only %d muster points filled: the test does not test capacity", full)
	}
}

// TestReplan plans, adds a hazard, moves some people, changes the wind,
// and checks each plan against the reference and the caches' use.
func TestReplan(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	g, in, err := scenario(rng, true)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan := func(in Input) *Plan {
		t.Helper()
		pl, err := p.Plan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, g, Options{}, in, pl)
		return pl
	}
	first := plan(in)
	if first.Stats.SnapsReused != 0 {
		t.Errorf("first plan reused %d snaps", first.Stats.SnapsReused)
	}
	in.Wind = &Wind{FromDeg: 90, SpeedMS: 4}
	in.Hazards = append(in.Hazards, Hazard{ID: "new", Area: convex(rng, [2]float64{60, 60}, 25)})
	second := plan(in)
	if second.Stats.SnapsReused != len(in.People)+len(in.Musters) || second.Stats.Snapped != 0 {
		t.Errorf("re-plan snapped %d, reused %d", second.Stats.Snapped, second.Stats.SnapsReused)
	}
	// The new hazard and every sector (the wind changed) are clipped; the
	// old hazards and the closed areas are kept.
	if want := 1 + len(in.Hazards); second.Stats.AreasClipped != want {
		t.Errorf("re-plan clipped %d areas, want %d", second.Stats.AreasClipped, want)
	}
	in.People[1].P[0] += 7
	in.People = in.People[1:]
	third := plan(in)
	if third.Stats.Snapped != 1 {
		t.Errorf("third plan snapped %d, want the one who moved", third.Stats.Snapped)
	}
	if third.Stats.AreasClipped != 0 {
		t.Errorf("third plan clipped %d areas, want all reused", third.Stats.AreasClipped)
	}
}

// TestOutsideNeverThroughHazard: a hazard across the only way out cuts
// people off; a person in it is led out; with a second exit the route
// goes round.
func TestOutsideNeverThroughHazard(t *testing.T) {
	// A corridor from x = 0 to x = 100 with the muster point at its east
	// end and a hazard over x 40–60.
	lines := []route.Line{{ID: "corridor", Points: [][2]float64{{0, 0}, {100, 0}}, Pedestrian: true}}
	g := mustBuild(t, lines)
	hazard := Hazard{ID: "fire", Area: orb.Polygon{{{40, -5}, {60, -5}, {60, 5}, {40, 5}, {40, -5}}}}
	in := Input{
		Hazards: []Hazard{hazard},
		Musters: []MusterPoint{{ID: "east", P: [2]float64{100, 0}}},
		People:  []Person{{ID: "west", P: [2]float64{10, 1}}, {ID: "in", P: [2]float64{45, 0}}, {ID: "past", P: [2]float64{80, 0}}},
	}
	pl := mustPlan(t, g, in)
	if r := pl.Routes[0]; r.Reason != CutOff {
		t.Errorf("west: reason %q, want cut_off", r.Reason)
	}
	if r := pl.Routes[1]; !r.Routed() || !r.StartsInside || math.Abs(r.InsideM-15) > 0.002 || math.Abs(r.LengthM-55) > 1e-9 {
		t.Errorf("in: %+v, want routed east with 15 m inside and 55 m", r)
	}
	if r := pl.Routes[2]; !r.Routed() || r.InsideM != 0 || math.Abs(r.LengthM-20) > 1e-9 || math.Abs(r.EtaS-20/DefaultWalkMS) > 1e-9 {
		t.Errorf("past: %+v", r)
	}
	// A muster point at the west end too: the person inside takes the
	// shorter way out (west: 5 m inside, east 15 m) though the walk is
	// longer.
	in.Musters = append(in.Musters, MusterPoint{ID: "west", P: [2]float64{0, 0}})
	pl = mustPlan(t, g, in)
	if r := pl.Routes[1]; r.MusterID != "west" || math.Abs(r.InsideM-5) > 0.002 {
		t.Errorf("in: %+v, want the 5 m way out to the west", r)
	}
	if r := pl.Routes[0]; r.MusterID != "west" {
		t.Errorf("west: %+v", r)
	}
	// Two hazards overlapping count their common part once.
	in.Hazards = append(in.Hazards, Hazard{ID: "twin", Area: orb.Polygon{{{42, -5}, {58, -5}, {58, 5}, {42, 5}}}})
	pl = mustPlan(t, g, in)
	if r := pl.Routes[1]; math.Abs(r.InsideM-5) > 0.002 {
		t.Errorf("overlapping hazards: %v m inside, want 5", r.InsideM)
	}
}

// TestDownwindDetour: two ways to a muster point; the short one passes
// downwind of a hazard, so routes take the long one; a muster point
// downwind is unsafe.
func TestDownwindDetour(t *testing.T) {
	// A loop: south side y = 0 and north side y = 60 between x = 0 and
	// x = 200, joined at both ends. The person is at the west end, the
	// muster point at the east end of the south side. A small hazard lies
	// south of the south side with the wind from the south: the south
	// side is in its downwind sector (reaching 50 m beyond the hazard, to
	// y = 25), the north side is not.
	lines := []route.Line{
		{ID: "south", Points: [][2]float64{{0, 0}, {200, 0}}, Pedestrian: true},
		{ID: "north", Points: [][2]float64{{0, 60}, {200, 60}}, Pedestrian: true},
		{ID: "west", Points: [][2]float64{{0, 0}, {0, 60}}, Pedestrian: true},
		{ID: "east", Points: [][2]float64{{200, 0}, {200, 60}}, Pedestrian: true},
	}
	g := mustBuild(t, lines)
	in := Input{
		Hazards: []Hazard{{ID: "leak", Area: circle([2]float64{100, -30}, 5, 16)}},
		Musters: []MusterPoint{{ID: "east", P: [2]float64{200, 0}}, {ID: "downwind", P: [2]float64{100, 20}, RadiusM: 3}},
		People:  []Person{{ID: "a", P: [2]float64{0, 0}}},
	}
	o := Options{DownwindRangeM: 50, DownwindFactor: 4}
	p, err := NewPlanner(g, o)
	if err != nil {
		t.Fatal(err)
	}
	calm, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// Calm: the nearest point, 100 m along the south side and 20 m north.
	if r := calm.Routes[0]; r.MusterID != "downwind" || math.Abs(r.LengthM-120) > 1e-9 || r.DownwindM != 0 {
		t.Errorf("no wind: %+v, want the 120 m walk to the point north of the leak", r)
	}
	in.Wind = &Wind{FromDeg: 180, SpeedMS: 3}
	windy, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	r := windy.Routes[0]
	if math.Abs(r.LengthM-320) > 1e-9 || r.DownwindM != 0 || r.MusterID != "east" {
		t.Errorf("south wind: %+v, want the 320 m way round the north", r)
	}
	if m := windy.Musters[1]; m.Status != MusterDownwind || m.By != "leak" {
		t.Errorf("downwind muster point: %+v", m)
	}
	// A light wind has no direction.
	in.Wind.SpeedMS = 0.5
	light, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if r := light.Routes[0]; r.MusterID != "downwind" || light.Musters[1].Status != MusterSafe {
		t.Errorf("light wind: %+v, %+v", r, light.Musters[1])
	}
	// Routing through the sector is still better than no route: close
	// the north side.
	in.Wind.SpeedMS = 3
	in.Closures = []Closure{{ID: "gate", Sources: []string{"north"}}}
	closed, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// Along y = 0, 30 m downwind of the hazard's centre, the ±45° sector
	// of the 5 m circle is 2·(30 + 5·√2) ≈ 74 m wide.
	if r := closed.Routes[0]; math.Abs(r.LengthM-200) > 1e-9 || math.Abs(r.DownwindM-74.14) > 0.5 ||
		math.Abs(r.CostM-(200+3*r.DownwindM)) > 1e-6 {
		t.Errorf("north closed: %+v", r)
	}
}

// TestUnreachableReasons covers each reason.
func TestUnreachableReasons(t *testing.T) {
	lines := []route.Line{
		{ID: "a", Points: [][2]float64{{0, 0}, {100, 0}}, Pedestrian: true},
		{ID: "island", Points: [][2]float64{{0, 50}, {100, 50}}, Pedestrian: true},
	}
	g := mustBuild(t, lines)
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{
		Musters: []MusterPoint{{ID: "m", P: [2]float64{100, 0}, Capacity: 1}},
		People: []Person{
			{ID: "near", P: [2]float64{90, 0}},
			{ID: "far", P: [2]float64{10, 0}},     // the point is full
			{ID: "island", P: [2]float64{50, 50}}, // no way to the point
			{ID: "away", P: [2]float64{500, 500}}, // no network
			{ID: "up", P: [2]float64{50, 0}, Floor: 3},
		},
	}
	pl, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := []Reason{"", NoCapacity, CutOff, NoNetwork, NoNetwork}
	for i, r := range pl.Routes {
		if r.Reason != want[i] {
			t.Errorf("%s: reason %q, want %q", r.PersonID, r.Reason, want[i])
		}
		if _, err := pl.Path(i); (err == nil) != (want[i] == "") || err != nil && !errors.Is(err, ErrNoPath) {
			t.Errorf("%s: Path error %v", r.PersonID, err)
		}
	}
	if pl.Stats.Routed != 1 || pl.Stats.NoCapacity != 1 || pl.Stats.CutOff != 1 || pl.Stats.NoNetwork != 2 {
		t.Errorf("stats %+v", pl.Stats)
	}
	// The only muster point in a hazard: nobody has a safe one.
	in.Hazards = []Hazard{{ID: "h", Area: circle([2]float64{100, 0}, 3, 8)}}
	pl = mustPlan(t, g, in)
	if pl.Musters[0].Status != MusterInHazard || pl.Routes[0].Reason != NoSafeMuster || pl.Stats.NoSafeMuster != 3 {
		t.Errorf("muster in a hazard: %+v, %+v", pl.Musters[0], pl.Stats)
	}
	// A muster point off the network.
	in.Hazards = nil
	in.Musters = []MusterPoint{{ID: "lost", P: [2]float64{900, 900}}}
	pl = mustPlan(t, g, in)
	if pl.Musters[0].Status != MusterNoNetwork || pl.Routes[0].Reason != NoSafeMuster {
		t.Errorf("muster off the network: %+v", pl.Musters[0])
	}
	// A closure in a closed area; an unknown closed line.
	in.Musters = []MusterPoint{{ID: "m", P: [2]float64{100, 0}}}
	in.Closures = []Closure{{ID: "c", Geometry: orb.MultiPolygon{circle([2]float64{100, 0}, 2, 8)}, Sources: []string{"nope"}}}
	pl = mustPlan(t, g, in)
	if pl.Musters[0].Status != MusterInClosure || pl.Musters[0].By != "c" || len(pl.UnknownSources) != 1 {
		t.Errorf("muster in a closed area: %+v, unknown %v", pl.Musters[0], pl.UnknownSources)
	}
}

// TestBarrier: a barrier line across a corridor cuts it, even for a
// person standing on the cut edge, who walks the other way.
func TestBarrier(t *testing.T) {
	lines := []route.Line{{ID: "c", Points: [][2]float64{{0, 0}, {100, 0}}, Pedestrian: true}}
	g := mustBuild(t, lines)
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{
		Closures: []Closure{{ID: "wall", Geometry: orb.MultiLineString{{{50, -10}, {50, 10}}}}},
		Musters:  []MusterPoint{{ID: "w", P: [2]float64{0, 0}}, {ID: "e", P: [2]float64{100, 0}}},
		People:   []Person{{ID: "a", P: [2]float64{45, 0}}, {ID: "b", P: [2]float64{55, 0}}},
	}
	pl, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Routes[0].MusterID != "w" || pl.Routes[1].MusterID != "e" {
		t.Errorf("routes %+v", pl.Routes)
	}
	in.Musters = in.Musters[:1]
	pl = mustPlan(t, g, in)
	if pl.Routes[0].MusterID != "w" || pl.Routes[1].Reason != CutOff {
		t.Errorf("routes %+v", pl.Routes)
	}
}

// TestBadInput: bad input gets an error naming it, never a panic.
func TestBadInput(t *testing.T) {
	g := mustBuild(t, []route.Line{{ID: "c", Points: [][2]float64{{0, 0}, {100, 0}}, Pedestrian: true}})
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	for name, in := range map[string]Input{
		"nan person":     {People: []Person{{ID: "a", P: [2]float64{nan, 0}}}},
		"huge person":    {People: []Person{{ID: "a", P: [2]float64{1e12, 0}}}},
		"dup person":     {People: []Person{{ID: "a"}, {ID: "a"}}},
		"dup muster":     {Musters: []MusterPoint{{ID: "m"}, {ID: "m"}}},
		"neg capacity":   {Musters: []MusterPoint{{ID: "m", Capacity: -1}}},
		"nan radius":     {Musters: []MusterPoint{{ID: "m", RadiusM: nan}}},
		"nan wind":       {Wind: &Wind{FromDeg: nan, SpeedMS: 2}},
		"neg wind":       {Wind: &Wind{FromDeg: 0, SpeedMS: -2}},
		"hazard point":   {Hazards: []Hazard{{ID: "h", Area: orb.Point{1, 1}}}},
		"hazard nil":     {Hazards: []Hazard{{ID: "h"}}},
		"short ring":     {Hazards: []Hazard{{ID: "h", Area: orb.Polygon{{{0, 0}, {1, 1}, {0, 0}}}}}},
		"empty polygon":  {Hazards: []Hazard{{ID: "h", Area: orb.Polygon{}}}},
		"nan vertex":     {Hazards: []Hazard{{ID: "h", Area: orb.Polygon{{{0, 0}, {1, nan}, {1, 0}}}}}},
		"closure point":  {Closures: []Closure{{ID: "c", Geometry: orb.Point{1, 1}}}},
		"one-point line": {Closures: []Closure{{ID: "c", Geometry: orb.LineString{{1, 1}}}}},
		"inf line":       {Closures: []Closure{{ID: "c", Geometry: orb.LineString{{1, 1}, {math.Inf(1), 0}}}}},
	} {
		if _, err := p.Plan(context.Background(), in); !errors.Is(err, ErrInput) {
			t.Errorf("%s: error %v, want ErrInput", name, err)
		}
	}
	for name, o := range map[string]Options{
		"walk":   {WalkMS: -1},
		"stairs": {StairsMS: nan},
		"snap":   {MaxSnapM: -1},
		"angle":  {DownwindHalfAngleDeg: 120},
		"range":  {DownwindRangeM: -5},
		"factor": {DownwindFactor: 0.5},
	} {
		if _, err := NewPlanner(g, o); !errors.Is(err, ErrBadOptions) {
			t.Errorf("%s: error %v, want ErrBadOptions", name, err)
		}
	}
	if _, err := NewPlanner(nil, Options{}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("nil graph: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Plan(ctx, Input{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestEdgeState reads the edges' states back: a hazard over part of a
// corridor, a barrier, a closed line and a downwind sector.
func TestEdgeState(t *testing.T) {
	g := mustBuild(t, []route.Line{
		{ID: "a", Points: [][2]float64{{0, 0}, {100, 0}}, Pedestrian: true},
		{ID: "b", Points: [][2]float64{{0, 50}, {100, 50}}, Pedestrian: true},
		{ID: "c", Points: [][2]float64{{0, 200}, {100, 200}}, Pedestrian: true},
	})
	p, err := NewPlanner(g, Options{DownwindRangeM: 100})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Plan(context.Background(), Input{
		Hazards:  []Hazard{{ID: "h", Area: orb.Polygon{{{25, -5}, {75, -5}, {75, 5}, {25, 5}}}}},
		Closures: []Closure{{ID: "wall", Geometry: orb.LineString{{10, 45}, {10, 55}}}, {ID: "shut", Sources: []string{"c"}}},
		Wind:     &Wind{FromDeg: 180, SpeedMS: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]EdgeState{}
	pl.Edges(func(e int, st EdgeState) bool {
		got[g.Edge(e).Source] = st
		return true
	})
	if a := got["a"]; math.Abs(a.InsideFrac-0.5) > 1e-9 || a.DownwindFrac < 0.5 || a.Cut || a.Closed {
		t.Errorf("a: %+v", a)
	}
	if b := got["b"]; !b.Cut || b.InsideFrac != 0 || b.DownwindFrac == 0 {
		t.Errorf("b: %+v", b)
	}
	if c := got["c"]; !c.Closed || c.InsideFrac != 1 || c.DownwindFrac != 0 {
		t.Errorf("c: %+v", c)
	}
	if st := pl.Edge(-1); st != (EdgeState{}) {
		t.Errorf("edge -1: %+v", st)
	}
}

// TestSnapCacheEviction: the snaps of people gone are forgotten once they
// outnumber those present.
func TestSnapCacheEviction(t *testing.T) {
	g := mustBuild(t, gridplant.Lines(nil, 5, 20, 0))
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var in Input
	for i := range 500 {
		in.People = append(in.People, Person{ID: fmt.Sprint(i), P: [2]float64{float64(i % 80), float64(i / 7)}})
	}
	if _, err := p.Plan(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	in.People = in.People[:10]
	pl, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.personSnaps) != 10 || pl.Stats.SnapsReused != 10 {
		t.Errorf("%d snaps kept, %d reused", len(p.personSnaps), pl.Stats.SnapsReused)
	}
}

// TestHugeWindAngle: a finite but huge wind direction (its radians
// overflow) plans like its angle modulo 360°, without NaN costs.
func TestHugeWindAngle(t *testing.T) {
	g := mustBuild(t, gridplant.Lines(nil, 5, 20, 0))
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{
		Hazards: []Hazard{{ID: "h", Area: circle([2]float64{40, 40}, 10, 8)}},
		Musters: []MusterPoint{{ID: "m", P: [2]float64{0, 0}}},
		People:  []Person{{ID: "a", P: [2]float64{80, 80}}},
		Wind:    &Wind{FromDeg: 1.7e308, SpeedMS: 3},
	}
	huge, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	in.Wind.FromDeg = math.Mod(1.7e308, 360)
	mod, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if r := huge.Routes[0]; !r.Routed() || math.IsNaN(r.CostM) || r.CostM != mod.Routes[0].CostM {
		t.Errorf("huge angle: %+v, modulo 360: %+v", r, mod.Routes[0])
	}
}

// TestEmptyNetwork: with no walkway at all nobody is routed, and nothing
// breaks.
func TestEmptyNetwork(t *testing.T) {
	g, _ := route.Build(nil, route.Options{})
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Plan(context.Background(), Input{
		Hazards: []Hazard{{ID: "h", Area: circle([2]float64{0, 0}, 5, 6)}},
		Musters: []MusterPoint{{ID: "m"}},
		People:  []Person{{ID: "a", P: [2]float64{1, 1}}},
		Wind:    &Wind{FromDeg: 10, SpeedMS: 5},
	})
	if err != nil {
		t.Fatal(err)
	}
	if pl.Routes[0].Reason != NoNetwork || pl.Musters[0].Status != MusterInHazard || pl.Stats.Searches != 0 {
		t.Errorf("%+v %+v %+v", pl.Routes[0], pl.Musters[0], pl.Stats)
	}
}
