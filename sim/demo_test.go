package sim

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/fence"
)

// TestDemoPlant runs the simulator on the embedded demo plant for a quarter
// of an hour of plant time (5 min with -short): every message is accepted
// by ingest, every tag reports inside the site boundary, people near the
// walkways and vehicles on the roads, and the episodes raise a gas alarm.
func TestDemoPlant(t *testing.T) {
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		t.Skipf("the demo scene does not load yet (%v): skipping", err)
	}
	ts, err := sc.Twin(twin.Options{})
	if err != nil {
		t.Skipf("the demo scene does not build a twin yet (%v): skipping", err)
	}
	sim, err := New(ts, Options{Seed: 1, Episodes: true})
	if err != nil {
		t.Fatal(err)
	}
	c := sim.Counts()
	t.Logf("demo plant: %+v", c)
	if c.People == 0 || c.Detectors == 0 || c.Stations == 0 {
		t.Fatalf("nothing to simulate: %+v", c)
	}
	g, err := route.FromScene(ts)
	if g == nil {
		t.Fatal(err)
	}
	boundary := plantBoundary(t, ts)
	// The demo's static fences (静止, a man-down watch over the tank farm)
	// watch the simulated people: nobody standing at work there may set
	// them off.
	still := staticEngine(t, ts)
	var trs []fence.Transition
	stillAlarms := map[string]int{}
	vehicles := vehicleTags(ts)
	start, span := time.Now().Truncate(time.Hour), 15*time.Minute
	if testing.Short() {
		span = 5 * time.Minute // the first leak begins within 5 min
	}
	kinds := map[ingest.Kind]int{}
	var pedOff []float64
	alarms := 0
	for at := start; !at.After(start.Add(span)); at = at.Add(time.Second) {
		for _, m := range sim.Step(at) {
			top, err := ingest.ParseTopic("demo", m.Topic)
			if err != nil {
				t.Fatal(err)
			}
			v, err := ingest.Parse(top.Kind, m.Payload, ingest.Env{Now: at})
			if err != nil {
				t.Fatalf("%s %s: %v", m.Topic, m.Payload, err)
			}
			kinds[top.Kind]++
			switch v := v.(type) {
			case ingest.Position:
				x, y := ts.Frame().FastLocal(v.Fix.Point)
				if !planar.PolygonContains(boundary, orb.Point{x, y}) {
					t.Fatalf("%s at (%.1f, %.1f), outside the site", top.ID, x, y)
				}
				mode := route.Pedestrian
				if slices.Contains(vehicles, top.ID) {
					mode = route.Vehicle
				}
				s, ok := g.NearestOn([2]float64{x, y}, v.Fix.Floor, mode)
				if !ok || s.DistM > 6 {
					t.Fatalf("%s (%s) is %.1f m off the network on floor %d", top.ID, mode, s.DistM, v.Fix.Floor)
				}
				if mode == route.Pedestrian {
					pedOff = append(pedOff, s.DistM)
					if trs, err = still.Update(trs[:0], top.ID, v.Fix); err != nil {
						t.Fatal(err)
					}
					countRaised(stillAlarms, trs)
				}
			case ingest.Reading:
				if ent, ok := ts.Get(top.ID); ok && ent.String("detector_type") != "oxygen" && v.Value >= ent.Float("alarm1", math.Inf(1)) {
					alarms++
				}
			}
		}
		countRaised(stillAlarms, still.Tick(trs[:0], at))
	}
	t.Logf("messages: %v; %d readings at or above level 1", kinds, alarms)
	if len(stillAlarms) > 0 {
		t.Errorf("people at work stood still past a static fence's time: %v", stillAlarms)
	}
	slices.Sort(pedOff)
	if med := pedOff[len(pedOff)/2]; med > 1.5 {
		t.Errorf("people are a median %.2f m off the walkways", med)
	}
	if alarms == 0 {
		t.Errorf("no gas alarm in %v with episodes on", span)
	}
}

// staticEngine is a fence engine over the scene's static fences.
func staticEngine(t *testing.T, ts *twin.Scene) *fence.Engine {
	var ents []*twin.Entity
	ts.View(func(tx twin.Tx) {
		tx.Kind(twin.KindFence, func(e *twin.Entity) bool {
			if e.String("rule") == "static" {
				ents = append(ents, e.Clone())
			}
			return true
		})
	})
	if len(ents) == 0 {
		t.Fatal("the demo has no static fence")
	}
	set, err := fence.Compile(ents, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	e, err := fence.NewEngine(set, fence.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// countRaised counts the raised alarms among trs by entity.
func countRaised(n map[string]int, trs []fence.Transition) {
	for _, tr := range trs {
		if !tr.Clear {
			n[tr.Raise.EntityID]++
		}
	}
}

func plantBoundary(t *testing.T, ts *twin.Scene) orb.Polygon {
	site, _ := ts.Get(ts.SiteID())
	poly, ok := plantPoly(ts.Frame(), site.Geometry)
	if !ok {
		t.Fatalf("the demo site has no boundary polygon")
	}
	return poly
}

func vehicleTags(ts *twin.Scene) []string {
	var tags []string
	ts.View(func(tx twin.Tx) {
		tx.Kind(twin.KindVehicle, func(e *twin.Entity) bool {
			tags = append(tags, e.Mobile.Tag)
			return true
		})
	})
	return tags
}
