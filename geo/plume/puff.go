package plume

import (
	"fmt"
	"math"
)

// Puff is an instantaneous release of mass M carried by a uniform wind: the
// Gaussian puff with ground reflection, centred at x = u·t, with σx = σy
// (Crowl & Louvar 2011 eq. 5-38; CCPS 1999; REFERENCE §8):
//
//	C = M/((2π)^{3/2} σx σy σz) · exp(−(x−ut)²/2σx²) · exp(−y²/2σy²) · [z terms]
//
// σ are taken at the travel distance of the puff centre, u·t. A Puff is a
// value; it is safe for concurrent use.
type Puff struct {
	MassG     float64   // released mass M, g, > 0
	WindMS    float64   // wind speed u, m/s, > 0
	HeightM   float64   // release height H, m, ≥ 0
	Stability Stability // Pasquill class
	// Sigma is the σ set; nil means CCPSPuff.
	Sigma Sigma
}

// Validate checks the source and wind.
func (p Puff) Validate() error {
	switch {
	case !(p.MassG > 0) || math.IsInf(p.MassG, 1):
		return fmt.Errorf("%w: mass %g g (want > 0, finite)", ErrInput, p.MassG)
	case !(p.WindMS > 0) || math.IsInf(p.WindMS, 1):
		return fmt.Errorf("%w: wind %g m/s (want > 0, finite)", ErrInput, p.WindMS)
	case !(p.HeightM >= 0) || math.IsInf(p.HeightM, 1):
		return fmt.Errorf("%w: height %g m (want ≥ 0, finite)", ErrInput, p.HeightM)
	}
	return p.Stability.check()
}

// Concentration returns the concentration at (xM, yM, zM) and time tS > 0 s
// after the release, with the σ used (σx = σy). x may be any finite value
// (the puff spreads a little upwind of its centre), z ≥ 0.
func (p Puff) Concentration(xM, yM, zM, tS float64) (Sample, error) {
	if err := p.Validate(); err != nil {
		return Sample{}, err
	}
	if !(tS > 0) || math.IsInf(tS, 1) {
		return Sample{}, fmt.Errorf("%w: time %g s (want > 0, finite)", ErrInput, tS)
	}
	if !finite(xM) || !finite(yM) || !(zM >= 0) || math.IsInf(zM, 1) {
		return Sample{}, fmt.Errorf("%w: receptor x %g m, y %g m, z %g m", ErrInput, xM, yM, zM)
	}
	sigma := p.Sigma
	if sigma == nil {
		sigma = CCPSPuff
	}
	xc := p.WindMS * tS
	sy, sz, err := sigma.Sigma(p.Stability, xc)
	if err != nil {
		return Sample{}, err
	}
	dx, a, b := xM-xc, zM-p.HeightM, zM+p.HeightM
	c := p.MassG / (math.Pow(2*math.Pi, 1.5) * sy * sy * sz) *
		math.Exp(-(dx*dx+yM*yM)/(2*sy*sy)) *
		(math.Exp(-a*a/(2*sz*sz)) + math.Exp(-b*b/(2*sz*sz)))
	return Sample{ConcentrationGM3: c, SigmaYM: sy, SigmaZM: sz}, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
