package threat

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// TestDenseChoice: which releases the dense model takes — chlorine (2.5
// times air) at a real leak rate; not a trickle of it in a strong wind; not
// hydrogen; ammonia, lighter than air as a gas but flagged for its cold
// two-phase cloud, is run Gaussian with a warning.
func TestDenseChoice(t *testing.T) {
	lib := substance.Default()
	get := func(n string) *substance.Substance {
		s, err := lib.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		sub       string
		rateGS, u float64
		want      int
	}{
		{"chlorine", 1000, 3, dense},
		{"chlorine", 0.01, 15, passive},
		{"hydrogen", 1000, 3, passive},
		{"ammonia", 1000, 3, unmodelled},
	} {
		if _, mode := denseCurve(get(c.sub), c.rateGS, c.u); mode != c.want {
			t.Errorf("%s %g g/s at %g m/s: mode %d, want %d", c.sub, c.rateGS, c.u, mode, c.want)
		}
	}
}

// TestDenseReach: the reach grows as the level falls, is continuous where
// the workbook's curve hands over to the Gaussian, and equals the curve's
// own distance within it.
func TestDenseReach(t *testing.T) {
	cl, _ := substance.Default().Get("chlorine")
	p := plume.Plume{RateGS: 1000, WindMS: 3, Stability: plume.D}
	c, mode := denseCurve(cl, p.RateGS, p.WindMS)
	if mode != dense {
		t.Fatal("chlorine 1 kg/s is not dense")
	}
	low := c.LowFraction * 1e6 // ppm
	below, err1 := denseReachM(c, p, cl, low*(1-1e-6))
	above, err2 := denseReachM(c, p, cl, low*(1+1e-6))
	if err1 != nil || err2 != nil || math.Abs(below-above) > 1e-3*above || math.Abs(above-c.FarM) > 1e-3*c.FarM {
		t.Errorf("hand-over at %.0f ppm: %g / %g m (curve ends at %g m): %v %v", low, below, above, c.FarM, err1, err2)
	}
	in, _ := denseReachM(c, p, cl, 5000)
	if want, _ := c.DistanceM(0.005); in != want {
		t.Errorf("5000 ppm: %g m, the curve's %g m", in, want)
	}
	prev := 0.0
	for _, ppm := range []float64{20000, 5000, 2000, 500, 50, 20, 2, 0.5} {
		r, err := denseReachM(c, p, cl, ppm)
		if err != nil || !(r > prev) {
			t.Errorf("%g ppm: %g m after %g m, %v", ppm, r, prev, err)
		}
		prev = r
	}
}

// TestStretch: the downwind part of a polygon scales along the wind, the
// upwind part stays.
func TestStretch(t *testing.T) {
	p := orb.Polygon{{{-10, 0}, {0, 5}, {100, 0}, {0, -5}, {-10, 0}}}
	got := stretch(p, 270, 2) // wind from the west: downwind is east
	want := orb.Polygon{{{-10, 0}, {0, 5}, {200, 0}, {0, -5}, {-10, 0}}}
	for i := range want[0] {
		if d := math.Hypot(got[0][i][0]-want[0][i][0], got[0][i][1]-want[0][i][1]); d > 1e-9 {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}

// TestDenseWhatIf: a chlorine leak planned in a light wind draws
// Britter–McQuaid zones (reach beyond the Gaussian's: the slumped cloud
// stays concentrated), says so, and each zone's polygon reaches its
// reported distance.
func TestDenseWhatIf(t *testing.T) {
	p := newPlant(t)
	s := mustService(t, p)
	w := WhatIf{ID: "cl", Lon: p.at(0, 0)[0], Lat: p.at(0, 0)[1], Substance: "chlorine",
		Release: Release{Type: "direct", RateGS: 1000}, Weather: &WeatherInput{WindMS: 2, WindFromDeg: 270, Stability: "D"}}
	sc, err := s.WhatIf(w, p.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(sc.Incident.Warnings, WarnDenseModel) || slices.Contains(sc.Incident.Warnings, WarnDenseGas) {
		t.Fatalf("warnings %v", sc.Incident.Warnings)
	}
	cl, _ := substance.Default().Get("chlorine")
	gauss := plume.Plume{RateGS: 1000, WindMS: 2, Stability: plume.D}
	for i, z := range sc.Incident.Zones {
		if z.Kind != "threat" {
			continue
		}
		g, _ := gauss.Zone(substance.PPMToGM3(z.PPM, cl.MolarMass(), substance.MolarVolume25C))
		t.Logf("%s (%g ppm): dense %.0f m, Gaussian %.0f m", z.ID, z.PPM, z.DistanceM, g.FarM)
		if g.TooLong {
			continue // both capped at 10 km
		}
		if !(z.DistanceM > g.FarM) {
			t.Errorf("%s: dense reach %.0f m, Gaussian %.0f m", z.ID, z.DistanceM, g.FarM)
		}
		far := 0.0
		for _, q := range sc.Zones.Features[i].Geometry.(orb.Polygon)[0] {
			e := s.enu(q)
			far = max(far, e[0])
		}
		if math.Abs(far-z.DistanceM) > 0.02*z.DistanceM {
			t.Errorf("%s: polygon reaches %.0f m east, distance %.0f m", z.ID, far, z.DistanceM)
		}
	}
}
