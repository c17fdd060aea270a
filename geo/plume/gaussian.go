package plume

import (
	"fmt"
	"math"
)

// Plume is a continuous point source in a uniform wind: the Gaussian plume
// with ground reflection (Turner 1970 eq. 3.1; Crowl & Louvar 2011 eq. 5-49;
// REFERENCE §8):
//
//	C = Q/(2π u σy σz) · exp(−y²/2σy²) · [exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]
//
// The wind is used as given (apply WindAt for a profile). A Plume is a value;
// it is safe for concurrent use.
type Plume struct {
	RateGS    float64   // release rate Q, g/s, > 0
	WindMS    float64   // mean wind speed u at release height, m/s, > 0
	HeightM   float64   // effective release height H (stack + rise), m, ≥ 0
	Stability Stability // Pasquill class
	// Sigma is the σ set; nil means BriggsRural.
	Sigma Sigma
	// DurationS is the release duration t_r, s; 0 means continuous (steady
	// state). When set, concentrations are multiplied by the finite-duration
	// factor erf(u·t_r / (2√2 σx)) with Beals σx (see FiniteDurationFactor).
	DurationS float64
}

// Sample is a concentration with the σ it was computed with.
type Sample struct {
	ConcentrationGM3 float64 // g/m³
	SigmaYM          float64 // crosswind σy, m
	SigmaZM          float64 // vertical σz, m
}

// Validate checks the source and wind.
func (p Plume) Validate() error {
	switch {
	case !(p.RateGS > 0) || math.IsInf(p.RateGS, 1):
		return fmt.Errorf("%w: rate %g g/s (want > 0, finite)", ErrInput, p.RateGS)
	case !(p.WindMS > 0) || math.IsInf(p.WindMS, 1):
		return fmt.Errorf("%w: wind %g m/s (want > 0, finite)", ErrInput, p.WindMS)
	case !(p.HeightM >= 0) || math.IsInf(p.HeightM, 1):
		return fmt.Errorf("%w: height %g m (want ≥ 0, finite)", ErrInput, p.HeightM)
	case !(p.DurationS >= 0) || math.IsInf(p.DurationS, 1):
		return fmt.Errorf("%w: duration %g s (want ≥ 0, finite; 0 = continuous)", ErrInput, p.DurationS)
	}
	return p.Stability.check()
}

// Concentration returns the concentration at (xM, yM, zM) in the dispersion
// frame and the σ used. x must be positive (the plume has no upwind part),
// z non-negative.
func (p Plume) Concentration(xM, yM, zM float64) (Sample, error) {
	s, err := p.Section(xM)
	if err != nil {
		return Sample{}, err
	}
	if math.IsNaN(yM) || math.IsInf(yM, 0) || !(zM >= 0) || math.IsInf(zM, 1) {
		return Sample{}, fmt.Errorf("%w: receptor y %g m, z %g m", ErrInput, yM, zM)
	}
	return Sample{ConcentrationGM3: s.At(yM, zM), SigmaYM: s.SigmaYM, SigmaZM: s.SigmaZM}, nil
}

// Section is a plume cross-section at one downwind distance with its σ and
// constants precomputed, for evaluating many receptors at one x cheaply. It is
// a value, safe for concurrent use.
type Section struct {
	XM, SigmaYM, SigmaZM float64
	amp                  float64 // Q/(2π u σy σz) · finite-duration factor
	ky, kz               float64 // 1/(2σy²), 1/(2σz²)
	h                    float64
}

// Section precomputes the cross-section at downwind distance xM > 0.
func (p Plume) Section(xM float64) (Section, error) {
	if err := p.Validate(); err != nil {
		return Section{}, err
	}
	sy, sz, err := p.sigma().Sigma(p.Stability, xM)
	if err != nil {
		return Section{}, err
	}
	amp := p.RateGS / (2 * math.Pi * p.WindMS * sy * sz)
	if p.DurationS > 0 {
		f, err := FiniteDurationFactor(p.Stability, xM, p.WindMS, p.DurationS)
		if err != nil {
			return Section{}, err
		}
		amp *= f
	}
	return Section{XM: xM, SigmaYM: sy, SigmaZM: sz, amp: amp,
		ky: 1 / (2 * sy * sy), kz: 1 / (2 * sz * sz), h: p.HeightM}, nil
}

func (p Plume) sigma() Sigma {
	if p.Sigma == nil {
		return BriggsRural
	}
	return p.Sigma
}

// At returns the concentration, g/m³, at crosswind offset yM and height zM
// (z ≥ 0; not checked). It does not allocate.
func (s Section) At(yM, zM float64) float64 {
	a, b := zM-s.h, zM+s.h
	return s.amp * math.Exp(-yM*yM*s.ky) * (math.Exp(-a*a*s.kz) + math.Exp(-b*b*s.kz))
}

// Centreline returns the ground-level centreline concentration (y = 0,
// z = 0), g/m³.
func (s Section) Centreline() float64 {
	return 2 * s.amp * math.Exp(-s.h*s.h*s.kz)
}

// Vertical returns the vertical factor at height zM, so that a row of
// receptors at one height costs one exponential each: At(y, z) =
// Vertical(z) · exp(−y²/2σy²).
func (s Section) Vertical(zM float64) float64 {
	a, b := zM-s.h, zM+s.h
	return s.amp * (math.Exp(-a*a*s.kz) + math.Exp(-b*b*s.kz))
}

// HalfWidthM returns the crosswind half-width, m, of the ground-level region
// where the concentration is at least locGM3: σy·√(2 ln(C₀/LOC)) with C₀ the
// ground centreline value, or 0 where C₀ < LOC.
func (s Section) HalfWidthM(locGM3 float64) float64 {
	c0 := s.Centreline()
	if !(c0 > locGM3) {
		return 0
	}
	return s.SigmaYM * math.Sqrt(2*math.Log(c0/locGM3))
}

// FiniteDurationFactor returns erf(u·t_r / (2√2 σx)), σx by Beals, the
// ratio of the peak concentration of a release lasting durationS seconds to
// the steady-state value at downwind distance xM (CCPS 1999; REFERENCE §8).
func FiniteDurationFactor(s Stability, xM, windMS, durationS float64) (float64, error) {
	if !(windMS > 0) || math.IsInf(windMS, 1) || !(durationS > 0) || math.IsInf(durationS, 1) {
		return 0, fmt.Errorf("%w: wind %g m/s, duration %g s (want > 0, finite)", ErrInput, windMS, durationS)
	}
	sx, err := BealsSigmaXM(s, xM)
	if err != nil {
		return 0, err
	}
	return math.Erf(windMS * durationS / (2 * math.Sqrt2 * sx)), nil
}
