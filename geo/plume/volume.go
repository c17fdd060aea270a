package plume

import (
	"fmt"
	"math"
)

// Widened is a σ set widened for what a point source in a steady wind
// leaves out, each part added in quadrature:
//
//   - a volume source's initial spread Y0M, Z0M: a leak in a process unit
//     leaves its point mixed into the wake of pumps, pipes and structures.
//     EPA's ISC3 models such a source with σy0 = side/4.3 and σz0 =
//     height/2.15 (EPA-454/B-95-003b, ISC3 User's Guide vol. II §1.2.2);
//   - the uncertainty of the wind direction ThetaDeg, degrees: readings of
//     the present second held against a 10-minute mean direction see the
//     plume off its mean axis by about the direction's spread, a crosswind
//     offset of x·tan θ at x metres downwind.
//
// Like every Sigma it is safe for concurrent use.
type Widened struct {
	Base     Sigma   // nil means BriggsRural
	Y0M, Z0M float64 // initial spread, m, ≥ 0
	ThetaDeg float64 // wind-direction uncertainty, degrees, 0–45
}

// Sigma implements Sigma.
func (w Widened) Sigma(st Stability, xM float64) (sigmaYM, sigmaZM float64, err error) {
	if err := w.check(); err != nil {
		return 0, 0, err
	}
	base := w.Base
	if base == nil {
		base = BriggsRural
	}
	sy, sz, err := base.Sigma(st, xM)
	if err != nil {
		return 0, 0, err
	}
	meander := xM * math.Tan(w.ThetaDeg*math.Pi/180)
	return math.Sqrt(sy*sy + w.Y0M*w.Y0M + meander*meander), math.Hypot(sz, w.Z0M), nil
}

func (w Widened) check() error {
	if !(w.Y0M >= 0) || math.IsInf(w.Y0M, 1) || !(w.Z0M >= 0) || math.IsInf(w.Z0M, 1) || !(w.ThetaDeg >= 0 && w.ThetaDeg <= 45) {
		return fmt.Errorf("%w: initial σ %g/%g m, direction spread %g° (want ≥ 0, finite; 0–45°)", ErrInput, w.Y0M, w.Z0M, w.ThetaDeg)
	}
	return nil
}

// WakeSigmaYM and WakeSigmaZM are the initial spread of a leak inside a
// process unit: ISC3's volume source for a wake about 10 m across and 3 m
// tall (σy0 = 10/4.3 m, σz0 = 3/2.15 m). The simulator's releases and the
// threat service's source estimate both take it (a choice of this
// package: equipment wakes vary).
const (
	WakeSigmaYM = 10 / 4.3
	WakeSigmaZM = 3 / 2.15
)

// NearFieldM is the downwind distance at which Near evaluates receptors
// nearer than it (and those upwind within a volume source).
const NearFieldM = 1.0

// Near returns the concentration at (xM, yM, zM) in the dispersion frame
// for any x. A point source gives the plume's for x > 0 and nothing
// upwind. A volume source (a Widened σ set with σy0 > 0) gives the plume's
// from NearFieldM on; nearer, that at NearFieldM, and upwind that times
// exp(−x²/2σy0²): it reaches upwind about as far as it is wide, and not
// beyond 3σy0.
func (p Plume) Near(xM, yM, zM float64) (float64, error) {
	var y0 float64
	if w, ok := p.Sigma.(Widened); ok {
		y0 = w.Y0M
	}
	f := 1.0
	switch {
	case y0 == 0 && xM > 0, xM >= NearFieldM:
	case y0 > 0 && xM >= 0:
		xM = NearFieldM
	case y0 > 0 && xM > -3*y0:
		f, xM = math.Exp(-xM*xM/(2*y0*y0)), NearFieldM
	default:
		return 0, nil
	}
	s, err := p.Section(xM)
	if err != nil {
		return 0, err
	}
	return f * s.At(yM, zM), nil
}
