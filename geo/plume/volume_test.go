package plume

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestWidened: the initial spread and the direction's uncertainty add to
// Briggs's σ in quadrature, and a bad widening is refused.
func TestWidened(t *testing.T) {
	w := Widened{Y0M: 3, Z0M: 4, ThetaDeg: 10}
	sy, sz, err := w.Sigma(D, 100)
	if err != nil {
		t.Fatal(err)
	}
	by, bz, _ := BriggsRural.Sigma(D, 100)
	wantY := math.Sqrt(by*by + 9 + math.Pow(100*math.Tan(10*math.Pi/180), 2))
	if math.Abs(sy-wantY) > 1e-9 || math.Abs(sz-math.Hypot(bz, 4)) > 1e-9 {
		t.Errorf("σ %g/%g m, want %g/%g", sy, sz, wantY, math.Hypot(bz, 4))
	}
	if y, z, _ := (Widened{}).Sigma(D, 100); y != by || z != bz {
		t.Errorf("no widening: %g/%g, Briggs %g/%g", y, z, by, bz)
	}
	for _, bad := range []Widened{{Y0M: -1}, {Z0M: math.Inf(1)}, {ThetaDeg: 50}, {ThetaDeg: math.NaN()}} {
		if _, _, err := bad.Sigma(D, 100); !errors.Is(err, ErrInput) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// TestNear: a point source has nothing upwind; a volume source reaches
// upwind about as far as it is wide, falling as exp(−x²/2σy0²), and
// nothing beyond 3σy0; near the source both take the value at NearFieldM
// (the volume source) or their own (the point source).
func TestNear(t *testing.T) {
	point := Plume{RateGS: 10, WindMS: 3, Stability: D}
	vol := point
	vol.Sigma = Widened{Y0M: 2, Z0M: 1}
	at := func(p Plume, x float64) float64 {
		c, err := p.Near(x, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := at(point, -1); c != 0 {
		t.Errorf("point source upwind: %g", c)
	}
	if c, s := at(point, 0.5), mustSection(t, point, 0.5); c != s.At(0, 1) {
		t.Errorf("point source at 0.5 m: %g, plume %g", c, s.At(0, 1))
	}
	c1 := mustSection(t, vol, NearFieldM).At(0, 1)
	for _, c := range []struct{ x, want float64 }{
		{0.5, c1}, {0, c1}, {-2, c1 * math.Exp(-0.5)}, {-5.9, c1 * math.Exp(-5.9*5.9/8)}, {-6, 0}, {-50, 0},
		{30, mustSection(t, vol, 30).At(0, 1)},
	} {
		if got := at(vol, c.x); math.Abs(got-c.want) > 1e-12*c1 {
			t.Errorf("volume source at x = %g m: %g, want %g", c.x, got, c.want)
		}
	}
}

func mustSection(t *testing.T, p Plume, x float64) Section {
	t.Helper()
	s, err := p.Section(x)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEstimateSaturated: detectors at full scale say "at least"; fitted
// as exact values they would drag the rate down to what their range can
// show. Five detectors down a west wind read a 200 g/s plume, the two
// nearest clipped at 100 ppm-equivalent; the fit recovers the rate.
func TestEstimateSaturated(t *testing.T) {
	truth := Plume{RateGS: 200, WindMS: 3, Stability: D}
	const full = 0.07 // g/m³, a 0–100 ppm ammonia head
	var rs []Reading
	for _, x := range []float64{40, 80, 200, 400, 800} {
		s := mustSection(t, truth, x)
		c := s.At(0, 1)
		r := Reading{At: orb.Point{x, 0}, ZM: 1, ConcentrationGM3: c}
		if c >= full {
			r.ConcentrationGM3, r.Saturated = full, true
		}
		rs = append(rs, r)
	}
	if !rs[0].Saturated || rs[4].Saturated {
		t.Fatalf("readings %+v: want the nearest clipped, the farthest not", rs)
	}
	o := EstimateOptions{Plume: truth, WindFromDeg: 270, Readings: rs, DetectionLimitGM3: 1e-4,
		Candidates: []Candidate{{ID: "S", At: orb.Point{0, 0}}}, GridStepM: -1}
	est, err := EstimateSource(o)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(est.RateGS-200)/200 > 1e-6 || est.ResidualLog > 1e-6 || est.RateLowerBound {
		t.Errorf("rate %g g/s, residual %g, lower bound %v; want 200, 0, false", est.RateGS, est.ResidualLog, est.RateLowerBound)
	}
	// With only the clipped readings the rate is a lower bound, and said
	// to be one.
	clipped := o
	clipped.Readings = rs[:2]
	if est, err := EstimateSource(clipped); err != nil || !est.RateLowerBound || !(est.RateGS <= 200) {
		t.Errorf("clipped only: %g g/s, lower bound %v, %v", est.RateGS, est.RateLowerBound, err)
	}
	// Taken as exact, the clipped readings pull the rate down.
	for i := range o.Readings {
		o.Readings[i].Saturated = false
	}
	if est, _ := EstimateSource(o); !(est.RateGS < 150) {
		t.Errorf("without saturation: %g g/s", est.RateGS)
	}
}
