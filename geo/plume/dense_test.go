package plume

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func denseNear(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want) }

// denseBurro is the LNG release of the Burro trials as worked in CCPS, Guidelines
// for Consequence Analysis of Chemical Releases (1999) p. 122, and set as the
// dense-gas example of Crowl & Louvar, Chemical Process Safety: 0.23 m³/s of
// liquid (425.6 kg/m³) boiling off as vapour of 1.76 kg/m³ at −162 °C, wind
// 10.9 m/s at 10 m, ambient 298 K and 1 atm.
func denseBurro(t testing.TB) DenseRelease {
	t.Helper()
	air, err := GasDensityKgM3(AirMolarMassGMol, 298, 101325)
	if err != nil {
		t.Fatal(err)
	}
	return DenseRelease{
		RateM3S:             0.23 * 425.6 / 1.76,
		DensityKgM3:         1.76,
		AmbientDensityKgM3:  air,
		WindMS:              10.9,
		ReleaseTemperatureK: 273.15 - 162,
		AmbientTemperatureK: 298,
	}
}

// TestDenseBurroExample reproduces the worked example: D = √(q₀/u) =
// 2.26 m, the LFL of 5 %vol corrected for the cold release to C* = 0.0192,
// and the LFL reached 367 m downwind (CCPS 1999 p. 122, as quoted by
// GasDispersion.jl's documentation, docs/src/plume.md). The book interpolates
// by hand with α and β to two decimals; 0.005 in β is 1.2 % in x, so the
// distance is held to 2 %.
func TestDenseBurroExample(t *testing.T) {
	r := denseBurro(t)
	dense, crit, err := r.Criterion()
	if err != nil || !dense {
		t.Fatalf("criterion %.3f dense %v err %v; want dense", crit, dense, err)
	}
	if d := r.ScaleM(); !denseNear(d, 2.26, 0.005) {
		t.Errorf("D = %.4f m, want 2.26", d)
	}
	c, err := r.Curve()
	if err != nil {
		t.Fatal(err)
	}
	if cs := 0.05 / (0.05 + 0.95*c.k); !denseNear(cs, 0.0192, 0.005) {
		t.Errorf("C* = %.5f, want 0.0192", cs)
	}
	x, err := r.DistanceM(0.05)
	if err != nil {
		t.Fatal(err)
	}
	if !denseNear(x, 367, 0.02) {
		t.Errorf("distance to 5 %%vol %.1f m, want 367 m ± 2 %%", x)
	}
	got, err := r.ConcentrationAt(367)
	if err != nil {
		t.Fatal(err)
	}
	if !denseNear(got, 0.05, 0.02) {
		t.Errorf("concentration at 367 m %.4f, want ≈ 0.05", got)
	}
	// The cold release reaches farther than the same cloud taken as isothermal.
	iso := r
	iso.ReleaseTemperatureK, iso.AmbientTemperatureK = 0, 0
	if xi, err := iso.DistanceM(0.05); err != nil || !(xi < x) {
		t.Errorf("isothermal %v m (err %v), cold %v m: want isothermal shorter", xi, err, x)
	}
}

// TestDenseFitsCrossCheck holds β of every curve against the values of an
// independent digitisation of the same table: GasDispersion.jl's test suite
// (test/models/britter_mcquaid_plume_tests.jl and _puff_tests.jl).
func TestDenseFitsCrossCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fits  []denseFit
		alpha float64
		want  []float64
	}{
		{"plume -0.75", densePlumeFits, -0.75, []float64{1.75, 1.92, 2.08, 2.25, 2.4, 2.6}},
		{"plume -0.40", densePlumeFits, -0.40, []float64{1.784, 2.016, 2.21, 2.394, 2.564, 2.714}},
		{"plume -0.20", densePlumeFits, -0.20, []float64{1.832, 2.06, 2.25, 2.45, 2.63, 2.77}},
		{"plume 0", densePlumeFits, 0, []float64{1.78, 1.96, 2.16, 2.35, 2.56, 2.71}},
		{"puff -0.75", densePuffFits, -0.75, []float64{0.7, 0.85, 0.95, 1.15, 1.48, 1.83, 2.075}},
		{"puff 0", densePuffFits, 0, []float64{0.81, 1.0, 1.19, 1.39, 1.62, 1.83, 2.05}},
		{"puff 0.75", densePuffFits, 0.75, []float64{0.93, 1.03, 1.185, 1.375, 1.525, 1.68, 1.8475}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.fits) != len(tc.want) {
				t.Fatalf("%d curves, want %d", len(tc.fits), len(tc.want))
			}
			for i, f := range tc.fits {
				if got := f.at(tc.alpha); math.Abs(got-tc.want[i]) > 1e-9 {
					t.Errorf("Cm/C0 %g: β %.4f, want %.4f", f.ratio, got, tc.want[i])
				}
			}
		})
	}
}

// TestDenseFitsShape checks the table against itself: each curve is
// continuous at its breaks to the table's rounding (0.01 in β), and at every
// α from the dense threshold to 1 a lower ratio lies strictly farther.
func TestDenseFitsShape(t *testing.T) {
	for name, fits := range map[string][]denseFit{"plume": densePlumeFits, "puff": densePuffFits} {
		for _, f := range fits {
			for _, s := range f.segs[:len(f.segs)-1] {
				if d := math.Abs(f.at(s.upto) - f.at(s.upto+1e-12)); d > 0.0105 {
					t.Errorf("%s %g: jump %.4f at α = %g", name, f.ratio, d, s.upto)
				}
			}
			if last := f.segs[len(f.segs)-1]; last.upto != denseAlphaMax {
				t.Errorf("%s %g: last segment ends at %g", name, f.ratio, last.upto)
			}
		}
		for a := -1.0; a <= 1; a += 0.005 {
			for i := 1; i < len(fits); i++ {
				if !(fits[i].ratio < fits[i-1].ratio) || !(fits[i].at(a) > fits[i-1].at(a)) {
					t.Fatalf("%s α %.3f: %g at β %.3f not beyond %g at %.3f", name, a,
						fits[i].ratio, fits[i].at(a), fits[i-1].ratio, fits[i-1].at(a))
				}
			}
		}
	}
}

// denseAt builds an isothermal release whose criterion value is crit: a
// plume of 10 m³/s or a puff of 1000 m³ in a 3 m/s wind over air of
// 1.2 kg/m³, with the gas density solved from the criterion.
func denseAt(puff bool, crit float64) DenseRelease {
	r := DenseRelease{AmbientDensityKgM3: 1.2, WindMS: 3}
	var g float64
	if puff {
		r.VolumeM3 = 1000
		g = crit * crit * r.WindMS * r.WindMS / math.Cbrt(r.VolumeM3) // √(g V^{1/3})/u = crit
	} else {
		r.RateM3S = 10
		g = crit * crit * crit * math.Pow(r.WindMS, 2.5) / math.Sqrt(r.RateM3S) // (g q/(u³D))^{1/3} = crit
	}
	r.DensityKgM3 = r.AmbientDensityKgM3 * (1 + g/denseGravity)
	return r
}

// TestDenseCriterionThreshold: the criterion crosses at the published
// thresholds (0.15 plume, 0.20 puff), and α is the figures' abscissa.
func TestDenseCriterionThreshold(t *testing.T) {
	for _, tc := range []struct {
		name      string
		puff      bool
		threshold float64
	}{{"plume", false, 0.15}, {"puff", true, 0.20}} {
		t.Run(tc.name, func(t *testing.T) {
			below, above := denseAt(tc.puff, tc.threshold*(1-1e-6)), denseAt(tc.puff, tc.threshold*(1+1e-6))
			if d, v, err := below.Criterion(); err != nil || d || !denseNear(v, tc.threshold, 1e-5) {
				t.Errorf("below: dense %v value %g err %v", d, v, err)
			}
			if d, v, err := above.Criterion(); err != nil || !d || !denseNear(v, tc.threshold, 1e-5) {
				t.Errorf("above: dense %v value %g err %v", d, v, err)
			}
			if _, err := below.DistanceM(0.01); !errors.Is(err, ErrNotDense) {
				t.Errorf("below: DistanceM err %v, want ErrNotDense", err)
			}
			// At the threshold the curves are flat (the passive limit): the
			// first segment of the 0.01 plume curve (α ≤ −0.70), of the 0.02
			// puff curve (α ≤ −0.66).
			frac, want := 0.01, above.ScaleM()*math.Pow(10, 2.25)
			if tc.puff {
				frac, want = 0.02, above.ScaleM()*math.Pow(10, 0.95)
			}
			x, err := above.DistanceM(frac)
			if err != nil {
				t.Fatal(err)
			}
			if !denseNear(x, want, 1e-9) {
				t.Errorf("at threshold: %g m, want %g", x, want)
			}
			// α straight from the figures' definitions.
			g, u := above.ReducedGravity(), above.WindMS
			want = 0.2 * math.Log10(g*g*above.RateM3S/math.Pow(u, 5))
			if tc.puff {
				want = 0.5 * math.Log10(g*math.Cbrt(above.VolumeM3)/(u*u))
			}
			if a, err := above.Alpha(); err != nil || math.Abs(a-want) > 1e-12 {
				t.Errorf("α %g (err %v), want %g", a, err, want)
			}
		})
	}
}

// denseCases are releases across the correlations' range of α.
func denseCases(t *testing.T) map[string]DenseRelease {
	return map[string]DenseRelease{
		"burro":           denseBurro(t),
		"plume passive":   denseAt(false, 0.2),
		"plume mid":       denseAt(false, 0.5),
		"plume heavy":     denseAt(false, 5.5),
		"puff passive":    denseAt(true, 0.25),
		"puff mid":        denseAt(true, 1),
		"puff heavy":      denseAt(true, 9),
		"cold puff":       {VolumeM3: 500, DensityKgM3: 3.2, AmbientDensityKgM3: 1.18, WindMS: 2, ReleaseTemperatureK: 239.8, AmbientTemperatureK: 298},
		"chlorine plume":  {RateM3S: 0.35, DensityKgM3: 2.9, AmbientDensityKgM3: 1.18, WindMS: 1.5},
		"propane plume 5": {RateM3S: 2, DensityKgM3: 1.8, AmbientDensityKgM3: 1.18, WindMS: 5},
	}
}

// TestDenseDistanceMonotone: the distance falls as the concentration rises,
// and ConcentrationAt inverts DistanceM.
func TestDenseDistanceMonotone(t *testing.T) {
	for name, r := range denseCases(t) {
		t.Run(name, func(t *testing.T) {
			c, err := r.Curve()
			if err != nil {
				t.Fatal(err)
			}
			if !(c.NearM < c.FarM) || !(c.LowFraction < c.HighFraction) {
				t.Fatalf("curve %+v", c)
			}
			prev := math.Inf(1)
			const steps = 400
			for i := range steps + 1 {
				frac := c.LowFraction * math.Pow(c.HighFraction/c.LowFraction, float64(i)/steps)
				x, err := c.DistanceM(frac)
				if err != nil {
					t.Fatalf("fraction %g: %v", frac, err)
				}
				if !(x < prev) {
					t.Fatalf("fraction %g: %g m, not below %g m", frac, x, prev)
				}
				prev = x
				back, err := c.ConcentrationAt(x)
				if err != nil || !denseNear(back, frac, 1e-9) {
					t.Fatalf("fraction %g → %g m → %g (err %v)", frac, x, back, err)
				}
			}
			if x, _ := c.DistanceM(c.HighFraction); !denseNear(x, c.NearM, 1e-9) {
				t.Errorf("DistanceM(high) %g, NearM %g", x, c.NearM)
			}
			if x, _ := c.DistanceM(c.LowFraction); !denseNear(x, c.FarM, 1e-9) {
				t.Errorf("DistanceM(low) %g, FarM %g", x, c.FarM)
			}
			if x, err := r.DistanceM(math.Sqrt(c.LowFraction * c.HighFraction)); err != nil || !(x > c.NearM && x < c.FarM) {
				t.Errorf("release DistanceM %g (err %v) outside the curve", x, err)
			}
		})
	}
}

// TestDenseErrors: bad input wraps ErrInput, light gas ErrNotDense, and
// anything beyond the fits ErrDenseRange — no silent extrapolation.
func TestDenseErrors(t *testing.T) {
	ok := DenseRelease{RateM3S: 10, DensityKgM3: 3, AmbientDensityKgM3: 1.2, WindMS: 3}
	mod := func(f func(*DenseRelease)) DenseRelease { r := ok; f(&r); return r }
	for _, tc := range []struct {
		name string
		r    DenseRelease
		frac float64
		want error
	}{
		{"valid", ok, 0.01, nil},
		{"rate and volume", mod(func(r *DenseRelease) { r.VolumeM3 = 5 }), 0.01, ErrInput},
		{"neither", mod(func(r *DenseRelease) { r.RateM3S = 0 }), 0.01, ErrInput},
		{"negative rate", mod(func(r *DenseRelease) { r.RateM3S = -1 }), 0.01, ErrInput},
		{"infinite volume", mod(func(r *DenseRelease) { r.RateM3S, r.VolumeM3 = 0, math.Inf(1) }), 0.01, ErrInput},
		{"NaN density", mod(func(r *DenseRelease) { r.DensityKgM3 = math.NaN() }), 0.01, ErrInput},
		{"no ambient", mod(func(r *DenseRelease) { r.AmbientDensityKgM3 = 0 }), 0.01, ErrInput},
		{"calm", mod(func(r *DenseRelease) { r.WindMS = 0 }), 0.01, ErrInput},
		{"one temperature", mod(func(r *DenseRelease) { r.ReleaseTemperatureK = 240 }), 0.01, ErrInput},
		{"lighter than air", mod(func(r *DenseRelease) { r.DensityKgM3 = 0.7 }), 0.01, ErrNotDense},
		{"as dense as air", mod(func(r *DenseRelease) { r.DensityKgM3 = 1.2 }), 0.01, ErrNotDense},
		{"barely heavier, strong wind", mod(func(r *DenseRelease) { r.DensityKgM3, r.WindMS = 1.25, 12 }), 0.01, ErrNotDense},
		{"α > 1", mod(func(r *DenseRelease) { r.DensityKgM3, r.WindMS = 60, 0.3 }), 0.01, ErrDenseRange},
		{"above 10 %", ok, 0.2, ErrDenseRange},
		{"below 0.2 %", ok, 0.001, ErrDenseRange},
		{"zero fraction", ok, 0, ErrInput},
		{"pure gas", ok, 1, ErrInput},
		{"NaN fraction", ok, math.NaN(), ErrInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.r.DistanceM(tc.frac)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("DistanceM: %v, want %v", err, tc.want)
			}
			_, err = tc.r.ConcentrationAt(100)
			if tc.want == ErrInput && tc.frac == 0.01 && !errors.Is(err, ErrInput) {
				t.Errorf("ConcentrationAt: %v, want ErrInput", err)
			}
		})
	}
	c, err := ok.Curve()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []float64{c.NearM * 0.99, c.FarM * 1.01} {
		if _, err := c.ConcentrationAt(x); !errors.Is(err, ErrDenseRange) {
			t.Errorf("ConcentrationAt(%g) outside %g–%g: %v", x, c.NearM, c.FarM, err)
		}
	}
	for _, x := range []float64{0, -5, math.Inf(1), math.NaN()} {
		if _, err := c.ConcentrationAt(x); !errors.Is(err, ErrInput) {
			t.Errorf("ConcentrationAt(%g): %v, want ErrInput", x, err)
		}
	}
}

// TestDenseKindAt: u·R_d/x at 2.5 and 0.6 splits the kinds.
func TestDenseKindAt(t *testing.T) {
	for _, tc := range []struct {
		u, rd, x float64
		want     DenseKind
	}{
		{10.9, 174, 10.9 * 174 / 2.5, DenseContinuous},
		{10.9, 174, 10.9 * 174 / 2.5 * 1.001, DenseIntermediate},
		{2, 30, 2 * 30 / 0.6, DenseInstantaneous},
		{2, 30, 2 * 30 / 0.6 * 0.999, DenseIntermediate},
	} {
		if got, err := DenseKindAt(tc.u, tc.rd, tc.x); err != nil || got != tc.want {
			t.Errorf("DenseKindAt(%g, %g, %g) = %v, %v; want %v", tc.u, tc.rd, tc.x, got, err, tc.want)
		}
	}
	for _, in := range [][3]float64{{0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {1, math.Inf(1), 1}, {math.NaN(), 1, 1}} {
		if _, err := DenseKindAt(in[0], in[1], in[2]); !errors.Is(err, ErrInput) {
			t.Errorf("DenseKindAt%v: %v, want ErrInput", in, err)
		}
	}
}

// TestGasDensity: dry air at sea level in the U.S. Standard Atmosphere 1976
// (288.15 K, 101 325 Pa) is 1.2250 kg/m³.
func TestGasDensity(t *testing.T) {
	rho, err := GasDensityKgM3(AirMolarMassGMol, 288.15, 101325)
	if err != nil || !denseNear(rho, 1.2250, 5e-4) {
		t.Errorf("air %g kg/m³ (err %v), want 1.2250", rho, err)
	}
	if _, err := GasDensityKgM3(0, 288, 101325); !errors.Is(err, ErrInput) {
		t.Errorf("zero molar mass: %v", err)
	}
}

// ExampleDenseRelease_DistanceM: how far the LFL (5 %vol) of the Burro LNG
// release reaches, and the concentration at 200 m.
func ExampleDenseRelease_DistanceM() {
	air, _ := GasDensityKgM3(AirMolarMassGMol, 298, 101325)
	r := DenseRelease{RateM3S: 0.23 * 425.6 / 1.76, DensityKgM3: 1.76, AmbientDensityKgM3: air,
		WindMS: 10.9, ReleaseTemperatureK: 111.15, AmbientTemperatureK: 298}
	x, err := r.DistanceM(0.05)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := r.ConcentrationAt(200)
	fmt.Printf("LFL to %.0f m; %.1f %%vol at 200 m\n", x, 100*c)
	// Output: LFL to 371 m; 15.4 %vol at 200 m
}

var sinkDense float64

// BenchmarkDenseDistanceM is one zone's reach from the release: criterion,
// α, the curves and the lookup.
func BenchmarkDenseDistanceM(b *testing.B) {
	r := denseBurro(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		x, err := r.DistanceM(0.02 + 0.0001*float64(i&255))
		if err != nil {
			b.Fatal(err)
		}
		sinkDense += x
	}
}

// BenchmarkDenseConcentrationAt is one raster cell on a precomputed curve.
func BenchmarkDenseConcentrationAt(b *testing.B) {
	c, err := denseBurro(b).Curve()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v, err := c.ConcentrationAt(c.NearM + (c.FarM-c.NearM)*float64(i&1023)/1024)
		if err != nil {
			b.Fatal(err)
		}
		sinkDense += v
	}
}
