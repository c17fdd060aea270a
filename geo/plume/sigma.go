package plume

import (
	"fmt"
	"math"
	"strings"
)

// Sigma gives dispersion coefficients: the crosswind and vertical standard
// deviations σy and σz, in metres, of a plume or puff of the given
// stability class at downwind (travel) distance xM metres. Implementations
// return an error for an invalid class and for x that is not finite and
// positive, and are safe for concurrent use.
type Sigma interface {
	Sigma(s Stability, xM float64) (sigmaYM, sigmaZM float64, err error)
}

// SigmaSet is a named, built-in σ set. It implements Sigma.
type SigmaSet string

// The built-in σ sets.
const (
	// BriggsRural is Briggs (1973) open-country σ (valid ~100 m–10 km).
	BriggsRural SigmaSet = "briggs_rural"
	// BriggsUrban is Briggs (1973) urban σ from the St. Louis data.
	BriggsUrban SigmaSet = "briggs_urban"
	// ISC3 is the Pasquill–Gifford curve fit of the EPA ISC3 models (rural).
	ISC3 SigmaSet = "isc3"
	// CCPSPuff is the CCPS (1999) instantaneous-puff σ; σx = σy.
	CCPSPuff SigmaSet = "ccps_puff"
)

// SigmaSets lists the built-in σ set names.
func SigmaSets() []SigmaSet { return []SigmaSet{BriggsRural, BriggsUrban, ISC3, CCPSPuff} }

// ParseSigmaSet parses a σ set name (case-insensitive, surrounding space
// ignored).
func ParseSigmaSet(name string) (SigmaSet, error) {
	t := SigmaSet(strings.ToLower(strings.TrimSpace(name)))
	for _, s := range SigmaSets() {
		if s == t {
			return s, nil
		}
	}
	return "", fmt.Errorf("%w: %q (want briggs_rural, briggs_urban, isc3 or ccps_puff)", ErrSigmaSet, name)
}

// Sigma implements Sigma.
func (set SigmaSet) Sigma(s Stability, xM float64) (sigmaYM, sigmaZM float64, err error) {
	if err := s.check(); err != nil {
		return 0, 0, err
	}
	if !(xM > 0) || math.IsInf(xM, 1) {
		return 0, 0, fmt.Errorf("%w: distance %g m (want > 0, finite)", ErrInput, xM)
	}
	switch set {
	case BriggsRural:
		sigmaYM, sigmaZM = briggsRural(s, xM)
	case BriggsUrban:
		sigmaYM, sigmaZM = briggsUrban(s, xM)
	case ISC3:
		sigmaYM, sigmaZM = isc3(s, xM)
	case CCPSPuff:
		sigmaYM, sigmaZM = ccpsPuff(s, xM)
	default:
		return 0, 0, fmt.Errorf("%w: %q", ErrSigmaSet, string(set))
	}
	if !(sigmaYM > 0 && sigmaZM > 0) || math.IsInf(sigmaYM, 1) || math.IsInf(sigmaZM, 1) {
		return 0, 0, fmt.Errorf("%w: distance %g m outside the range of %s", ErrInput, xM, set)
	}
	return sigmaYM, sigmaZM, nil
}

// Briggs (1973) coefficients as tabulated by Gifford (1976, Nuclear Safety
// 17:68) and Crowl & Louvar (2011) Table 5-2; REFERENCE §8. Indexed by class.
// σy = ky·x·(1 + 0.0001x)^−½ rural, (1 + 0.0004x)^−½ urban.
var (
	briggsRuralKY = [7]float64{A: 0.22, B: 0.16, C: 0.11, D: 0.08, E: 0.06, F: 0.04}
	briggsUrbanKY = [7]float64{A: 0.32, B: 0.32, C: 0.22, D: 0.16, E: 0.11, F: 0.11}
)

func briggsRural(s Stability, x float64) (sy, sz float64) {
	sy = briggsRuralKY[s] * x / math.Sqrt(1+0.0001*x)
	switch s {
	case A:
		sz = 0.20 * x
	case B:
		sz = 0.12 * x
	case C:
		sz = 0.08 * x / math.Sqrt(1+0.0002*x)
	case D:
		// 0.0015, not the 0.00015 of some reprints (REFERENCE §8; it
		// reproduces Crowl & Louvar Ex 5-1).
		sz = 0.06 * x / math.Sqrt(1+0.0015*x)
	case E:
		sz = 0.03 * x / (1 + 0.0003*x)
	default: // F
		sz = 0.016 * x / (1 + 0.0003*x)
	}
	return sy, sz
}

func briggsUrban(s Stability, x float64) (sy, sz float64) {
	sy = briggsUrbanKY[s] * x / math.Sqrt(1+0.0004*x)
	switch s {
	case A, B:
		sz = 0.24 * x * math.Sqrt(1+0.001*x)
	case C:
		sz = 0.20 * x
	case D:
		sz = 0.14 * x / math.Sqrt(1+0.0003*x)
	default: // E, F
		sz = 0.08 * x / math.Sqrt(1+0.0015*x)
	}
	return sy, sz
}

// CCPS (1999) puff σ power laws, σ = a·x^b, x in m; REFERENCE §8 (also
// Crowl & Louvar 2011 Table 5-3). Indexed by class.
var (
	ccpsPuffAY = [7]float64{A: 0.18, B: 0.14, C: 0.10, D: 0.06, E: 0.04, F: 0.02}
	ccpsPuffBY = [7]float64{A: 0.92, B: 0.92, C: 0.92, D: 0.92, E: 0.92, F: 0.89}
	ccpsPuffAZ = [7]float64{A: 0.60, B: 0.53, C: 0.34, D: 0.15, E: 0.10, F: 0.05}
	ccpsPuffBZ = [7]float64{A: 0.75, B: 0.73, C: 0.71, D: 0.70, E: 0.65, F: 0.61}
)

func ccpsPuff(s Stability, x float64) (sy, sz float64) {
	return ccpsPuffAY[s] * math.Pow(x, ccpsPuffBY[s]), ccpsPuffAZ[s] * math.Pow(x, ccpsPuffBZ[s])
}

// Beals (1971) along-wind σx for the finite-duration correction, σx = a·x^b,
// x in m (REFERENCE §8; Beals, Guide to local diffusion of air pollutants,
// USAF AWS TR 214). Indexed by class.
var (
	bealsA = [7]float64{A: 0.02, B: 0.02, C: 0.02, D: 0.04, E: 0.17, F: 0.17}
	bealsB = [7]float64{A: 1.22, B: 1.22, C: 1.22, D: 1.14, E: 0.97, F: 0.97}
)

// BealsSigmaXM returns the along-wind σx (m) at downwind distance xM for the
// finite-duration release correction.
func BealsSigmaXM(s Stability, xM float64) (float64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if !(xM > 0) || math.IsInf(xM, 1) {
		return 0, fmt.Errorf("%w: distance %g m (want > 0, finite)", ErrInput, xM)
	}
	return bealsA[s] * math.Pow(xM, bealsB[s]), nil
}
