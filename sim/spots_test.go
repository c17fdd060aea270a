package sim

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/paulmach/orb"
)

// Watched spots are spotSpacingM apart on each level, and routine work
// puts at most spotCapacity people at (or on the way to) each of them;
// the spots' head counts match who holds them.
func TestSpotsSpreadPeople(t *testing.T) {
	sim := newTestSim(t, testPlant{people: 60}, Options{Seed: 6})
	var watched, sheltered int
	for i, a := range sim.m.spots {
		if !a.watched {
			sheltered++
			continue
		}
		watched++
		for _, b := range sim.m.spots[i+1:] {
			if b.watched && math.Round(a.at.Level) == math.Round(b.at.Level) {
				if d := math.Hypot(a.at.Point[0]-b.at.Point[0], a.at.Point[1]-b.at.Point[1]); d < spotSpacingM {
					t.Fatalf("watched spots %.1f m apart", d)
				}
			}
		}
	}
	if watched < 10 || sheltered < 10 {
		t.Fatalf("%d watched and %d sheltered spots", watched, sheltered)
	}
	var people []*person
	for _, st := range sim.streams {
		if p, ok := st.em.(*person); ok {
			people = append(people, p)
		}
	}
	busy := 0
	for at := testStart; !at.After(testStart.Add(time.Hour)); at = at.Add(2 * time.Second) {
		sim.Step(at)
		held := map[*spot]int{}
		for _, p := range people {
			if p.spot != nil {
				held[p.spot] += p.party
			}
		}
		for _, s := range sim.m.spots {
			if held[s] != s.n {
				t.Fatalf("%v: a spot counts %d people, %d hold it", at.Sub(testStart), s.n, held[s])
			}
			if s.watched && s.n > spotCapacity {
				t.Fatalf("%v: %d people at one watched spot", at.Sub(testStart), s.n)
			}
			if s.watched && s.n == spotCapacity {
				busy++
			}
		}
	}
	if busy == 0 {
		t.Error("nobody ever worked at a watched spot")
	}
}

// The gathering episode calls 4–5 people to one spot of a production area,
// keeps them within a few metres of each other for 3 min after the last
// arrives, and lets them go one by one, 30–45 s apart.
func TestCrowdEpisode(t *testing.T) {
	sim := newTestSim(t, testPlant{people: 40}, Options{Seed: 8, Episodes: true})
	msgs := runFor(t, sim, 45*time.Minute, time.Second)
	if len(sim.crowd.log) < 2 {
		t.Fatalf("%d gathering episodes in 45 min, want 2", len(sim.crowd.log))
	}
	f := testFrame(t)
	type fix struct {
		t    float64
		x, y float64
	}
	fixes := map[string][]fix{}
	for id, ps := range positions(t, msgs) {
		for _, p := range ps {
			x, y := f.FastLocal(orb.Point{*p.Lon, *p.Lat})
			fixes[id] = append(fixes[id], fix{sim.m.sec(*p.TS), x, y})
		}
	}
	const nearM = 6 // standing within 3 m of the spot, plus tag error
	for _, ep := range sim.crowd.log {
		if len(ep.tags) < crowdMinPeople || len(ep.tags) > crowdMaxPeople {
			t.Fatalf("%d people called", len(ep.tags))
		}
		if x, y := ep.at[0], ep.at[1]; x < -150 || x > -50 || y < 0 || y > 100 {
			t.Fatalf("gathering at (%.0f, %.0f), outside the production area", x, y)
		}
		arrived, left := ep.from, []float64{}
		for _, tag := range ep.tags {
			// The longest stay near the spot that began during the episode.
			in, out := math.Inf(1), math.Inf(1)
			start := math.NaN()
			for _, fx := range fixes[tag] {
				near := fx.t >= ep.from && math.Hypot(fx.x-ep.at[0], fx.y-ep.at[1]) <= nearM
				if near && math.IsNaN(start) && fx.t > ep.to {
					break
				}
				switch {
				case near && math.IsNaN(start):
					start = fx.t
				case !near && !math.IsNaN(start):
					if math.IsInf(in, 1) || fx.t-start > out-in {
						in, out = start, fx.t
					}
					start = math.NaN()
				}
			}
			if math.IsInf(in, 1) || math.IsInf(out, 1) {
				t.Fatalf("%s: came at %v s, left at %v s (called at %.0f s)", tag, in, out, ep.from)
			}
			arrived = max(arrived, in)
			left = append(left, out)
		}
		slices.Sort(left)
		// Walking in and out of the disc adds a few seconds.
		if together := left[0] - arrived; together < crowdHoldS-5 || together > crowdHoldS+15 {
			t.Errorf("together %.0f s, want %v s", together, crowdHoldS)
		}
		for i := 1; i < len(left); i++ {
			if gap := left[i] - left[i-1]; gap < crowdLeaveMinS-4 || gap > crowdLeaveMaxS+4 {
				t.Errorf("left %.0f s after the one before, want %v–%v s", gap, crowdLeaveMinS, crowdLeaveMaxS)
			}
		}
	}
}

// TestNoSpotInAForbiddenZone: nobody is sent to work or wait inside a
// forbidden fence (the demo's server room, FN-B1-F5) on its floor.
func TestNoSpotInAForbiddenZone(t *testing.T) {
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := sc.Twin(twin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := New(ts, Options{Seed: 1, BLEShare: -1})
	if err != nil {
		t.Fatal(err)
	}
	var fences []*twin.Entity
	ts.View(func(tx twin.Tx) {
		tx.Kind(twin.KindFence, func(e *twin.Entity) bool {
			if e.String("rule") == "forbidden" {
				fences = append(fences, e.Clone())
			}
			return true
		})
	})
	if len(fences) == 0 {
		t.Fatal("the demo has no forbidden fence")
	}
	f := ts.Frame()
	for _, s := range sim.m.spots {
		ll := f.FastPoint(s.at.Point[0], s.at.Point[1])
		floor := sim.m.g.Edge(s.at.Edge).Floor
		for _, e := range fences {
			fl, hasFloor := twin.AsFloat(e.Props["floor"])
			if geo.Contains(e.Geometry, ll) && (!hasFloor || int(fl) == floor) {
				t.Errorf("a spot on floor %d lies in %s", floor, e.ID)
			}
		}
	}
}
