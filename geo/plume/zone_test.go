package plume

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestZoneGround(t *testing.T) {
	p := Plume{RateGS: 1000, WindMS: 3, Stability: D, Sigma: BriggsRural}
	prev := 0.0
	for _, loc := range []float64{1, 0.1, 0.01, 0.002} { // falling LOC: growing zone
		z, err := p.Zone(loc)
		if err != nil {
			t.Fatal(err)
		}
		if !z.Reached || z.NearM != 0 || z.TooLong || z.TooShort {
			t.Fatalf("LOC %g: %+v", loc, z)
		}
		s, err := p.Section(z.FarM)
		if err != nil {
			t.Fatal(err)
		}
		if c := s.Centreline(); !within(c, loc, 1e-3) {
			t.Errorf("LOC %g: C at FarM %.1f m = %g", loc, z.FarM, c)
		}
		if z.FarM <= prev {
			t.Errorf("LOC %g: FarM %g not beyond %g", loc, z.FarM, prev)
		}
		prev = z.FarM
	}
}

// TestZoneMonotoneInRate: a larger release never gives a shorter zone.
func TestZoneMonotoneInRate(t *testing.T) {
	for _, set := range []SigmaSet{BriggsRural, BriggsUrban, ISC3} {
		for s := A; s <= F; s++ {
			t.Run(string(set)+"-"+s.String(), func(t *testing.T) {
				prev := 0.0
				for q := 0.1; q <= 1e4; q *= 3 {
					z, err := Plume{RateGS: q, WindMS: 2, Stability: s, Sigma: set}.Zone(0.01)
					if err != nil {
						t.Fatal(err)
					}
					if z.FarM < prev {
						t.Errorf("Q %g: FarM %g < %g", q, z.FarM, prev)
					}
					prev = z.FarM
				}
			})
		}
	}
}

func TestZoneElevated(t *testing.T) {
	p := Plume{RateGS: 80, WindMS: 6, HeightM: 60, Stability: D}
	z, err := p.Zone(1e-4) // Crowl & Louvar Ex 5-1 gives 1.45e-4 at 500 m
	if err != nil {
		t.Fatal(err)
	}
	if !z.Reached || !(z.NearM > 0 && z.NearM < 500 && z.FarM > 500) {
		t.Fatalf("%+v", z)
	}
	for _, x := range []float64{z.NearM, z.FarM} {
		s, _ := p.Section(x)
		if c := s.Centreline(); !within(c, 1e-4, 1e-3) {
			t.Errorf("C at %.1f m = %g, want the LOC", x, c)
		}
	}
	if z, _ := p.Zone(1); z.Reached {
		t.Errorf("LOC 1 g/m³ reached from a 60 m stack: %+v", z)
	}
}

func TestZoneLimits(t *testing.T) {
	for _, tc := range []struct {
		name              string
		q, loc            float64
		tooShort, tooLong bool
	}{
		{"tiny", 0.01, 0.1, true, false},
		{"huge", 1e5, 1e-4, false, true},
		{"ordinary", 100, 0.01, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Plume{RateGS: tc.q, WindMS: 2, Stability: F}.Zone(tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if !z.Reached || z.TooShort != tc.tooShort || z.TooLong != tc.tooLong {
				t.Errorf("%+v", z)
			}
			if tc.tooLong && z.FarM != ZoneMaxM {
				t.Errorf("FarM %g, want %g", z.FarM, float64(ZoneMaxM))
			}
		})
	}
}

func TestFootprint(t *testing.T) {
	p := Plume{RateGS: 500, WindMS: 2, Stability: E}
	const loc = 0.02
	z, err := p.Zone(loc)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := p.Footprint(z, 41)
	if err != nil {
		t.Fatal(err)
	}
	if !ring.Closed() || ring.Orientation() != orb.CCW || len(ring) < 2*41-1 || len(ring) > 2*41+1 {
		t.Fatalf("ring of %d points, closed %v, orientation %v", len(ring), ring.Closed(), ring.Orientation())
	}
	s, _ := p.Section(ring[10][0])
	if c := s.At(ring[10][1], 0); !within(c, loc, 1e-9) {
		t.Errorf("C on the edge = %g, want the LOC %g", c, loc)
	}
	w, err := p.HalfWidthM(ring[10][0], loc)
	if err != nil || math.Abs(w+ring[10][1]) > 1e-9 {
		t.Errorf("HalfWidthM %g, %v; ring has %g", w, err, ring[10][1])
	}
	if r, err := p.Footprint(Zone{}, 5); err != nil || r != nil {
		t.Errorf("unreached zone: %v, %v", r, err)
	}
}
