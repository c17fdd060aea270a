package plume

import (
	"errors"
	"math"
	"testing"
)

// within reports whether got is within rel (fraction) of want.
func within(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// TestReferenceCases reproduces every reference case of REFERENCE §8 within 1 %.
func TestReferenceCases(t *testing.T) {
	const tol = 0.01
	plumeCases := []struct {
		name      string
		p         Plume
		x, y, z   float64
		sy, sz, c float64
	}{
		// Crowl & Louvar (2011) Example 5-1: SO2, Briggs rural, class D.
		{"crowl-louvar-5-1-centreline", Plume{RateGS: 80, WindMS: 6, HeightM: 60, Stability: D, Sigma: BriggsRural},
			500, 0, 0, 39.0, 22.7, 1.45e-4},
		{"crowl-louvar-5-1-y50", Plume{RateGS: 80, WindMS: 6, HeightM: 60, Stability: D},
			500, 50, 0, 39.0, 22.7, 6.37e-5},
		// ISC3 Pasquill–Gifford fit, class D.
		{"isc3-d-500m", Plume{RateGS: 10, WindMS: 6, HeightM: 50, Stability: D, Sigma: ISC3},
			500, 0, 0, 36.146, 18.297, 1.9172e-5},
	}
	for _, tc := range plumeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.Concentration(tc.x, tc.y, tc.z)
			if err != nil {
				t.Fatal(err)
			}
			if !within(got.SigmaYM, tc.sy, tol) || !within(got.SigmaZM, tc.sz, tol) ||
				!within(got.ConcentrationGM3, tc.c, tol) {
				t.Errorf("got σy %.4g σz %.4g C %.5g, want %.4g %.4g %.5g",
					got.SigmaYM, got.SigmaZM, got.ConcentrationGM3, tc.sy, tc.sz, tc.c)
			}
		})
	}
	t.Run("ccps-puff-f", func(t *testing.T) {
		// 1 kg instantaneous ground release, F, u = 2 m/s, x = 500 m, t = 250 s.
		p := Puff{MassG: 1000, WindMS: 2, Stability: F}
		got, err := p.Concentration(500, 0, 0, 250)
		if err != nil {
			t.Fatal(err)
		}
		if !within(got.SigmaYM, 5.048, tol) || !within(got.SigmaZM, 2.215, tol) ||
			!within(got.ConcentrationGM3, 2.250, tol) {
			t.Errorf("got σy %.4g σz %.4g C %.4g, want 5.048 2.215 2.250",
				got.SigmaYM, got.SigmaZM, got.ConcentrationGM3)
		}
	})
}

// TestPlumeFluxConservation: the crosswind-integrated flux u∬C dy dz at any x
// equals Q, for ground and elevated sources (ground reflection keeps all mass
// above z = 0).
func TestPlumeFluxConservation(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Plume
		x    float64
	}{
		{"ground-d-rural", Plume{RateGS: 100, WindMS: 3, Stability: D}, 300},
		{"ground-f-urban", Plume{RateGS: 5, WindMS: 1.5, Stability: F, Sigma: BriggsUrban}, 2000},
		{"elevated-b-isc3", Plume{RateGS: 10, WindMS: 4, HeightM: 30, Stability: B, Sigma: ISC3}, 800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.p.Section(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			const n = 400
			ymax, zmax := 8*s.SigmaYM, tc.p.HeightM+8*s.SigmaZM
			dy, dz := 2*ymax/n, zmax/n
			sum := 0.0
			for i := range n {
				for j := range n {
					sum += s.At(-ymax+(float64(i)+0.5)*dy, (float64(j)+0.5)*dz)
				}
			}
			if flux := sum * dy * dz * tc.p.WindMS; !within(flux, tc.p.RateGS, 1e-3) {
				t.Errorf("u∬C = %.5g g/s, want Q = %g", flux, tc.p.RateGS)
			}
		})
	}
}

// TestPuffMassConservation: ∭C over a box enclosing the puff equals M.
func TestPuffMassConservation(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Puff
		t    float64
	}{
		{"ground-d", Puff{MassG: 1000, WindMS: 3, Stability: D}, 100},
		{"elevated-a", Puff{MassG: 50, WindMS: 2, HeightM: 10, Stability: A}, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xc := tc.p.WindMS * tc.t
			c0, err := tc.p.Concentration(xc, 0, 0, tc.t)
			if err != nil {
				t.Fatal(err)
			}
			const n = 80
			h := 7 * c0.SigmaYM
			zmax := tc.p.HeightM + 7*c0.SigmaZM
			d, dz := 2*h/n, zmax/n
			sum := 0.0
			for i := range n {
				for j := range n {
					for k := range n {
						c, err := tc.p.Concentration(xc-h+(float64(i)+0.5)*d, -h+(float64(j)+0.5)*d,
							(float64(k)+0.5)*dz, tc.t)
						if err != nil {
							t.Fatal(err)
						}
						sum += c.ConcentrationGM3
					}
				}
			}
			if m := sum * d * d * dz; !within(m, tc.p.MassG, 2e-3) {
				t.Errorf("∭C = %.5g g, want M = %g", m, tc.p.MassG)
			}
		})
	}
}

func TestFiniteDuration(t *testing.T) {
	steady := Plume{RateGS: 100, WindMS: 2, Stability: E}
	for _, tc := range []struct {
		name     string
		duration float64
		lo, hi   float64 // bounds on the ratio to steady state at 1 km
	}{
		{"one-hour-is-steady", 3600, 0.999, 1},
		{"one-minute-is-cut", 60, 0.3, 0.9},
		{"one-second-is-tiny", 1, 0, 0.02},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := steady
			p.DurationS = tc.duration
			c, err := p.Concentration(1000, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			c0, _ := steady.Concentration(1000, 0, 0)
			f, err := FiniteDurationFactor(E, 1000, 2, tc.duration)
			if err != nil {
				t.Fatal(err)
			}
			r := c.ConcentrationGM3 / c0.ConcentrationGM3
			if r < tc.lo || r > tc.hi || !within(r, f, 1e-12) {
				t.Errorf("ratio %.4g (factor %.4g), want in [%g, %g]", r, f, tc.lo, tc.hi)
			}
		})
	}
	// Beals σx, class D at 1 km: 0.04·1000^1.14.
	if sx, _ := BealsSigmaXM(D, 1000); !within(sx, 0.04*math.Pow(1000, 1.14), 1e-12) {
		t.Errorf("Beals σx D 1 km = %g", sx)
	}
}

func TestSectionFastPaths(t *testing.T) {
	p := Plume{RateGS: 7, WindMS: 2.5, HeightM: 12, Stability: C, Sigma: BriggsUrban}
	s, err := p.Section(640)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Centreline(), s.At(0, 0); !within(got, want, 1e-12) {
		t.Errorf("Centreline %g, At(0,0) %g", got, want)
	}
	v := s.Vertical(4)
	for _, y := range []float64{0, 10, 55} {
		if got, want := v*math.Exp(-y*y/(2*s.SigmaYM*s.SigmaYM)), s.At(y, 4); !within(got, want, 1e-12) {
			t.Errorf("y=%g: Vertical route %g, At %g", y, got, want)
		}
	}
}

func TestWind(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ref, zref float64
		z         float64
		s         Stability
		tr        Terrain
		want      float64
	}{
		{"same-height", 4, 10, 10, D, Rural, 4},
		{"rural-d-3m", 5, 10, 3, D, Rural, 5 * math.Pow(0.3, 0.15)},
		{"urban-f-50m", 2, 10, 50, F, Urban, 2 * math.Pow(5, 0.60)},
		{"rural-a-2m", 3, 10, 2, A, Rural, 3 * math.Pow(0.2, 0.07)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := WindAt(tc.ref, tc.zref, tc.z, tc.s, tc.tr)
			if err != nil || !within(got, tc.want, 1e-12) {
				t.Errorf("got %g, %v; want %g", got, err, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	nan := math.NaN()
	good := Plume{RateGS: 1, WindMS: 2, Stability: D}
	with := func(f func(*Plume)) Plume { p := good; f(&p); return p }
	for _, tc := range []struct {
		name string
		run  func() error
		want error
	}{
		{"zero-wind", func() error { _, err := with(func(p *Plume) { p.WindMS = 0 }).Concentration(100, 0, 0); return err }, ErrInput},
		{"negative-wind", func() error { _, err := with(func(p *Plume) { p.WindMS = -1 }).Concentration(100, 0, 0); return err }, ErrInput},
		{"nan-rate", func() error { _, err := with(func(p *Plume) { p.RateGS = nan }).Concentration(100, 0, 0); return err }, ErrInput},
		{"inf-height", func() error {
			_, err := with(func(p *Plume) { p.HeightM = math.Inf(1) }).Concentration(100, 0, 0)
			return err
		}, ErrInput},
		{"zero-x", func() error { _, err := good.Concentration(0, 0, 0); return err }, ErrInput},
		{"negative-x", func() error { _, err := good.Concentration(-5, 0, 0); return err }, ErrInput},
		{"nan-x", func() error { _, err := good.Concentration(nan, 0, 0); return err }, ErrInput},
		{"nan-y", func() error { _, err := good.Concentration(10, nan, 0); return err }, ErrInput},
		{"below-ground", func() error { _, err := good.Concentration(10, 0, -1); return err }, ErrInput},
		{"no-class", func() error { _, err := with(func(p *Plume) { p.Stability = 0 }).Concentration(100, 0, 0); return err }, ErrStability},
		{"class-g", func() error { _, err := with(func(p *Plume) { p.Stability = 7 }).Concentration(100, 0, 0); return err }, ErrStability},
		{"unknown-sigma", func() error {
			_, err := with(func(p *Plume) { p.Sigma = SigmaSet("pg_turner") }).Concentration(100, 0, 0)
			return err
		}, ErrSigmaSet},
		{"negative-duration", func() error {
			_, err := with(func(p *Plume) { p.DurationS = -1 }).Concentration(100, 0, 0)
			return err
		}, ErrInput},
		{"parse-sigma", func() error { _, err := ParseSigmaSet("briggs"); return err }, ErrSigmaSet},
		{"parse-class", func() error { _, err := ParseStability("G"); return err }, ErrStability},
		{"puff-zero-time", func() error { _, err := Puff{MassG: 1, WindMS: 1, Stability: D}.Concentration(0, 0, 0, 0); return err }, ErrInput},
		{"puff-zero-mass", func() error { _, err := Puff{WindMS: 1, Stability: D}.Concentration(1, 0, 0, 1); return err }, ErrInput},
		{"puff-nan-x", func() error {
			_, err := Puff{MassG: 1, WindMS: 1, Stability: D}.Concentration(nan, 0, 0, 1)
			return err
		}, ErrInput},
		{"puff-bad-class", func() error { _, err := Puff{MassG: 1, WindMS: 1}.Concentration(1, 0, 0, 1); return err }, ErrStability},
		{"zone-zero-loc", func() error { _, err := good.Zone(0); return err }, ErrInput},
		{"zone-zero-wind", func() error { _, err := with(func(p *Plume) { p.WindMS = 0 }).Zone(1); return err }, ErrInput},
		{"halfwidth-nan-loc", func() error { _, err := good.HalfWidthM(100, nan); return err }, ErrInput},
		{"footprint-one-station", func() error { _, err := good.Footprint(Zone{Reached: true, FarM: 50}, 1); return err }, ErrInput},
		{"wind-zero-height", func() error { _, err := WindAt(3, 10, 0, D, Rural); return err }, ErrInput},
		{"wind-bad-terrain", func() error { _, err := WindAt(3, 10, 2, D, 0); return err }, ErrInput},
		{"beals-bad-class", func() error { _, err := BealsSigmaXM(0, 100); return err }, ErrStability},
		{"duration-zero", func() error { _, err := FiniteDurationFactor(D, 100, 2, 0); return err }, ErrInput},
		{"isc3-tiny-x", func() error { _, _, err := ISC3.Sigma(A, 1e-300); return err }, ErrInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}
