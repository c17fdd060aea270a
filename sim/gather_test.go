package sim

import (
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/gather"
)

// demoTwin loads the embedded demo plant, skipping the test while it does
// not load (as TestDemoPlant does).
func demoTwin(t testing.TB) *twin.Scene {
	t.Helper()
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		t.Skipf("the demo scene does not load yet (%v): skipping", err)
	}
	ts, err := sc.Twin(twin.Options{})
	if err != nil {
		t.Skipf("the demo scene does not build a twin yet (%v): skipping", err)
	}
	return ts
}

// raised is a gathering the detector raised: as it was when it first
// reached its highest level.
type raised struct {
	g  gather.Gathering
	at time.Time
}

// watchGatherings runs sim on the demo plant ts from testStart for span in
// 1 s steps, as the service would see it: position fixes as published,
// BLE reports solved by geo/locate as ingest solves them, people in
// exempt zones left out as twin/gather's Service leaves them out, and
// returns the gatherings a real detector raised.
func watchGatherings(t testing.TB, ts *twin.Scene, sim *Sim, span time.Duration) []raised {
	return watchGatheringsHook(t, ts, sim, span, nil)
}

func watchGatheringsHook(t testing.TB, ts *twin.Scene, sim *Sim, span time.Duration, hook func(gather.Gathering, time.Time)) []raised {
	t.Helper()
	m, err := locate.NewMap(ts, nil)
	if m == nil {
		t.Fatal(err)
	}
	solver, err := locate.NewSolver(m, locate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	det, err := gather.NewDetector(gather.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f := ts.Frame()
	byID := map[string]*raised{}
	var order []string
	for at := testStart; !at.After(testStart.Add(span)); at = at.Add(time.Second) {
		for _, msg := range sim.Step(at) {
			top, err := ingest.ParseTopic(ts.SiteID(), msg.Topic)
			if err != nil {
				t.Fatal(err)
			}
			if e, ok := ts.ByTag(top.ID); top.Kind != ingest.KindPosition && top.Kind != ingest.KindRSSI || !ok || e.Kind != twin.KindPerson {
				continue
			}
			var fix twin.Fix
			switch top.Kind {
			case ingest.KindPosition:
				p, err := ingest.ParsePosition(msg.Payload, ingest.Env{Now: at})
				if err != nil {
					t.Fatal(err)
				}
				fix = p.Fix
			case ingest.KindRSSI:
				r, err := ingest.ParseRSSI(msg.Payload, ingest.Env{Now: at})
				if err != nil {
					t.Fatal(err)
				}
				obs := make([]locate.Obs, len(r.Beacons))
				for i, b := range r.Beacons {
					obs[i] = locate.Obs{ID: b.ID, RSSI: b.RSSI}
				}
				lf, err := solver.RSSI(top.ID, r.At, obs)
				if err != nil {
					continue // the service drops what the solver cannot place
				}
				fix = lf.Twin()
			}
			exempt := false
			ts.View(func(tx twin.Tx) { exempt = gather.Exempt(tx, fix.Point) })
			if exempt {
				det.Remove(top.ID)
				continue
			}
			x, y := f.FastLocal(orb.Point(fix.Point))
			if err := det.Update(gather.Fix{PersonID: top.ID, X: x, Y: y, Floor: fix.Floor, At: fix.At}); err != nil {
				t.Fatal(err)
			}
		}
		for _, g := range det.Tick(at).Raised {
			r, ok := byID[g.ID]
			if hook != nil && (!ok || g.Level > r.g.Level) {
				hook(g, at)
			}
			if !ok {
				r = &raised{g: g, at: at}
				byID[g.ID] = r
				order = append(order, g.ID)
			}
			if g.Level > r.g.Level {
				r.g, r.at = g, at
			}
		}
	}
	out := make([]raised, len(order))
	for i, id := range order {
		out[i] = *byID[id]
	}
	return out
}

// ofEpisode returns the gathering episode most of g's members were called
// to, while it lasted (a minute of slack for the detector's delays).
func ofEpisode(g raised, eps []crowdEpisode, t0 time.Time) (crowdEpisode, bool) {
	at := g.at.Sub(t0).Seconds()
	for _, ep := range eps {
		in := 0
		for _, m := range g.g.Members {
			if slices.Contains(ep.tags, m) {
				in++
			}
		}
		if 2*in > len(g.g.Members) && at >= ep.from && at <= ep.to+60 {
			return ep, true
		}
	}
	return crowdEpisode{}, false
}

// Routine work on the demo plant raises no orange or red gathering in a
// quarter of an hour; the scripted gathering episode raises one. The
// people wear positioning tags here: this is about where they are, not
// about BLE positioning (TestBLESolvable).
func TestRoutineDoesNotGather(t *testing.T) {
	ts := demoTwin(t)
	sim, err := New(ts, Options{Seed: 1, Episodes: true, BLEShare: -1})
	if err != nil {
		t.Fatal(err)
	}
	const span = 15 * time.Minute
	got := watchGatherings(t, ts, sim, span)
	eps := sim.crowd.log
	if len(eps) == 0 {
		t.Fatalf("no gathering episode in %v", span)
	}
	levels := map[string]int{}
	episode := 0
	for _, g := range got {
		levels[g.g.Colour]++
		if _, ok := ofEpisode(g, eps, testStart); ok {
			if g.g.Level >= 2 {
				episode++
			}
			continue
		}
		if g.g.Level >= 2 {
			t.Errorf("routine %s gathering of %d at (%.0f, %.0f) floor %d, raised %v after the start: %v",
				g.g.Colour, g.g.Count, g.g.X, g.g.Y, g.g.Floor, g.at.Sub(testStart), g.g.Members)
		}
	}
	t.Logf("%d episodes %v; raised %v, %d orange or red of an episode", len(eps), eps, levels, episode)
	if episode == 0 {
		t.Errorf("the gathering episode raised no orange gathering (raised %v)", levels)
	}
}
