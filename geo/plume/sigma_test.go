package plume

import (
	"errors"
	"math"
	"testing"
)

// TestISC3Continuity: the ISC3 σz fits of adjacent distance ranges meet at
// every breakpoint to 0.1 %, which a mistyped a or b would break.
func TestISC3Continuity(t *testing.T) {
	for s := A; s <= F; s++ {
		for _, r := range isc3Z[s] {
			if math.IsInf(r.maxKM, 1) {
				continue
			}
			t.Run(s.String(), func(t *testing.T) {
				x := r.maxKM * 1000
				_, lo := isc3(s, x*(1-1e-9))
				_, hi := isc3(s, x*(1+1e-9))
				if !within(hi, lo, 1e-3) {
					t.Errorf("%s at %g km: σz %g then %g", s, r.maxKM, lo, hi)
				}
			})
		}
	}
}

// TestISC3SigmaYZero: for C–F the ISC3 half-angle c − d·ln x vanishes at
// x = 10⁵ km (c/d = ln 10⁵ to 4 digits), a structural check on c and d.
func TestISC3SigmaYZero(t *testing.T) {
	for s := C; s <= F; s++ {
		if got := isc3C[s] / isc3D[s]; !within(got, math.Log(1e5), 1e-4) {
			t.Errorf("%s: c/d = %.5f, want ln 1e5 = %.5f", s, got, math.Log(1e5))
		}
	}
}

// TestSigmaOrder: every set spreads at least as fast in a more unstable class.
func TestSigmaOrder(t *testing.T) {
	for _, set := range SigmaSets() {
		for _, x := range []float64{20, 100, 500, 1000, 5000, 10000} {
			t.Run(string(set), func(t *testing.T) {
				py, pz := math.Inf(1), math.Inf(1)
				for s := A; s <= F; s++ {
					sy, sz, err := set.Sigma(s, x)
					if err != nil {
						t.Fatal(err)
					}
					if sy > py || sz > pz {
						t.Errorf("x %g: %s σ (%g, %g) exceeds the previous class (%g, %g)", x, s, sy, sz, py, pz)
					}
					py, pz = sy, sz
				}
			})
		}
	}
}

func TestSigmaValues(t *testing.T) {
	// Closed-form values from the REFERENCE §8 formulas.
	for _, tc := range []struct {
		name   string
		set    SigmaSet
		s      Stability
		x      float64
		sy, sz float64
	}{
		{"rural-a", BriggsRural, A, 1000, 0.22 * 1000 / math.Sqrt(1.1), 200},
		{"rural-f", BriggsRural, F, 1000, 0.04 * 1000 / math.Sqrt(1.1), 16 / 1.3},
		{"urban-b", BriggsUrban, B, 1000, 320 / math.Sqrt(1.4), 240 * math.Sqrt(2)},
		{"urban-e", BriggsUrban, E, 1000, 110 / math.Sqrt(1.4), 80 / math.Sqrt(2.5)},
		{"isc3-a-far-capped", ISC3, A, 4000, 465.11628 * 4 * math.Tan(0.017453293*(24.167-2.5334*math.Log(4))), 5000},
		{"isc3-c", ISC3, C, 2000, 465.11628 * 2 * math.Tan(0.017453293*(12.5-1.0857*math.Log(2))), 61.141 * math.Pow(2, 0.91465)},
		{"puff-d", CCPSPuff, D, 100, 0.06 * math.Pow(100, 0.92), 0.15 * math.Pow(100, 0.70)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sy, sz, err := tc.set.Sigma(tc.s, tc.x)
			if err != nil || !within(sy, tc.sy, 1e-9) || !within(sz, tc.sz, 1e-9) {
				t.Errorf("got (%g, %g, %v), want (%g, %g)", sy, sz, err, tc.sy, tc.sz)
			}
		})
	}
}

func TestParseSigmaSet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want SigmaSet
		err  error
	}{
		{"briggs_rural", BriggsRural, nil},
		{" Briggs_Urban ", BriggsUrban, nil},
		{"ISC3", ISC3, nil},
		{"ccps_puff", CCPSPuff, nil},
		{"", "", ErrSigmaSet},
		{"briggs", "", ErrSigmaSet},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSigmaSet(tc.in)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}
