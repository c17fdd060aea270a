package plume

import (
	"fmt"
	"math"
)

// Stack is a vent or stack exit for Briggs plume rise.
type Stack struct {
	DiameterM      float64 // inner exit diameter d, m, > 0
	ExitVelocityMS float64 // exit velocity v, m/s, ≥ 0
	ExitTempK      float64 // exit gas temperature Ts, K, > 0
	AmbientTempK   float64 // ambient temperature Ta, K, > 0
}

// Briggs (1969, 1971, 1975) final plume rise as used by the EPA ISC3 models
// (EPA-454/B-95-003b Vol. II §1.1.4.3–1.1.4.6, equations 1-6 to 1-12).
const (
	isc3Gravity     = 9.80616 // m/s², the value ISC3 uses
	briggsFluxSplit = 55      // m⁴/s³: F < 55 and F ≥ 55 use different laws
	briggsLowCoef   = 21.425  // Δh = 21.425 F^{3/4}/u, F < 55
	briggsHighCoef  = 38.71   // Δh = 38.71 F^{3/5}/u, F ≥ 55
	briggsStable    = 2.6     // Δh = 2.6 (F/(u s))^{1/3}, stable
	briggsJetNeut   = 3       // Δh = 3 d v/u, momentum, unstable/neutral
	briggsJetStable = 1.5     // Δh = 1.5 (Fm/(u √s))^{1/3}, momentum, stable
)

// Default potential-temperature gradients dθ/dz, K/m, for classes E and F
// (ISC3 Vol. II §1.1.4.3).
var stableLapseKM = [7]float64{E: 0.020, F: 0.035}

// BriggsRiseM returns Briggs' final plume rise, m, for a stack in wind
// windMS (at stack height) and stability class s: the buoyant rise
// (F = g v d² (Ts − Ta)/(4 Ts)) or the momentum rise
// (Fm = v² d² Ta/(4 Ts)), whichever is larger. Taking the larger is ISC3's
// crossover-temperature test written directly: ISC3's ΔTc constants are where
// the two rises are equal. Stack-tip downwash, calm-wind and
// distance-dependent (gradual) rise are not modelled.
func BriggsRiseM(st Stack, windMS float64, s Stability) (float64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if !(st.DiameterM > 0) || !(st.ExitVelocityMS >= 0) || !(st.ExitTempK > 0) || !(st.AmbientTempK > 0) ||
		!(windMS > 0) || math.IsInf(st.DiameterM+st.ExitVelocityMS+st.ExitTempK+st.AmbientTempK+windMS, 0) {
		return 0, fmt.Errorf("%w: stack %+v, wind %g m/s", ErrInput, st, windMS)
	}
	d, v, u := st.DiameterM, st.ExitVelocityMS, windMS
	fb := math.Max(0, isc3Gravity*v*d*d*(st.ExitTempK-st.AmbientTempK)/(4*st.ExitTempK))
	fm := v * v * d * d * st.AmbientTempK / (4 * st.ExitTempK)
	jetNeutral := briggsJetNeut * d * v / u
	if s >= E {
		sp := isc3Gravity * stableLapseKM[s] / st.AmbientTempK // stability parameter s, 1/s²
		buoyant := briggsStable * math.Cbrt(fb/(u*sp))
		jet := math.Min(briggsJetStable*math.Cbrt(fm/(u*math.Sqrt(sp))), jetNeutral)
		return math.Max(buoyant, jet), nil
	}
	buoyant := briggsLowCoef * math.Pow(fb, 0.75) / u
	if fb >= briggsFluxSplit {
		buoyant = briggsHighCoef * math.Pow(fb, 0.6) / u
	}
	return math.Max(buoyant, jetNeutral), nil
}
