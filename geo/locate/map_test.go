package locate

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

func TestNewMapDemo(t *testing.T) {
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		t.Fatal(err)
	}
	s, err := sc.Twin(twin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMap(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want int
	s.View(func(tx twin.Tx) { want = tx.Count(twin.KindBeacon) })
	if m.NumBeacons() != want || want < 1000 {
		t.Fatalf("%d beacons, the scene has %d", m.NumBeacons(), want)
	}
	indoor, upstairs := 0, 0
	for _, b := range m.beacons {
		if b.Building != "" {
			indoor++
			bld, _ := m.Building(b.Building)
			// demo beacons hang under the ceiling of their floor
			if base := bld.FloorBaseM(b.Floor); b.Z < base || b.Z > base+bld.FloorHeightM {
				t.Errorf("beacon %s floor %d at %.1f m, floor spans %.1f–%.1f", b.ID, b.Floor, b.Z, base, base+bld.FloorHeightM)
			}
			if b.Floor >= 2 {
				upstairs++
			}
		}
		if b.RSSI1m != -59 {
			t.Errorf("beacon %s rssi_1m %v", b.ID, b.RSSI1m)
		}
	}
	if indoor == 0 || upstairs == 0 || len(m.buildings) < 10 || len(m.walks) == 0 {
		t.Errorf("%d indoor beacons, %d upstairs, %d buildings, %d walkway pieces", indoor, upstairs, len(m.buildings), len(m.walks))
	}
}

func TestNewMapReportsBadFeatures(t *testing.T) {
	f, _ := geo.NewFrame(orb.Point{106.6, 38.1}, 0, 0)
	s := twin.New(twin.Options{SiteID: "t", Frame: f})
	sq := orb.Polygon{orb.Ring{f.Point(0, 0), f.Point(10, 0), f.Point(10, 10), f.Point(0, 10), f.Point(0, 0)}}
	if err := s.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "B-ok", Kind: twin.KindBuilding, Geometry: sq, Props: map[string]any{"floors": 2.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "B-bad", Kind: twin.KindBuilding, Geometry: sq, Props: map[string]any{"floors": 2.5}}},
		twin.Upsert{Entity: &twin.Entity{ID: "BC-ok", Kind: twin.KindBeacon, Geometry: f.Point(5, 5), Props: map[string]any{"floor": 2.0}, Parent: "B-ok"}},
		twin.Upsert{Entity: &twin.Entity{ID: "BC-loud", Kind: twin.KindBeacon, Geometry: f.Point(5, 5), Props: map[string]any{"rssi_1m": 40.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "BC-half", Kind: twin.KindBeacon, Geometry: f.Point(5, 5), Props: map[string]any{"floor": 1.5}}},
	).Err(); err != nil {
		t.Fatal(err)
	}
	m, err := NewMap(s, nil)
	if !errors.Is(err, ErrBadFeature) || m == nil {
		t.Fatalf("NewMap = %v, %v", m, err)
	}
	for _, id := range []string{"B-bad", "BC-loud", "BC-half"} {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("error does not name %s: %v", id, err)
		}
	}
	b, ok := m.Beacon("BC-ok")
	// no height: the floor base (one storey of the default 4 m) + 2.5 m mount
	if !ok || b.Building != "B-ok" || b.Floor != 2 || math.Abs(b.Z-(route.DefaultFloorHeightM+DefaultBeaconMountM)) > 1e-9 {
		t.Errorf("BC-ok = %+v", b)
	}
	if _, ok := m.Beacon("BC-loud"); ok || m.NumBeacons() != 1 {
		t.Errorf("bad beacons kept: %d", m.NumBeacons())
	}
	if _, err := NewMap(twin.New(twin.Options{}), nil); !errors.Is(err, ErrNoFrame) {
		t.Errorf("no frame: %v", err)
	}
}

// TestSnapMatchesRoute checks the grid snapping against route.Graph's
// R-tree search over the same walkways, for random points.
func TestSnapMatchesRoute(t *testing.T) {
	p := newTestPlant(t)
	lines, _ := route.LinesFromScene(p.s, p.f)
	var outdoor []route.Line
	for _, l := range lines {
		if l.Pedestrian && l.Floor == 0 {
			outdoor = append(outdoor, l)
		}
	}
	g, err := route.Build(outdoor, route.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 2000 {
		xy := [2]float64{-120 + rng.Float64()*340, -30 + rng.Float64()*130}
		want, _ := g.Nearest(xy, route.Pedestrian)
		got, ok := p.m.Snap(xy, 0, 8)
		switch {
		case ok != (want.DistM <= 8):
			t.Fatalf("%v: snap %v %+v, route %+v", xy, ok, got, want)
		case ok && math.Abs(got.DistM-want.DistM) > 1e-6:
			t.Fatalf("%v: snap %.3f m, route %.3f m", xy, got.DistM, want.DistM)
		}
	}
}

func TestSnapFloors(t *testing.T) {
	p := newTestPlant(t)
	cases := []struct {
		name  string
		xy    [2]float64
		floor int
		ok    bool
		want  [2]float64
	}{
		{"outdoors onto W1", [2]float64{-50, 3}, 0, true, [2]float64{-50, 0}},
		{"a road people walk is a walkway", [2]float64{-50, -9}, 0, true, [2]float64{-50, -10}},
		{"a vehicle-only road is not", [2]float64{-50, 89}, 0, false, [2]float64{}},
		{"beyond reach", [2]float64{100, 30}, 0, false, [2]float64{}},
		{"corridor on floor 2", [2]float64{20, 33}, 2, true, [2]float64{20, 30}},
		{"no corridors outside a building", [2]float64{20, 50}, 2, false, [2]float64{}},
		{"the door path", [2]float64{31, 15}, 0, true, [2]float64{30, 15}},
		{"floor 0 inside the building: its door", [2]float64{31, 21}, 0, true, [2]float64{30, 20}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sn, ok := p.m.Snap(c.xy, c.floor, 5)
			if ok != c.ok || ok && dist(sn.XY, c.want) > 1e-6 {
				t.Errorf("Snap = %+v, %v; want %v at %v", sn, ok, c.ok, c.want)
			}
		})
	}
}

func TestBuildingInside(t *testing.T) {
	p := newTestPlant(t)
	b, ok := p.m.BuildingAt([2]float64{10, 25})
	if !ok || b.ID != "B" || b.Floors != bFloors {
		t.Fatalf("BuildingAt = %+v %v", b, ok)
	}
	cases := []struct {
		xy     [2]float64
		depth  float64
		inward [2]float64
	}{
		{[2]float64{10, 25}, 5, [2]float64{0, 1}},
		{[2]float64{58, 30}, 2, [2]float64{-1, 0}},
		{[2]float64{30, 17}, -3, [2]float64{0, 1}},
		{[2]float64{30, 43}, -3, [2]float64{0, -1}},
	}
	for _, c := range cases {
		d, _, in := b.inside(c.xy)
		if math.Abs(d-c.depth) > 0.01 || dist(in, c.inward) > 1e-6 {
			t.Errorf("%v: depth %.2f inward %v, want %v %v", c.xy, d, in, c.depth, c.inward)
		}
	}
	// the same with the ring drawn clockwise
	rev := b
	rev.poly = orb.Polygon{append(orb.Ring(nil), b.poly[0]...)}
	for i, j := 0, len(rev.poly[0])-1; i < j; i, j = i+1, j-1 {
		rev.poly[0][i], rev.poly[0][j] = rev.poly[0][j], rev.poly[0][i]
	}
	rev.ccw = rev.poly[0].Orientation() == orb.CCW
	if d, _, in := rev.inside([2]float64{10, 25}); rev.ccw || math.Abs(d-5) > 0.01 || dist(in, [2]float64{0, 1}) > 1e-6 {
		t.Errorf("clockwise ring: depth %.2f inward %v", d, in)
	}
	if _, ok := p.m.BuildingAt([2]float64{-50, 0}); ok {
		t.Error("a building on W1")
	}
}

func TestGridFindsEverything(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var boxes []box
	for range 500 {
		a := [2]float64{rng.Float64() * 1000, rng.Float64() * 300}
		boxes = append(boxes, boxOf(a, [2]float64{a[0] + rng.Float64()*40, a[1] + rng.Float64()*40}))
	}
	g := newGrid(boxes, 16)
	for range 500 {
		q := boxOf([2]float64{rng.Float64()*1100 - 50, rng.Float64()*400 - 50}).grow(rng.Float64() * 20)
		seen := map[int32]bool{}
		g.search(q, func(i int32) bool { seen[i] = true; return true })
		for i, b := range boxes {
			hit := b.min[0] <= q.max[0] && q.min[0] <= b.max[0] && b.min[1] <= q.max[1] && q.min[1] <= b.max[1]
			if hit && !seen[int32(i)] {
				t.Fatalf("query %+v misses box %d %+v", q, i, b)
			}
		}
	}
	var none grid = newGrid(nil, 10)
	none.search(boxOf([2]float64{1, 1}).grow(100), func(int32) bool { t.Fatal("empty grid found something"); return false })
}

func TestBeaconsWithin(t *testing.T) {
	p := newTestPlant(t)
	got := map[string]bool{}
	p.m.BeaconsWithin([2]float64{0, 0}, 16, func(b Beacon) bool { got[b.ID] = true; return true })
	n := 0
	for _, b := range p.m.beacons {
		if math.Hypot(b.XY[0], b.XY[1]) <= 16 {
			n++
			if !got[b.ID] {
				t.Errorf("missed %s", b.ID)
			}
		}
	}
	if n != len(got) || n == 0 {
		t.Errorf("found %d, want %d", len(got), n)
	}
}
