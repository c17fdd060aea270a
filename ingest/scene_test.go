package ingest

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// t0 is the tests' fixed "now".
var t0 = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

// origin is the test plant's frame origin (Ningdong, 1,150 m a.s.l.).
var origin = orb.Point{106.5, 38.0}

func testFrame(t testing.TB) *geo.Frame {
	t.Helper()
	f, err := geo.NewFrame(origin, 1150, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// testEnv is the parser environment of the test plant at t0.
func testEnv(t testing.TB) Env {
	f := testFrame(t)
	o, _ := f.Origin()
	return Env{Now: t0, Frame: f, Origin: &o}
}

// beaconXY are the plant positions of the test beacons b1…b4 (a 40 m
// square about the origin), outdoors with the default calibration.
var beaconXY = map[string][2]float64{"b1": {-20, -20}, "b2": {20, -20}, "b3": {20, 20}, "b4": {-20, 20}}

// testScene builds a small plant in code: a frame, an area, a person with
// tag T1, a %LEL detector, four beacons, a weather station and a camera.
// Its clock is fixed at t0, so static entities are stamped t0.
func testScene(t testing.TB, site string) *twin.Scene {
	t.Helper()
	f := testFrame(t)
	s := twin.New(twin.Options{SiteID: site, Frame: f, Clock: func() time.Time { return t0 }})
	square := func(half float64) orb.Polygon {
		r := orb.Ring{f.Point(-half, -half), f.Point(half, -half), f.Point(half, half), f.Point(-half, half)}
		return orb.Polygon{append(r, r[0])}
	}
	changes := []twin.Change{
		twin.Upsert{Entity: &twin.Entity{ID: "area-a", Kind: twin.KindArea, Name: "Unit A", Geometry: square(100)}},
		twin.Upsert{Entity: &twin.Entity{ID: "p1", Kind: twin.KindPerson, Name: "Zhang San",
			Mobile: &twin.Mobile{Tag: "T1", Battery: math.NaN()}}},
		twin.Upsert{Entity: &twin.Entity{ID: "gd-1", Kind: twin.KindGasDetector, Parent: "area-a",
			Geometry: f.Point(5, 5), Props: map[string]any{"gas": "CH4", "unit": "%LEL"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "ws-1", Kind: twin.KindWeatherStation, Geometry: f.Point(-50, 50)}},
		twin.Upsert{Entity: &twin.Entity{ID: "cam-1", Kind: twin.KindCamera, Parent: "area-a", Geometry: f.Point(0, 90)}},
	}
	for id, xy := range beaconXY {
		changes = append(changes, twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindBeacon, Parent: "area-a",
			Geometry: f.Point(xy[0], xy[1])}})
	}
	if err := s.Apply(changes...).Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func itoa(v int64) string   { return strconv.FormatInt(v, 10) }
func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
