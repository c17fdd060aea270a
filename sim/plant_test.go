package sim

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// testPlant describes the small plant the tests run (plant metres, origin
// at Ningdong): a 440 m × 380 m site with a ring road (20 km/h), a central
// road from the main gate and a cross road (10 km/h); a production area, a
// storage area (the loading point), a workshop and an office area, each
// with a walkway loop and a spur to the cross road; the three-storey
// canteen/office building 1#楼 with corridors on floors 1–3 joined by
// stairs; a control-room building on the central road; a 10 km/h road into
// the storage area.
type testPlant struct {
	people, vehicles, detectors int
	noWalkways                  bool
	// beacons: BLE beacons every 20 m over the site (3 m up) and along the
	// corridors of 1#楼 on each floor.
	beacons bool
}

// blePlant is smallPlant with beacons: some of its people wear BLE tags.
var blePlant = testPlant{people: 30, vehicles: 6, detectors: 16, beacons: true}

var testOrigin = orb.Point{106.6, 38.1}

func testFrame(t testing.TB) *geo.Frame {
	t.Helper()
	f, err := geo.NewFrame(testOrigin, 1150, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// areas of the test plant: id, area_type, min and max corner.
var testAreas = []struct {
	id, typ  string
	min, max [2]float64
}{
	{"a-prod", "production", [2]float64{-150, 0}, [2]float64{-50, 100}},
	{"a-store", "storage", [2]float64{50, 0}, [2]float64{150, 100}},
	{"a-shop", "workshop", [2]float64{50, -150}, [2]float64{150, -50}},
	{"a-office", "office", [2]float64{-150, -160}, [2]float64{-50, -50}},
}

func (tp testPlant) build(t testing.TB) *twin.Scene {
	t.Helper()
	f := testFrame(t)
	s := twin.New(twin.Options{SiteID: "plant", Frame: f})
	line := func(pts ...[2]float64) orb.LineString {
		ls := make(orb.LineString, len(pts))
		for i, p := range pts {
			ls[i] = f.FastPoint(p[0], p[1])
		}
		return ls
	}
	rect := func(min, max [2]float64) orb.Polygon {
		r := line(min, [2]float64{max[0], min[1]}, max, [2]float64{min[0], max[1]}, min)
		return orb.Polygon{orb.Ring(r)}
	}
	ent := func(id string, k twin.Kind, g orb.Geometry, props map[string]any) twin.Change {
		return twin.Upsert{Entity: &twin.Entity{ID: id, Kind: k, Name: id, Geometry: g, Props: props}}
	}
	ch := []twin.Change{
		twin.Upsert{Entity: &twin.Entity{ID: "plant", Kind: twin.KindSite, Geometry: rect([2]float64{-220, -210}, [2]float64{220, 170})}},
		ent("road-ring", twin.KindRoad, line([2]float64{-200, -180}, [2]float64{200, -180}, [2]float64{200, 150}, [2]float64{-200, 150}, [2]float64{-200, -180}), map[string]any{"speed_limit_kmh": 20.0, "width_m": 8.0}),
		ent("road-main", twin.KindRoad, line([2]float64{0, -200}, [2]float64{0, 150}), map[string]any{"speed_limit_kmh": 20.0}),
		ent("road-cross", twin.KindRoad, line([2]float64{-200, -20}, [2]float64{200, -20}), map[string]any{"speed_limit_kmh": 10.0}),
		ent("gate-main", twin.KindGate, f.FastPoint(0, -200), map[string]any{"gate_type": "main"}),
		twin.Upsert{Entity: &twin.Entity{ID: "b-1", Kind: twin.KindBuilding, Name: "1#楼", Geometry: rect([2]float64{-140, -145}, [2]float64{-90, -100}), Props: map[string]any{"use": "office", "floors": 3.0, "floor_height_m": 4.5}}},
		ent("road-store", twin.KindRoad, line([2]float64{100, -20}, [2]float64{100, 50}), map[string]any{"speed_limit_kmh": 10.0}),
		ent("b-ctrl", twin.KindBuilding, rect([2]float64{10, -120}, [2]float64{40, -90}), map[string]any{"use": "control_room", "floors": 1.0}),
	}
	for _, a := range testAreas {
		ch = append(ch, ent(a.id, twin.KindArea, rect(a.min, a.max), map[string]any{"area_type": a.typ}))
	}
	if !tp.noWalkways {
		ch = append(ch, tp.walkways(line)...)
	}
	ch = append(ch, tp.devices(f)...)
	if tp.beacons {
		ch = append(ch, testBeacons(f)...)
	}
	ch = append(ch, tp.mobiles()...)
	if err := s.Apply(ch...).Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func (tp testPlant) walkways(line func(...[2]float64) orb.LineString) []twin.Change {
	var ch []twin.Change
	walk := func(id string, props map[string]any, pts ...[2]float64) {
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindWalkway, Geometry: line(pts...), Props: props}})
	}
	for _, a := range testAreas {
		lo, hi := [2]float64{a.min[0] + 10, a.min[1] + 10}, [2]float64{a.max[0] - 10, a.max[1] - 10}
		walk("w-"+a.id, nil, lo, [2]float64{hi[0], lo[1]}, hi, [2]float64{lo[0], hi[1]}, lo)
		mx := (a.min[0] + a.max[0]) / 2
		if a.min[1] >= 0 {
			walk("w-"+a.id+"-spur", nil, [2]float64{mx, lo[1]}, [2]float64{mx, -20})
		} else {
			walk("w-"+a.id+"-spur", nil, [2]float64{mx, hi[1]}, [2]float64{mx, -20})
		}
	}
	// 1#楼: a ground-floor (floor 1) corridor from the office loop's west
	// side, floor-2 and floor-3 corridors above it, and two flights of
	// stairs.
	walk("w-b1-1", map[string]any{"floor": 1.0}, [2]float64{-140, -120}, [2]float64{-95, -120})
	walk("w-b1-2", map[string]any{"floor": 2.0}, [2]float64{-95, -128}, [2]float64{-135, -128})
	walk("w-b1-3", map[string]any{"floor": 3.0}, [2]float64{-95, -136}, [2]float64{-135, -136})
	for i, fl := range []float64{1, 2} {
		y := -120 - 8*float64(i)
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: fmt.Sprintf("st-b1-%d", i), Kind: twin.KindStairs, Parent: "b-1",
			Geometry: line([2]float64{-95, y}, [2]float64{-95, y - 8}), Props: map[string]any{"floor_from": fl, "floor_to": fl + 1}}})
	}
	// The control room's door path off the central road.
	walk("w-ctrl", nil, [2]float64{0, -105}, [2]float64{25, -105})
	return ch
}

func (tp testPlant) devices(f *geo.Frame) []twin.Change {
	var ch []twin.Change
	kinds := []map[string]any{
		{"gas": "CH4", "detector_type": "combustible", "unit": "%LEL", "range": []any{0.0, 100.0}, "alarm1": 20.0, "alarm2": 40.0},
		{"gas": "H2S", "detector_type": "toxic", "unit": "ppm", "range": []any{0.0, 100.0}, "alarm1": 10.0, "alarm2": 20.0},
		{"gas": "Cl2", "detector_type": "toxic", "unit": "ppm", "range": []any{0.0, 10.0}, "alarm1": 1.0, "alarm2": 2.0},
		{"gas": "O2", "detector_type": "oxygen", "unit": "%VOL", "range": []any{0.0, 25.0}, "alarm1": 19.5, "alarm2": 23.5},
	}
	for i := range tp.detectors {
		a := testAreas[i%2] // production and storage
		x := a.min[0] + 5 + float64(i/2%9)*10
		y := a.min[1] + 5 + float64(i/18%9)*10
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: fmt.Sprintf("gd-%03d", i), Kind: twin.KindGasDetector, Parent: a.id, Geometry: f.FastPoint(x, y), Props: kinds[i%len(kinds)]}})
	}
	ch = append(ch,
		twin.Upsert{Entity: &twin.Entity{ID: "ws-1", Kind: twin.KindWeatherStation, Geometry: f.FastPoint(0, 0)}},
		twin.Upsert{Entity: &twin.Entity{ID: "cam-1", Kind: twin.KindCamera, Geometry: f.FastPoint(-100, 50), Props: map[string]any{"analytics": []any{"no_helmet", "smoking", "Bad Type"}}}},
		twin.Upsert{Entity: &twin.Entity{ID: "cam-2", Kind: twin.KindCamera, Geometry: f.FastPoint(100, 50), Props: map[string]any{"analytics": []any{"intrusion"}}}},
		twin.Upsert{Entity: &twin.Entity{ID: "cam-3", Kind: twin.KindCamera, Geometry: f.FastPoint(100, 50)}},
	)
	return ch
}

func (tp testPlant) mobiles() []twin.Change {
	var ch []twin.Change
	for i := range tp.people {
		who, post := "internal", testAreas[i%3].id
		switch i % 10 {
		case 7:
			who = "contractor"
		case 9:
			who, post = "visitor", ""
		case 4, 5:
			post = "a-office"
		}
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{
			ID: fmt.Sprintf("p-%03d", i), Kind: twin.KindPerson,
			Props:  map[string]any{"identity_type": who, "post_area": post, "department": "ops"},
			Mobile: &twin.Mobile{Tag: fmt.Sprintf("T%04d", i)},
		}})
	}
	types := []string{"forklift", "tanker", "truck", "car", "crane", "fire_engine"}
	for i := range tp.vehicles {
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{
			ID: fmt.Sprintf("v-%02d", i), Kind: twin.KindVehicle,
			Props:  map[string]any{"vehicle_type": types[i%len(types)]},
			Mobile: &twin.Mobile{Tag: fmt.Sprintf("V%03d", i)},
		}})
	}
	return ch
}

// testBeacons returns a 20 m grid of outdoor beacons over the site, 3 m up,
// and beacons every 10 m along the corridors of 1#楼 (floors 1–3, storeys
// of 4.5 m), 3 m above their floor.
func testBeacons(f *geo.Frame) []twin.Change {
	var ch []twin.Change
	add := func(id, parent string, x, y, height float64, props map[string]any) {
		props["rssi_1m"] = -59.0
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindBeacon, Parent: parent, Geometry: f.FastPoint(x, y), Height: height, Props: props}})
	}
	for x := -210.0; x <= 210; x += 20 {
		for y := -200.0; y <= 160; y += 20 {
			add(fmt.Sprintf("bc-%.0f-%.0f", x, y), "", x, y, 3, map[string]any{})
		}
	}
	for floor := 1; floor <= 3; floor++ {
		y := -120 - 8*float64(floor-1) // the floor's corridor
		for x := -135.0; x <= -95; x += 10 {
			add(fmt.Sprintf("bc-b1-%d-%.0f", floor, x), "b-1", x, y, 3+4.5*float64(floor-1), map[string]any{"floor": float64(floor)})
		}
	}
	return ch
}
