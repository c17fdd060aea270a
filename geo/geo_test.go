package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// Reference values from GeographicLib's CartConvert (geographiclib-tools
// 1.52), an independent implementation of the WGS84 conversions.
func TestToECEFKnownPoints(t *testing.T) {
	cases := []struct {
		name        string
		lon, lat, h float64
		x, y, z     float64
	}{
		{"null island", 0, 0, 0, 6378137, 0, 0},
		{"north pole", 0, 90, 0, 0, 0, 6356752.314245},
		{"ningdong site", 106.6, 38.1, 1150, -1436010.574251, 4817001.696554, 3914894.308006},
		{"sydney", 151.2093, -33.8688, 58, -4646093.477288, 2553229.535817, -3534404.710910},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := ToECEF(c.lon, c.lat, c.h)
			want := ECEF{c.x, c.y, c.z}
			for i := range e {
				if d := math.Abs(e[i] - want[i]); d > 0.001 {
					t.Errorf("axis %d = %.6f, want %.6f (off by %.4f m)", i, e[i], want[i], d)
				}
			}
			lon, lat, h := FromECEF(want)
			if math.Abs(lon-c.lon) > 1e-9 || math.Abs(lat-c.lat) > 1e-9 || math.Abs(h-c.h) > 0.001 {
				t.Errorf("FromECEF = %.10f %.10f %.4f, want %v %v %v", lon, lat, h, c.lon, c.lat, c.h)
			}
		})
	}
}

func TestFrameENUAgainstCartConvert(t *testing.T) {
	f, err := NewFrame(orb.Point{106.6, 38.1}, 1150, 0)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ lon, lat, h, e, n, u float64 }{
		{106.61, 38.105, 1160, 877.230110, 555.140550, 9.915537},
		{106.5921, 38.0931, 1148.2, -693.122903, -765.997089, -1.883729},
	}
	for _, c := range cases {
		x, y, z := f.FromWGS84(c.lon, c.lat, c.h)
		if math.Abs(x-c.e) > 0.001 || math.Abs(y-c.n) > 0.001 || math.Abs(z-c.u) > 0.001 {
			t.Errorf("FromWGS84(%v,%v,%v) = %.6f %.6f %.6f, want %.6f %.6f %.6f", c.lon, c.lat, c.h, x, y, z, c.e, c.n, c.u)
		}
		lon, lat, h := f.ToWGS84(c.e, c.n, c.u)
		if math.Abs(lon-c.lon) > 1e-9 || math.Abs(lat-c.lat) > 1e-9 || math.Abs(h-c.h) > 0.001 {
			t.Errorf("ToWGS84 = %.10f %.10f %.4f, want %v %v %v", lon, lat, h, c.lon, c.lat, c.h)
		}
	}
}

func TestFrameRotation(t *testing.T) {
	// Plant north turned 30° east of true north: a point on plant +y lies on
	// bearing 30°, so east = y·sin30, north = y·cos30.
	f, err := NewFrame(orb.Point{106.6, 38.1}, 1150, 30)
	if err != nil {
		t.Fatal(err)
	}
	e, n := f.ENU(0, 100)
	if math.Abs(e-50) > 1e-9 || math.Abs(n-100*math.Sqrt(3)/2) > 1e-9 {
		t.Fatalf("ENU(0,100) = %v,%v", e, n)
	}
	x, y := f.Plant(e, n)
	if math.Abs(x) > 1e-9 || math.Abs(y-100) > 1e-9 {
		t.Fatalf("Plant(ENU(0,100)) = %v,%v", x, y)
	}
	for _, p := range [][2]float64{{0, 0}, {250, -400}, {-800, 900}, {1400, 1400}, {-1400, -1400}} {
		pt := f.Point(p[0], p[1])
		x, y := f.Local(pt)
		if math.Abs(x-p[0]) > 1e-4 || math.Abs(y-p[1]) > 1e-4 {
			t.Errorf("round trip %v -> %v -> %v,%v", p, pt, x, y)
		}
		fx, fy := f.FastLocal(pt)
		if math.Hypot(fx-p[0], fy-p[1]) > 0.01 {
			t.Errorf("FastLocal %v off by %.4f m", p, math.Hypot(fx-p[0], fy-p[1]))
		}
		back := f.FastPoint(fx, fy)
		if DistanceM(back, pt) > 1e-6 {
			t.Errorf("FastPoint not the inverse of FastLocal at %v", p)
		}
	}
}

func TestNewFrameRejectsBadOrigin(t *testing.T) {
	for _, o := range []orb.Point{{math.NaN(), 0}, {181, 0}, {0, -91}, {math.Inf(1), 0}} {
		if _, err := NewFrame(o, 0, 0); err == nil {
			t.Errorf("NewFrame(%v) accepted", o)
		}
	}
}

func TestDistanceM(t *testing.T) {
	f, _ := NewFrame(orb.Point{106.6, 38.1}, 0, 0)
	a, b := f.Point(0, 0), f.Point(300, 400)
	if d := DistanceM(a, b); math.Abs(d-500) > 0.005 {
		t.Errorf("DistanceM = %.4f, want 500", d)
	}
	// Far apart: Beijing to Shanghai is about 1,067 km on the sphere.
	if d := DistanceM(orb.Point{116.4074, 39.9042}, orb.Point{121.4737, 31.2304}); math.Abs(d-1067e3) > 3e3 {
		t.Errorf("Beijing-Shanghai = %.0f m", d)
	}
}

func TestPolygonHelpers(t *testing.T) {
	f, _ := NewFrame(orb.Point{106.6, 38.1}, 0, 0)
	square := f.ToGeometry(orb.Polygon{{{0, 0}, {100, 0}, {100, 50}, {0, 50}, {0, 0}}}).(orb.Polygon)
	if a := AreaM2(square); math.Abs(math.Abs(a)-5000) > 1 {
		t.Errorf("area = %.2f m², want 5000", a)
	}
	if !Contains(square, f.Point(10, 10)) || Contains(square, f.Point(-1, 10)) {
		t.Error("Contains wrong")
	}
	if d := DistanceToM(square, f.Point(130, 90)); math.Abs(d-50) > 0.01 {
		t.Errorf("distance to square = %.3f, want 50", d)
	}
	if d := DistanceToM(square, f.Point(50, 25)); d != 0 {
		t.Errorf("distance from inside = %v", d)
	}
	c := Circle(f.Point(0, 0), 15, 64)
	if a := AreaM2(c); math.Abs(math.Abs(a)-math.Pi*225)/(math.Pi*225) > 0.01 {
		t.Errorf("circle area %.1f", a)
	}
	b := ExpandM(square.Bound(), 10)
	if !b.Contains(f.Point(-9, -9)) || b.Contains(f.Point(-11, 25)) {
		t.Error("ExpandM wrong")
	}
}

func BenchmarkFrameLocal(b *testing.B) {
	f, _ := NewFrame(orb.Point{106.6, 38.1}, 1150, 12)
	p := f.Point(321, -123)
	for b.Loop() {
		f.Local(p)
	}
}

func BenchmarkFrameFastLocal(b *testing.B) {
	f, _ := NewFrame(orb.Point{106.6, 38.1}, 1150, 12)
	p := f.Point(321, -123)
	for b.Loop() {
		f.FastLocal(p)
	}
}

func TestContainsCountsEveryBoundary(t *testing.T) {
	// A 10×10 square with a 4×4 hole in the middle (plain degrees: the test
	// is planar).
	poly := orb.Polygon{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{3, 3}, {7, 3}, {7, 7}, {3, 7}, {3, 3}},
	}
	cases := []struct {
		p    orb.Point
		want bool
	}{
		{orb.Point{1, 1}, true},   // inside
		{orb.Point{5, 5}, false},  // in the hole
		{orb.Point{0, 5}, true},   // on the outer edge
		{orb.Point{10, 10}, true}, // on an outer vertex
		{orb.Point{3, 5}, true},   // on the hole's edge: the polygon's boundary
		{orb.Point{7, 7}, true},   // on a hole vertex
		{orb.Point{11, 5}, false}, // outside
	}
	for _, c := range cases {
		if got := Contains(poly, c.p); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.p, got, c.want)
		}
		if got := Contains(orb.MultiPolygon{poly}, c.p); got != c.want {
			t.Errorf("multipolygon Contains(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}
