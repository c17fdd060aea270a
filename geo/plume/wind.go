package plume

import (
	"fmt"
	"math"
)

// Terrain selects the wind-profile exponents and is the roughness switch of
// the σ choice.
type Terrain uint8

// Terrain kinds.
const (
	Rural Terrain = iota + 1
	Urban
)

// Wind power-law exponents p by class (REFERENCE §8; EPA ISC3 User's Guide
// Vol. II §1.1.3, after Irwin 1979).
var (
	windExpRural = [7]float64{A: 0.07, B: 0.07, C: 0.10, D: 0.15, E: 0.35, F: 0.55}
	windExpUrban = [7]float64{A: 0.15, B: 0.15, C: 0.20, D: 0.25, E: 0.40, F: 0.60}
)

// WindExponent returns the power-law exponent p for the class and terrain.
func WindExponent(s Stability, t Terrain) (float64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	switch t {
	case Rural:
		return windExpRural[s], nil
	case Urban:
		return windExpUrban[s], nil
	}
	return 0, fmt.Errorf("%w: terrain %d", ErrInput, t)
}

// WindAt returns the wind speed at height zM from a measurement refMS at
// height refM: u(z) = u_ref·(z/z_ref)^p.
func WindAt(refMS, refM, zM float64, s Stability, t Terrain) (float64, error) {
	if !(refMS >= 0) || math.IsInf(refMS, 1) || !(refM > 0) || math.IsInf(refM, 1) ||
		!(zM > 0) || math.IsInf(zM, 1) {
		return 0, fmt.Errorf("%w: wind %g m/s at %g m to %g m", ErrInput, refMS, refM, zM)
	}
	p, err := WindExponent(s, t)
	if err != nil {
		return 0, err
	}
	return refMS * math.Pow(zM/refM, p), nil
}
