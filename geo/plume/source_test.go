package plume

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// scenario is a synthetic release: detectors scattered over a 600 m square
// read the model's concentrations times log-normal noise, and read zero
// below the detection limit.
type scenario struct {
	p        Plume // the true release, HeightM the true height
	fromDeg  float64
	truth    orb.Point
	readings []Reading
	cands    []Candidate
	limit    float64
}

func newScenario(t testing.TB, seed uint64, truth orb.Point, noise float64, detectors, candidates int) scenario {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 6))
	sc := scenario{p: Plume{RateGS: 500, WindMS: 3, Stability: D}, fromDeg: 250, truth: truth, limit: 1e-4}
	w, _ := newWind(sc.fromDeg)
	for range detectors {
		at := orb.Point{rng.Float64()*600 - 300, rng.Float64()*600 - 300}
		r := Reading{At: at, ZM: 1.5}
		if x, y := w.toPlume(at[0]-truth[0], at[1]-truth[1]); x > 0 {
			s, err := sc.p.Concentration(x, y, r.ZM)
			if err != nil {
				t.Fatal(err)
			}
			r.ConcentrationGM3 = s.ConcentrationGM3 * math.Exp(noise*rng.NormFloat64())
		}
		if r.ConcentrationGM3 < sc.limit {
			r.ConcentrationGM3 = 0
		}
		sc.readings = append(sc.readings, r)
	}
	sc.cands = append(sc.cands, Candidate{ID: "truth", At: truth})
	for i := 1; i < candidates; i++ {
		sc.cands = append(sc.cands, Candidate{ID: string(rune('A' + i%26)), At: orb.Point{rng.Float64()*700 - 350, rng.Float64()*700 - 350}})
	}
	rng.Shuffle(len(sc.cands), func(i, j int) { sc.cands[i], sc.cands[j] = sc.cands[j], sc.cands[i] })
	return sc
}

func (sc scenario) options(gridStepM float64) EstimateOptions {
	return EstimateOptions{Plume: Plume{WindMS: sc.p.WindMS, Stability: sc.p.Stability}, WindFromDeg: sc.fromDeg,
		Readings: sc.readings, DetectionLimitGM3: sc.limit, Candidates: sc.cands, GridStepM: gridStepM}
}

func TestEstimateSourceNoiseFree(t *testing.T) {
	sc := newScenario(t, 1, orb.Point{-150, -40}, 0, 50, 30)
	e, err := EstimateSource(sc.options(-1))
	if err != nil {
		t.Fatal(err)
	}
	if e.Source.ID != "truth" || !within(e.RateGS, 500, 1e-9) || e.ResidualLog > 1e-9 {
		t.Fatalf("estimate %+v", e)
	}
	if e.Confidence < 0.999 || e.Candidates != 30 || e.Detected < 5 || e.Detected+e.Censored != 50 {
		t.Fatalf("estimate %+v", e)
	}
	if e.RunnerUp == nil || e.RunnerUpResidualLog <= e.ResidualLog {
		t.Fatalf("runner-up %+v, %g", e.RunnerUp, e.RunnerUpResidualLog)
	}
}

// TestEstimateSourceNoisy: with 30 % log-normal noise the true source is
// picked among 30 candidates and its rate is within a factor 1.5.
func TestEstimateSourceNoisy(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		sc := newScenario(t, seed, orb.Point{-150 + 10*float64(seed), -40}, 0.3, 50, 30)
		e, err := EstimateSource(sc.options(-1))
		if err != nil {
			t.Fatal(err)
		}
		if e.Source.ID != "truth" || e.RateGS < 500/1.5 || e.RateGS > 500*1.5 {
			t.Errorf("seed %d: %+v (rate factor %.2f)", seed, e, e.RateGS/500)
		}
		t.Logf("seed %d: %d detected, residual %.3f, rate ×%.2f, confidence %.3f", seed, e.Detected, e.ResidualLog, e.RateGS/500, e.Confidence)
		if e.ResidualLog < 0.1 || e.ResidualLog > 0.6 {
			t.Errorf("seed %d: residual %g for noise 0.3", seed, e.ResidualLog)
		}
	}
}

// TestEstimateSourceFreeGrid: a source between the nodes of a 10 m grid
// (no candidate there) is found within one grid step diagonal and its rate
// within a factor 1.5; noise-free it is found at the nearest node.
func TestEstimateSourceFreeGrid(t *testing.T) {
	const step = 10.0
	for _, tc := range []struct {
		seed  uint64
		noise float64
		truth orb.Point
	}{
		{1, 0, orb.Point{-123.4, 36.7}}, {2, 0, orb.Point{-201.1, -58.2}},
		{3, 0.2, orb.Point{-123.4, 36.7}}, {4, 0.2, orb.Point{-201.1, -58.2}}, {5, 0.2, orb.Point{-88.8, 12.3}},
	} {
		sc := newScenario(t, tc.seed, tc.truth, tc.noise, 50, 1)
		sc.cands = nil
		e, err := EstimateSource(sc.options(step))
		if err != nil {
			t.Fatal(err)
		}
		d := planar.Distance(e.Source.At, tc.truth)
		if d > step*math.Sqrt2 || e.RateGS < 500/1.5 || e.RateGS > 500*1.5 {
			t.Errorf("seed %d noise %g: found %v, %.1f m off, rate %.0f g/s, confidence %.2f", tc.seed, tc.noise, e.Source.At, d, e.RateGS, e.Confidence)
		}
		if tc.noise == 0 && d > step/math.Sqrt2 {
			t.Errorf("noise-free: %.1f m from the truth, not the nearest node", d)
		}
		if e.Candidates < 1000 || e.Source.ID != "" {
			t.Errorf("candidates %d, source %+v", e.Candidates, e.Source)
		}
	}
}

// TestEstimateSourceAmbiguous: one detection explained equally well by two
// sources on the same line upwind (the rate absorbs the distance) gives a
// confidence of one half.
func TestEstimateSourceAmbiguous(t *testing.T) {
	o := EstimateOptions{Plume: Plume{WindMS: 3, Stability: D}, WindFromDeg: 270, DetectionLimitGM3: 1e-4,
		Readings:   []Reading{{At: orb.Point{0, 0}, ConcentrationGM3: 0.01}},
		Candidates: []Candidate{{ID: "near", At: orb.Point{-100, 0}}, {ID: "far", At: orb.Point{-300, 0}}}, GridStepM: -1}
	e, err := EstimateSource(o)
	if err != nil {
		t.Fatal(err)
	}
	if e.ResidualLog > 1e-12 || !within(e.Confidence, 0.5, 1e-9) || e.RunnerUp == nil || e.Feasible != 2 {
		t.Fatalf("%+v", e)
	}
	// A zero reading 200 m downwind of "far" but crosswind of "near" rules
	// "far" out: it would put gas there.
	o.Readings = append(o.Readings, Reading{At: orb.Point{-100, 40}})
	if e, err = EstimateSource(o); err != nil || e.Source.ID != "near" || e.Confidence < 0.99 {
		t.Fatalf("%+v, %v", e, err)
	}
}

// TestFitLogRate checks the censored least-squares rate against a brute
// search of S(L).
func TestFitLogRate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		a, b, c []float64
	}{
		{"detections only", []float64{1, 2, 4}, nil, nil},
		{"censored above", []float64{1, 2}, []float64{3, 5}, nil},
		{"one censored below", []float64{0}, []float64{-1}, nil},
		{"several censored below", []float64{0, 1, 2}, []float64{-2, 0.5, -0.3, 3}, nil},
		{"saturated above the mean", []float64{0, 1}, nil, []float64{3, 0.2, 2}},
		{"saturated and censored", []float64{0, 1, 2}, []float64{-2, 0.5, -0.3, 3}, []float64{4, 1.5, -1}},
		{"saturated pulling past a censored", []float64{0}, []float64{0.5, 1}, []float64{3, 2.5}},
		{"saturated only", nil, []float64{2, 4}, []float64{1, -1, 0.5}},
		{"saturated only, bounded below", nil, []float64{0.2, 4}, []float64{1, -1, 0.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := func(l float64) float64 {
				v := 0.0
				for _, a := range tc.a {
					v += (l - a) * (l - a)
				}
				for _, b := range tc.b {
					if l > b {
						v += (l - b) * (l - b)
					}
				}
				for _, c := range tc.c {
					if l < c {
						v += (l - c) * (l - c)
					}
				}
				return v
			}
			lnQ, sse, _ := fitLogRate(tc.a, slices.Clone(tc.b), slices.Clone(tc.c))
			if math.Abs(sse-s(lnQ)) > 1e-12 {
				t.Fatalf("sse %g, S(%g) = %g", sse, lnQ, s(lnQ))
			}
			for l := -5.0; l <= 5; l += 0.001 {
				if s(l) < sse-1e-12 {
					t.Fatalf("S(%g) = %g below the minimum %g at %g", l, s(l), sse, lnQ)
				}
				// With saturated readings alone the minimum is a range:
				// L is its lower end.
				if len(tc.a) == 0 && l < lnQ-1e-9 && s(l) <= sse+1e-12 {
					t.Fatalf("S(%g) = %g is minimal below L = %g", l, s(l), lnQ)
				}
			}
		})
	}
}

func TestEstimateSourceErrors(t *testing.T) {
	ok := EstimateOptions{Plume: Plume{WindMS: 3, Stability: D}, DetectionLimitGM3: 1e-4,
		Readings:   []Reading{{At: orb.Point{0, 0}, ConcentrationGM3: 0.01}},
		Candidates: []Candidate{{At: orb.Point{-100, 0}}}, GridStepM: -1, WindFromDeg: 270}
	for _, tc := range []struct {
		name string
		edit func(*EstimateOptions)
		want error
	}{
		{"no limit", func(o *EstimateOptions) { o.DetectionLimitGM3 = 0 }, ErrInput},
		{"no readings", func(o *EstimateOptions) { o.Readings = nil }, ErrInput},
		{"NaN reading", func(o *EstimateOptions) { o.Readings = []Reading{{At: orb.Point{math.NaN(), 0}}} }, ErrInput},
		{"negative reading", func(o *EstimateOptions) { o.Readings = []Reading{{ConcentrationGM3: -1}} }, ErrInput},
		{"bad candidate", func(o *EstimateOptions) { o.Candidates = []Candidate{{HeightM: -1}} }, ErrInput},
		{"no wind", func(o *EstimateOptions) { o.Plume.WindMS = 0 }, ErrInput},
		{"no class", func(o *EstimateOptions) { o.Plume.Stability = 0 }, ErrStability},
		{"nothing detected", func(o *EstimateOptions) { o.Readings[0].ConcentrationGM3 = 1e-5 }, ErrNoFit},
		{"every candidate downwind", func(o *EstimateOptions) { o.WindFromDeg = 90 }, ErrNoFit},
		{"no candidates", func(o *EstimateOptions) { o.Candidates = nil }, ErrNoFit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			o.Readings = append([]Reading(nil), ok.Readings...)
			tc.edit(&o)
			if _, err := EstimateSource(o); !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := EstimateSource(ok); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkInversion is the inversion_ms figure: 30 candidate sources plus
// the default 10 m free grid over 50 detectors.
func BenchmarkInversion(b *testing.B) {
	sc := newScenario(b, 1, orb.Point{-150, -40}, 0.3, 50, 30)
	o := sc.options(0)
	var e Estimate
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if e, err = EstimateSource(o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(e.Candidates), "candidates")
}
