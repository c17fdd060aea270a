package sim

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/chemtwin/chemtwin/geo/route"
)

// testRoute builds the network of the test plant the way a viewer would,
// to measure where the simulated tags are.
func testRoute(t *testing.T, tp testPlant) *route.Graph {
	t.Helper()
	g, err := route.FromScene(tp.build(t))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestPeopleWalkTheWalkways(t *testing.T) {
	tp := testPlant{people: 40}
	g := testRoute(t, tp)
	f := testFrame(t)
	msgs := runFor(t, newTestSim(t, tp, Options{Seed: 11}), time.Hour, time.Second)
	site := orb.Polygon{orb.Ring{{-220, -210}, {220, -210}, {220, 170}, {-220, 170}, {-220, -210}}}
	var offsets []float64
	atPost, internalFixes, moving := 0, 0, 0
	for id, fixes := range positions(t, msgs) {
		i := tagIndex(id)
		for _, p := range fixes {
			x, y := f.FastLocal(orb.Point{*p.Lon, *p.Lat})
			if !planar.PolygonContains(site, orb.Point{x, y}) {
				t.Fatalf("%s at (%.1f, %.1f), outside the site", id, x, y)
			}
			snap, ok := g.NearestOn([2]float64{x, y}, *p.Floor, route.Pedestrian)
			if !ok {
				t.Fatalf("%s on floor %d: no walkway there", id, *p.Floor)
			}
			offsets = append(offsets, snap.DistM)
			if *p.Speed > 0 {
				moving++
				if *p.Speed < minWalkMS*(1-tripJitter)*stairsFactor-0.01 || *p.Speed > maxWalkMS*(1+tripJitter)+0.01 {
					t.Fatalf("%s walks at %.2f m/s", id, *p.Speed)
				}
			}
			if slices.Contains([]int{0, 1, 2, 3, 6, 8}, i%10) { // internal, posted to a production, storage or shop area
				internalFixes++
				if a := testAreas[i%3]; x > a.min[0]-15 && x < a.max[0]+15 && y > a.min[1]-15 && y < a.max[1]+15 {
					atPost++
				}
			}
		}
	}
	slices.Sort(offsets)
	if med, worst := offsets[len(offsets)/2], offsets[len(offsets)-1]; med > 1.5 || worst > 6 {
		t.Errorf("distance to the walkways: median %.2f m, worst %.2f m", med, worst)
	}
	if share := float64(atPost) / float64(internalFixes); share < 0.6 {
		t.Errorf("staff spend %.0f %% of the time at their post, want most of it", 100*share)
	}
	// One person to a post spot (spots.go) keeps people in place while
	// their post area is full: a few per cent of the time on the move.
	if share := float64(moving) / float64(len(offsets)); share < 0.02 || share > 0.5 {
		t.Errorf("people walk %.0f %% of the time", 100*share)
	}
}

func tagIndex(tag string) int {
	i := 0
	for _, c := range strings.TrimLeft(tag, "TV") {
		i = i*10 + int(c-'0')
	}
	return i
}

func TestPeopleClimbStairs(t *testing.T) {
	msgs := runFor(t, newTestSim(t, testPlant{people: 40}, Options{Seed: 2}), 2*time.Hour, 2*time.Second)
	floors := map[int]int{}
	for _, fixes := range positions(t, msgs) {
		for _, p := range fixes {
			floors[*p.Floor]++
			// The building's storeys are 4.5 m; the ground floor (1) is at
			// ground level.
			if *p.Floor > 0 && math.Abs(*p.Z-4.5*float64(*p.Floor-1)) > 2.3 || *p.Floor == 0 && *p.Z != 0 {
				t.Fatalf("floor %d at z %.2f", *p.Floor, *p.Z)
			}
		}
	}
	if floors[1] == 0 || floors[2] == 0 || floors[3] == 0 {
		t.Errorf("nobody went upstairs in 1#楼: %v", floors)
	}
}

func TestVehiclesDriveTheRoads(t *testing.T) {
	tp := testPlant{vehicles: 12}
	g := testRoute(t, tp)
	f := testFrame(t)
	msgs := runFor(t, newTestSim(t, tp, Options{Seed: 4}), 2*time.Hour, time.Second)
	moved := map[string]float64{}
	for id, fixes := range positions(t, msgs) {
		forklift := tagIndex(id)%6 == 0
		for i, p := range fixes {
			q := [2]float64{}
			q[0], q[1] = f.FastLocal(orb.Point{*p.Lon, *p.Lat})
			snap, ok := g.Nearest(q, route.Vehicle)
			if !ok || snap.DistM > 2.6 {
				t.Fatalf("%s is %.1f m off the roads", id, snap.DistM)
			}
			limit := 0.0
			g.Search([2]float64{q[0] - 3, q[1] - 3}, [2]float64{q[0] + 3, q[1] + 3}, func(e int) bool {
				if ed := g.Edge(e); ed.Vehicle {
					limit = math.Max(limit, ed.SpeedLimitKmh)
				}
				return true
			})
			if forklift {
				limit = math.Min(limit, forkliftKmh)
			}
			if kmh := *p.Speed * 3.6; kmh > limit+0.02 {
				t.Fatalf("%s at %.1f km/h where %.0f km/h is allowed", id, kmh, limit)
			}
			if i > 0 {
				x0, y0 := f.FastLocal(orb.Point{*fixes[i-1].Lon, *fixes[i-1].Lat})
				moved[id] += math.Hypot(q[0]-x0, q[1]-y0) * boolf(*p.Speed > 0)
			}
		}
	}
	for _, id := range []string{"V000", "V001", "V002", "V003"} { // forklift, tanker, truck, car
		if moved[id] < 200 {
			t.Errorf("%s drove %.0f m in 2 h", id, moved[id])
		}
	}
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestDetectorsQuietWithoutEpisodes(t *testing.T) {
	tp := testPlant{detectors: 24}
	sim := newTestSim(t, tp, Options{Seed: 9})
	msgs := runFor(t, sim, 30*time.Minute, time.Second)
	byID := map[string]*detector{}
	for _, s := range sim.streams {
		if d, ok := s.em.(*detector); ok {
			byID[d.id] = d
		}
	}
	values := map[string][]float64{}
	for _, s := range msgs {
		kind, id := topicID(s.msg.Topic)
		if kind != "reading" {
			continue
		}
		var r readingMsg
		decodeStrict(t, s.msg.Payload, &r)
		d, v := byID[id], *r.Value
		values[id] = append(values[id], v)
		switch {
		case *r.Unit != d.unit:
			t.Fatalf("%s: unit %s, want %s", id, *r.Unit, d.unit)
		case v < d.lo || v > d.hi:
			t.Fatalf("%s: %v outside the range [%v, %v]", id, v, d.lo, d.hi)
		case d.typ == typeOxygen && (v < 20.6 || v > 21.2):
			t.Fatalf("%s: oxygen at %v %%VOL", id, v)
		case d.typ != typeOxygen && v >= d.a1:
			t.Fatalf("%s: %v reaches alarm1 %v with no episode", id, v, d.a1)
		case math.Abs(v/d.res-math.Round(v/d.res)) > 1e-6:
			t.Fatalf("%s: %v is not a multiple of the resolution %v", id, v, d.res)
		}
	}
	varied := 0
	for _, vs := range values {
		if slices.Min(vs) != slices.Max(vs) {
			varied++
		}
	}
	if varied < len(values)/2 {
		t.Errorf("only %d of %d detectors show any noise", varied, len(values))
	}
}

func TestEpisodes(t *testing.T) {
	tp := testPlant{people: 20, detectors: 24}
	sim := newTestSim(t, tp, Options{Seed: 21, Episodes: true})
	msgs := runFor(t, sim, 2*time.Hour, time.Second)
	dets := map[string]*detector{}
	for _, s := range sim.streams {
		if d, ok := s.em.(*detector); ok {
			dets[d.id] = d
		}
	}
	above := map[string]int{} // seconds above alarm1, per spell start
	spells := 0
	inSpell := map[string]bool{}
	sos := map[string]int{}
	sosAt := map[string][2]float64{} // where the current press began
	lowAtStart, camTypes := 0, map[string]string{}
	for _, s := range msgs {
		kind, id := topicID(s.msg.Topic)
		switch kind {
		case "reading":
			var r readingMsg
			decodeStrict(t, s.msg.Payload, &r)
			d := dets[id]
			if d.a2 > d.a1 && *r.Value >= d.a2 && d.typ != typeOxygen {
				t.Fatalf("%s reached alarm2: %v", id, *r.Value)
			}
			hot := d.typ != typeOxygen && *r.Value >= d.a1
			if hot && !inSpell[id] {
				spells++
			}
			if hot {
				above[id]++
			}
			inSpell[id] = hot
		case "position":
			var p positionMsg
			decodeStrict(t, s.msg.Payload, &p)
			if *p.TS-testStart.UnixMilli() < 2000 && *p.Battery < lowBattery {
				lowAtStart++
			}
			if *p.SOS {
				sos[id]++
				if *p.Speed != 0 {
					t.Errorf("%s walks at %.2f m/s while holding SOS", id, *p.Speed)
				}
				at, held := sosAt[id]
				if !held {
					at = [2]float64{*p.Lon, *p.Lat}
					sosAt[id] = at
				}
				f := testFrame(t)
				x0, y0 := f.FastLocal(orb.Point(at))
				x, y := f.FastLocal(orb.Point{*p.Lon, *p.Lat})
				if d := math.Hypot(x-x0, y-y0); d > 8 {
					t.Errorf("%s moved %.1f m while holding SOS", id, d)
				}
			} else {
				delete(sosAt, id)
			}
		case "camera":
			var c cameraMsg
			decodeStrict(t, s.msg.Payload, &c)
			camTypes[id] += *c.Type + ","
		}
	}
	total := 0
	for _, n := range above {
		total += n
	}
	if spells < 3 || total/spells < 45 || total/spells > 180 {
		t.Errorf("%d leak spells above level 1, %d s on average; want several of a minute or two", spells, total/max(spells, 1))
	}
	if len(sos) == 0 {
		t.Error("no SOS in 2 h")
	}
	for id, n := range sos {
		if n%30 != 0 {
			t.Errorf("%s held SOS for %d fixes, want 30 per press (60 s)", id, n)
		}
	}
	if lowAtStart == 0 {
		t.Error("no tag starts with a low battery")
	}
	allowed := map[string][]string{"cam-1": {"no_helmet", "smoking"}, "cam-2": {"intrusion"}}
	if camTypes["cam-1"] == "" || camTypes["cam-2"] == "" || camTypes["cam-3"] != "" {
		t.Errorf("camera events %v: want events from cam-1 and cam-2 (analytics), none from cam-3", camTypes)
	}
	for cam, types := range camTypes {
		for ty := range strings.SplitSeq(strings.TrimSuffix(types, ","), ",") {
			if !slices.Contains(allowed[cam], ty) {
				t.Errorf("%s: event %q not in its analytics", cam, ty)
			}
		}
	}
}
