package plume

import (
	"fmt"
	"math"
)

// FlammableSigmaYFactor scales σy from the Pasquill–Gifford averaging time
// (≈ 3 min for Briggs and the P-G curves) to the 10 s peak a flammable
// cloud is judged by, as ALOHA does for flammable threat zones (REFERENCE
// §8: "10 s averaging: σy × 0.561"). It is Turner's (1970, ch. 3)
// sampling-time correction, concentration ∝ t^−p with p ≈ 0.2, carried by σy:
// (10 s / 180 s)^0.2 = 0.561.
const FlammableSigmaYFactor = 0.561

// ScaledY is a σ set whose σy is that of Base times FactorY (σz unchanged):
// the averaging-time correction. ScaledY{Base: BriggsRural, FactorY:
// FlammableSigmaYFactor} is the 10 s σ of flammable zones. Like every Sigma it
// is safe for concurrent use.
type ScaledY struct {
	Base    Sigma   // nil means BriggsRural
	FactorY float64 // > 0
}

// Sigma implements Sigma.
func (s ScaledY) Sigma(st Stability, xM float64) (sigmaYM, sigmaZM float64, err error) {
	if !(s.FactorY > 0) || math.IsInf(s.FactorY, 1) {
		return 0, 0, fmt.Errorf("%w: σy factor %g (want > 0, finite)", ErrInput, s.FactorY)
	}
	base := s.Base
	if base == nil {
		base = BriggsRural
	}
	sy, sz, err := base.Sigma(st, xM)
	return sy * s.FactorY, sz, err
}

// Flammable returns p with σy scaled to 10 s averaging, for the flammable
// (LEL) zones.
func (p Plume) Flammable() Plume {
	p.Sigma = ScaledY{Base: p.sigma(), FactorY: FlammableSigmaYFactor}
	return p
}
