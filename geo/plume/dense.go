package plume

import (
	"errors"
	"fmt"
	"math"
)

// Dense-gas dispersion: the correlations of R. E. Britter and J. McQuaid,
// Workbook on the Dispersion of Dense Gases (HSE Contract Research Report
// 17/1988), as curve fits in CCPS, Guidelines for Consequence Analysis of
// Chemical Releases (1999) §2.3 (p. 118), which D. A. Crowl and J. F. Louvar,
// Chemical Process Safety (2nd ed. 2002, 3rd ed. 2011) ch. 5 ("Dense Gas
// Dispersion", Figures 5-13 and 5-14) reprint as a table. The same fits are
// in EPA's TSCREEN (User's Guide EPA-454/B-94-023, 1994).
//
// verify: the fits, the page and figure numbers were taken from the
// digitisation in GasDispersion.jl (A. E. Farrell, which cites CCPS p. 118
// and TSCREEN), not read from CCPS or Crowl & Louvar themselves; the
// criteria and the non-isothermal correction agree with that code and with
// Crowl & Louvar as remembered. Check them against the printed table.

// Sentinel errors of the dense-gas model. Every error of DenseRelease and
// DenseCurve wraps one of them or ErrInput.
var (
	// ErrNotDense reports a release below the Britter–McQuaid dense-gas
	// criterion (see DenseRelease.Criterion): model it as passive (Plume or
	// Puff) instead.
	ErrNotDense = errors.New("plume: release is not dense")
	// ErrDenseRange reports a query outside the correlations: a source
	// parameter α > 1, or a concentration (distance) beyond the fitted
	// curves. The model does not extrapolate.
	ErrDenseRange = errors.New("plume: outside the dense-gas correlations")
)

// Britter & McQuaid (1988) criteria, as in Crowl & Louvar (2011) ch. 5,
// "Dense Gas Dispersion": a release is dense when the criterion value
// reaches these thresholds (verify: not read from a stored copy).
const (
	// DenseContinuousCriterion: (g₀′ q₀ / (u³ D))^{1/3} ≥ 0.15, D = √(q₀/u).
	DenseContinuousCriterion = 0.15
	// DenseInstantaneousCriterion: √(g₀′ V₀^{1/3}) / u ≥ 0.20.
	DenseInstantaneousCriterion = 0.20
	// DenseContinuousDuration and DenseInstantaneousDuration bound u·R_d/x
	// (R_d release duration, x distance): continuous at or above 2.5,
	// instantaneous at or below 0.6 (Britter & McQuaid 1988; verify: taken
	// from Crowl & Louvar's procedure as remembered, not read from a stored
	// copy).
	DenseContinuousDuration    = 2.5
	DenseInstantaneousDuration = 0.6
)

// AirMolarMassGMol is the molar mass of dry air, g/mol (U.S. Standard
// Atmosphere 1976: 28.9644), for the ambient density by GasDensityKgM3.
const AirMolarMassGMol = 28.9644

const (
	denseGravity     = 9.80665     // m/s², standard gravity (3rd CGPM, 1901)
	denseGasConstant = 8.314462618 // J/(mol·K), CODATA 2018
	denseAlphaMax    = 1.0         // the fits end at α = 1 (CCPS 1999 p. 118)
)

// DenseRelease is a ground-level release of a gas denser than air for the
// Britter–McQuaid workbook correlations. Exactly one of RateM3S (a
// continuous plume) and VolumeM3 (an instantaneous puff) is set. Volumes are
// of the pure gas at DensityKgM3; the initial concentration C₀ is the pure
// gas (volume fraction 1).
//
// The correlations are for isothermal releases. For a cold release (LNG,
// refrigerated NH₃ or Cl₂) set both temperatures: a volume fraction C is
// then looked up as C* = C / (C + (1 − C)·Tₐ/T₀) (Crowl & Louvar 2011, the
// non-isothermal correction of the dense-gas section). A rate in g/s at
// ambient temperature gives RateM3S = rate/1000/ρ₀ with ρ₀ from
// GasDensityKgM3. A DenseRelease is a value, safe for concurrent use.
type DenseRelease struct {
	RateM3S            float64 // continuous: gas volume rate q₀, m³/s at DensityKgM3; 0 for a puff
	VolumeM3           float64 // instantaneous: gas volume V₀, m³ at DensityKgM3; 0 for a plume
	DensityKgM3        float64 // released gas density ρ₀, kg/m³, > ambient for a dense cloud
	AmbientDensityKgM3 float64 // air density ρₐ, kg/m³, > 0
	WindMS             float64 // wind speed u at 10 m, m/s, > 0
	// ReleaseTemperatureK and AmbientTemperatureK are T₀ and Tₐ, K; both 0
	// for an isothermal release.
	ReleaseTemperatureK, AmbientTemperatureK float64
}

// Validate checks the release: one mode, positive finite densities and wind,
// temperatures both set or both zero.
func (r DenseRelease) Validate() error {
	pos := func(v float64) bool { return v > 0 && !math.IsInf(v, 1) }
	switch {
	case !(r.RateM3S >= 0) || !(r.VolumeM3 >= 0) || (r.RateM3S > 0) == (r.VolumeM3 > 0) ||
		math.IsInf(r.RateM3S+r.VolumeM3, 1):
		return fmt.Errorf("%w: rate %g m³/s, volume %g m³ (want exactly one > 0, finite)", ErrInput, r.RateM3S, r.VolumeM3)
	case !pos(r.DensityKgM3) || !pos(r.AmbientDensityKgM3):
		return fmt.Errorf("%w: density %g, ambient %g kg/m³ (want > 0, finite)", ErrInput, r.DensityKgM3, r.AmbientDensityKgM3)
	case !pos(r.WindMS):
		return fmt.Errorf("%w: wind %g m/s (want > 0, finite)", ErrInput, r.WindMS)
	case !(r.ReleaseTemperatureK == 0 && r.AmbientTemperatureK == 0) &&
		!(pos(r.ReleaseTemperatureK) && pos(r.AmbientTemperatureK)):
		return fmt.Errorf("%w: temperatures %g, %g K (want both > 0 or both 0)", ErrInput, r.ReleaseTemperatureK, r.AmbientTemperatureK)
	}
	return nil
}

// Instantaneous reports whether r is a puff (VolumeM3 set).
func (r DenseRelease) Instantaneous() bool { return r.VolumeM3 > 0 }

// ReducedGravity returns g₀′ = g (ρ₀ − ρₐ)/ρₐ, m/s².
func (r DenseRelease) ReducedGravity() float64 {
	return denseGravity * (r.DensityKgM3 - r.AmbientDensityKgM3) / r.AmbientDensityKgM3
}

// ScaleM returns the length the distances are scaled by: D = √(q₀/u) for a
// plume, V₀^{1/3} for a puff.
func (r DenseRelease) ScaleM() float64 {
	if r.Instantaneous() {
		return math.Cbrt(r.VolumeM3)
	}
	return math.Sqrt(r.RateM3S / r.WindMS)
}

// Criterion returns the Britter–McQuaid dense-gas criterion value and
// whether it reaches the threshold: (g₀′ q₀/(u³ D))^{1/3} against
// DenseContinuousCriterion for a plume, √(g₀′ V₀^{1/3})/u against
// DenseInstantaneousCriterion for a puff. The value is 0 for a gas not
// denser than air.
func (r DenseRelease) Criterion() (dense bool, value float64, err error) {
	if err := r.Validate(); err != nil {
		return false, 0, err
	}
	g, u := r.ReducedGravity(), r.WindMS
	if g <= 0 {
		return false, 0, nil
	}
	if r.Instantaneous() {
		value = math.Sqrt(g*r.ScaleM()) / u
		return value >= DenseInstantaneousCriterion, value, nil
	}
	value = math.Cbrt(g * r.RateM3S / (u * u * u * r.ScaleM()))
	return value >= DenseContinuousCriterion, value, nil
}

// Alpha returns the workbook's dimensionless source parameter, the abscissa
// of its figures: α = 0.2 log₁₀(g₀′² q₀/u⁵) for a plume, α = 0.5
// log₁₀(g₀′ V₀^{1/3}/u²) for a puff (Crowl & Louvar 2011, Figures 5-13 and
// 5-14). It equals 1.2 log₁₀ and log₁₀ of the criterion value respectively,
// so the dense threshold is α ≥ −0.989 (plume) and α ≥ −0.699 (puff).
func (r DenseRelease) Alpha() (float64, error) {
	dense, v, err := r.Criterion()
	switch {
	case err != nil:
		return 0, err
	case v == 0:
		return 0, fmt.Errorf("%w: gas density %g ≤ ambient %g kg/m³", ErrNotDense, r.DensityKgM3, r.AmbientDensityKgM3)
	case !dense:
		return 0, fmt.Errorf("%w: criterion %.3g below %g", ErrNotDense, v, r.threshold())
	}
	if r.Instantaneous() {
		return math.Log10(v), nil
	}
	return 1.2 * math.Log10(v), nil
}

func (r DenseRelease) threshold() float64 {
	if r.Instantaneous() {
		return DenseInstantaneousCriterion
	}
	return DenseContinuousCriterion
}

// DistanceM returns the downwind distance, m, at which the mean centreline
// concentration falls to volume fraction c (0.01 = 1 %vol). See Curve.
func (r DenseRelease) DistanceM(c float64) (float64, error) {
	k, err := r.Curve()
	if err != nil {
		return 0, err
	}
	return k.DistanceM(c)
}

// ConcentrationAt returns the mean centreline volume fraction at downwind
// distance xM. See Curve.
func (r DenseRelease) ConcentrationAt(xM float64) (float64, error) {
	k, err := r.Curve()
	if err != nil {
		return 0, err
	}
	return k.ConcentrationAt(xM)
}

// GasDensityKgM3 returns the ideal-gas density ρ = P M/(R T), kg/m³, of a
// gas of molar mass molarMassGMol (g/mol) at temperatureK and pressurePa.
func GasDensityKgM3(molarMassGMol, temperatureK, pressurePa float64) (float64, error) {
	if !(molarMassGMol > 0) || !(temperatureK > 0) || !(pressurePa > 0) ||
		math.IsInf(molarMassGMol+temperatureK+pressurePa, 1) {
		return 0, fmt.Errorf("%w: molar mass %g g/mol, %g K, %g Pa (want > 0, finite)", ErrInput, molarMassGMol, temperatureK, pressurePa)
	}
	return pressurePa * molarMassGMol / 1000 / (denseGasConstant * temperatureK), nil
}

// DenseKind is how the workbook treats a release of finite duration at a
// given distance.
type DenseKind int

// The release kinds of DenseKindAt.
const (
	DenseContinuous    DenseKind = iota + 1 // u·R_d/x ≥ 2.5: use the plume correlations
	DenseInstantaneous                      // u·R_d/x ≤ 0.6: use the puff correlations
	DenseIntermediate                       // in between: evaluate both (see DenseKindAt)
)

// DenseKindAt classifies a release lasting durationS seconds, as seen at
// downwind distance xM in wind windMS, by u·R_d/x (DenseContinuousDuration,
// DenseInstantaneousDuration). In the intermediate range the workbook has
// both correlations evaluated and one chosen (verify which: the
// conservative choice for emergency zones is the higher concentration).
func DenseKindAt(windMS, durationS, xM float64) (DenseKind, error) {
	if !(windMS > 0) || !(durationS > 0) || !(xM > 0) || math.IsInf(windMS+durationS+xM, 1) {
		return 0, fmt.Errorf("%w: wind %g m/s, duration %g s, distance %g m (want > 0, finite)", ErrInput, windMS, durationS, xM)
	}
	switch s := windMS * durationS / xM; {
	case s >= DenseContinuousDuration:
		return DenseContinuous, nil
	case s <= DenseInstantaneousDuration:
		return DenseInstantaneous, nil
	}
	return DenseIntermediate, nil
}

// DenseCurve is a dense release's centreline concentration against downwind
// distance: the workbook's curve for each tabulated ratio Cm/C₀ evaluated at
// the release's α gives β = log₁₀(x/ScaleM) for that ratio, and between two
// adjacent ratios the ratio is linear in β (the interpolation of the CCPS
// 1999 p. 122 worked example, between its 0.02 and 0.01 curves: it is the
// interpolation that reproduces the book's 367 m). Left of each curve's
// first break the fits are flat: the curves level off to the passive limit
// as α falls toward the dense threshold. Nothing is extrapolated:
// nearer than NearM and beyond FarM the curve is undefined. A DenseCurve is
// a value, safe for concurrent use.
type DenseCurve struct {
	Alpha  float64 // source parameter α (DenseRelease.Alpha)
	ScaleM float64 // length scale, m (DenseRelease.ScaleM)
	// NearM and FarM are the distances, m, where the curve starts (Cm/C₀ =
	// 0.1) and ends (0.002 plume, 0.001 puff); HighFraction and LowFraction
	// are the volume fractions there, after the non-isothermal correction.
	NearM, FarM               float64
	HighFraction, LowFraction float64

	n     int
	ratio [7]float64 // Cm/C₀ of each curve, descending
	beta  [7]float64 // β of each curve at Alpha, ascending
	k     float64    // Tₐ/T₀; 1 when isothermal
}

// Curve evaluates the workbook's curves at the release's α. It fails with
// ErrNotDense below the dense-gas criterion and with ErrDenseRange for
// α > 1, where the fits end.
func (r DenseRelease) Curve() (DenseCurve, error) {
	a, err := r.Alpha()
	if err != nil {
		return DenseCurve{}, err
	}
	if a > denseAlphaMax {
		return DenseCurve{}, fmt.Errorf("%w: α = %.3f > %g (too dense or too little wind for the fits)", ErrDenseRange, a, denseAlphaMax)
	}
	fits := densePlumeFits
	if r.Instantaneous() {
		fits = densePuffFits
	}
	c := DenseCurve{Alpha: a, ScaleM: r.ScaleM(), n: len(fits), k: 1}
	if r.ReleaseTemperatureK > 0 {
		c.k = r.AmbientTemperatureK / r.ReleaseTemperatureK
	}
	for i, f := range fits {
		c.ratio[i], c.beta[i] = f.ratio, f.at(a)
	}
	c.NearM, c.FarM = c.ScaleM*math.Pow(10, c.beta[0]), c.ScaleM*math.Pow(10, c.beta[c.n-1])
	c.HighFraction, c.LowFraction = c.fraction(c.ratio[0]), c.fraction(c.ratio[c.n-1])
	return c, nil
}

// denseSlack absorbs rounding at the ends of a curve, so that DistanceM
// (HighFraction) and ConcentrationAt(FarM) answer.
const denseSlack = 1e-9

// DistanceM returns the downwind distance, m, at which the mean centreline
// volume fraction falls to frac (0 < frac < 1). It fails with ErrDenseRange
// outside [LowFraction, HighFraction]. It does not allocate.
func (c DenseCurve) DistanceM(frac float64) (float64, error) {
	if !(frac > 0 && frac < 1) {
		return 0, fmt.Errorf("%w: volume fraction %g (want 0 < c < 1)", ErrInput, frac)
	}
	rs := frac / (frac + (1-frac)*c.k) // Crowl & Louvar's C*: the isothermal equivalent
	lo, hi := c.ratio[c.n-1], c.ratio[0]
	if rs > hi*(1+denseSlack) || rs < lo*(1-denseSlack) {
		return 0, fmt.Errorf("%w: volume fraction %g outside %.4g–%.4g", ErrDenseRange, frac, c.LowFraction, c.HighFraction)
	}
	rs = min(max(rs, lo), hi)
	i := 0
	for rs < c.ratio[i+1] {
		i++
	}
	t := (rs - c.ratio[i]) / (c.ratio[i+1] - c.ratio[i])
	return c.ScaleM * math.Pow(10, c.beta[i]+t*(c.beta[i+1]-c.beta[i])), nil
}

// ConcentrationAt returns the mean centreline volume fraction at downwind
// distance xM, the inverse of DistanceM. It fails with ErrDenseRange outside
// [NearM, FarM]. It does not allocate.
func (c DenseCurve) ConcentrationAt(xM float64) (float64, error) {
	if !(xM > 0) || math.IsInf(xM, 1) {
		return 0, fmt.Errorf("%w: distance %g m (want > 0, finite)", ErrInput, xM)
	}
	b := math.Log10(xM / c.ScaleM)
	lo, hi := c.beta[0], c.beta[c.n-1]
	if b < lo-denseSlack || b > hi+denseSlack {
		return 0, fmt.Errorf("%w: distance %.4g m outside %.4g–%.4g m", ErrDenseRange, xM, c.NearM, c.FarM)
	}
	b = min(max(b, lo), hi)
	i := 0
	for b > c.beta[i+1] {
		i++
	}
	t := 0.0
	if d := c.beta[i+1] - c.beta[i]; d > 0 {
		t = (b - c.beta[i]) / d
	}
	return c.fraction(c.ratio[i] + t*(c.ratio[i+1]-c.ratio[i])), nil
}

// fraction undoes the non-isothermal correction: the volume fraction whose
// isothermal equivalent is rs, C = rs k/(1 − rs + rs k).
func (c DenseCurve) fraction(rs float64) float64 {
	return rs * c.k / (1 - rs + rs*c.k)
}

// denseFit is one curve of the workbook, Cm/C₀ = ratio, as straight
// segments β = slope·α + icept, each for α up to its upto (and above the
// previous segment's).
type denseFit struct {
	ratio float64
	segs  []denseSegment
}

type denseSegment struct{ upto, slope, icept float64 }

// at returns β at α ≤ denseAlphaMax.
func (f denseFit) at(a float64) float64 {
	for _, s := range f.segs[:len(f.segs)-1] {
		if a <= s.upto {
			return s.slope*a + s.icept
		}
	}
	s := f.segs[len(f.segs)-1]
	return s.slope*a + s.icept
}

// densePlumeFits: continuous releases, α = 0.2 log₁₀(g₀′² q₀/u⁵),
// β = log₁₀(x/√(q₀/u)). CCPS (1999) p. 118, reprinted by Crowl & Louvar
// (2011) as the equations approximating Figure 5-13; identical in TSCREEN
// (EPA-454/B-94-023). Cross-checked against the digitisation in
// GasDispersion.jl (A. E. Farrell, src/utils/britter_mcquaid_correls.jl).
var densePlumeFits = []denseFit{
	{0.10, []denseSegment{{-0.55, 0, 1.75}, {-0.14, 0.24, 1.88}, {1, -0.50, 1.78}}},
	{0.05, []denseSegment{{-0.68, 0, 1.92}, {-0.29, 0.36, 2.16}, {-0.18, 0, 2.06}, {1, -0.56, 1.96}}},
	{0.02, []denseSegment{{-0.69, 0, 2.08}, {-0.31, 0.45, 2.39}, {-0.16, 0, 2.25}, {1, -0.54, 2.16}}},
	{0.01, []denseSegment{{-0.70, 0, 2.25}, {-0.29, 0.49, 2.59}, {-0.20, 0, 2.45}, {1, -0.52, 2.35}}},
	{0.005, []denseSegment{{-0.67, 0, 2.40}, {-0.28, 0.59, 2.80}, {-0.15, 0, 2.63}, {1, -0.48, 2.56}}},
	{0.002, []denseSegment{{-0.69, 0, 2.60}, {-0.25, 0.39, 2.87}, {-0.13, 0, 2.77}, {1, -0.50, 2.71}}},
}

// densePuffFits: instantaneous releases, α = 0.5 log₁₀(g₀′ V₀^{1/3}/u²),
// β = log₁₀(x/V₀^{1/3}). CCPS (1999) p. 118, reprinted by Crowl & Louvar
// (2011) as the equations approximating Figure 5-14 (the puff figure adds a
// 0.001 curve); cross-checked as densePlumeFits.
var densePuffFits = []denseFit{
	{0.10, []denseSegment{{-0.44, 0, 0.70}, {0.43, 0.26, 0.81}, {1, 0, 0.93}}},
	{0.05, []denseSegment{{-0.56, 0, 0.85}, {0.31, 0.26, 1.00}, {1, -0.12, 1.12}}},
	{0.02, []denseSegment{{-0.66, 0, 0.95}, {0.32, 0.36, 1.19}, {1, -0.26, 1.38}}},
	{0.01, []denseSegment{{-0.71, 0, 1.15}, {0.37, 0.34, 1.39}, {1, -0.38, 1.66}}},
	{0.005, []denseSegment{{-0.52, 0, 1.48}, {0.24, 0.26, 1.62}, {1, -0.30, 1.75}}},
	{0.002, []denseSegment{{0.27, 0, 1.83}, {1, -0.32, 1.92}}},
	{0.001, []denseSegment{{-0.10, 0, 2.075}, {1, -0.27, 2.05}}},
}
