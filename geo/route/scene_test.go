package route

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

func testFrame(t testing.TB) *geo.Frame {
	t.Helper()
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1150, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func plantLine(f *geo.Frame, pts ...[2]float64) orb.LineString {
	ls := make(orb.LineString, len(pts))
	for i, p := range pts {
		ls[i] = f.FastPoint(p[0], p[1])
	}
	return ls
}

func TestLinesFromScene(t *testing.T) {
	f := testFrame(t)
	s := twin.New(twin.Options{Frame: f})
	box := orb.Polygon{orb.Ring{f.Point(-5, -5), f.Point(25, -5), f.Point(25, 25), f.Point(-5, 25), f.Point(-5, -5)}}
	res := s.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "b1", Kind: twin.KindBuilding, Geometry: box, Props: map[string]any{"floors": 3.0, "floor_height_m": 5.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "r1", Kind: twin.KindRoad, Geometry: plantLine(f, [2]float64{-100, 0}, [2]float64{100, 0}), Props: map[string]any{"speed_limit_kmh": 20.0, "width_m": "7"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "r2", Kind: twin.KindRoad, Geometry: plantLine(f, [2]float64{0, 100}, [2]float64{0, 0}), Props: map[string]any{"oneway": "-1", "pedestrian": false}}},
		twin.Upsert{Entity: &twin.Entity{ID: "w1", Kind: twin.KindWalkway, Parent: "b1", Geometry: plantLine(f, [2]float64{0, 0}, [2]float64{10, 0}), Props: map[string]any{"floor": 2.0, "width_m": "wide"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "st1", Kind: twin.KindStairs, Parent: "b1", Geometry: plantLine(f, [2]float64{10, 0}, [2]float64{10, 6}), Props: map[string]any{"floor_from": 2.0, "floor_to": 3.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "st2", Kind: twin.KindStairs, Geometry: plantLine(f, [2]float64{200, 0}, [2]float64{200, 6}), Props: map[string]any{"floor_from": 1.0, "floor_to": 2.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "w2", Kind: twin.KindWalkway, Geometry: f.Point(3, 3)}},
		twin.Upsert{Entity: &twin.Entity{ID: "w3", Kind: twin.KindWalkway, Geometry: orb.MultiLineString{plantLine(f, [2]float64{0, 50}, [2]float64{5, 50}), plantLine(f, [2]float64{0, 60}, [2]float64{5, 60})}, Props: map[string]any{"oneway": "maybe"}}},
	)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	lines, err := LinesFromScene(s, f)
	if !errors.Is(err, ErrBadLine) {
		t.Fatalf("err = %v, want the bad features reported", err)
	}
	for _, want := range []string{"w1", "width_m", "w2", "Point", "w3", "oneway"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
	var ids []string
	byID := map[string]Line{}
	for _, l := range lines {
		ids = append(ids, l.ID)
		byID[l.ID] = l
	}
	if got := strings.Join(ids, ","); got != "r1,r2,st1,st2,w1,w3,w3" {
		t.Fatalf("lines %s", got)
	}
	cases := []struct {
		name string
		ok   bool
	}{
		{"r1 road defaults", byID["r1"].Vehicle && byID["r1"].Pedestrian && byID["r1"].SpeedLimitKmh == 20 && byID["r1"].WidthM == 7},
		{"r2 reversed one-way, no pedestrians", byID["r2"].Oneway && !byID["r2"].Pedestrian && near(byID["r2"].Points[0], [2]float64{0, 0})},
		{"w1 walkway on floor 2, bad width dropped", !byID["w1"].Vehicle && byID["w1"].Pedestrian && byID["w1"].Floor == 2 && byID["w1"].WidthM == 0},
		{"st1 climbs one storey of its building", byID["st1"].Floor == 2 && byID["st1"].FloorTo == 3 && byID["st1"].ClimbM == 5},
		{"st2 outside buildings: default climb", byID["st2"].Stairs() && byID["st2"].ClimbM == 0},
		{"points in plant metres", near(byID["r1"].Points[1], [2]float64{100, 0})},
	}
	for _, c := range cases {
		if !c.ok {
			t.Errorf("%s: %+v", c.name, byID)
		}
	}

	g, err := FromScene(s)
	if g == nil || !errors.Is(err, ErrBadLine) {
		t.Fatalf("FromScene = %v, %v", g, err)
	}
	snap := func(p [2]float64, floor int) Snap {
		s, ok := g.NearestOn(p, floor, Pedestrian)
		if !ok || s.DistM > 0.01 {
			t.Fatalf("snap %v floor %d: %+v", p, floor, s)
		}
		return s
	}
	head := snap([2]float64{10, 6}, 3)
	// w1 lies on floor 2 and meets the ground-level road only in plan.
	if _, err := g.Shortest(snap([2]float64{-50, 0}, 0), head, Pedestrian); !errors.Is(err, ErrNoPath) {
		t.Errorf("road to upper floor: err = %v, want ErrNoPath", err)
	}
	p, err := g.Shortest(snap([2]float64{0, 0}, 2), head, Pedestrian)
	if err != nil || math.Abs(p.LengthM-(10+math.Hypot(6, 5))) > 0.01 {
		t.Errorf("w1 and st1: %v m, %v", p.LengthM, err)
	}
	if _, err := FromScene(twin.New(twin.Options{})); !errors.Is(err, ErrNoFrame) {
		t.Errorf("scene without frame: %v", err)
	}
}

func near(a, b [2]float64) bool { return math.Hypot(a[0]-b[0], a[1]-b[1]) < 0.01 }
