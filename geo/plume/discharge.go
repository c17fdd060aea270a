package plume

import (
	"fmt"
	"math"
)

// Release (source-term) models: how fast material leaves its containment,
// as ALOHA's tank and puddle sources do it. Rates are in kg/s (multiply by
// 1000 for Plume.RateGS); pressures in Pa, temperatures in K, molar masses in
// g/mol as in the substance library.
//
// Sources: D. A. Crowl and J. F. Louvar, Chemical Process Safety, 3rd ed.
// (2011), ch. 4 "Source Models" §4-2 (liquid through a hole), §4-3 (liquid
// through a hole in a tank), §4-5 (gases through holes) and ch. 3 (evaporation
// of a volatile liquid) — equation numbers are the 3rd edition's as recalled
// (verify against the printed page); S. Kawamura and D. Mackay, "The
// evaporation of volatile liquids", J. Hazardous Materials 15 (1987) 343–364,
// after D. Mackay and R. S. Matsugu, Can. J. Chem. Eng. 51 (1973) 434–439;
// R. M. Reynolds, ALOHA 5.0 Theoretical Description (NOAA TM NOS ORCA-65,
// 1992) for ALOHA's high-volatility correction. ALOHA's 2013 technical
// documentation (NOAA TM NOS OR&R 43) was not at hand: its puddle adds a heat
// budget (ground, sun, boiling) that is not modelled here.

const (
	releaseGravity        = 9.80665     // m/s², standard gravity (3rd CGPM, 1901)
	releaseGasConstant    = 8.314462618 // J/(mol·K), CODATA 2018
	releaseAtmospherePa   = 101325      // Pa, standard atmosphere (ISO 2533)
	releaseWaterMolarGMol = 18.015      // g/mol, water, the reference liquid below
)

// Discharge coefficients.
const (
	// LiquidCd is the discharge coefficient of liquid through a sharp-edged
	// hole at Reynolds numbers above 30 000 (Crowl & Louvar 2011 §4-2:
	// "C0 ≈ 0.61").
	LiquidCd = 0.61
	// GasCd is the discharge coefficient for gas through a hole. Crowl &
	// Louvar (2011 §4-5) give 0.61 for sharp-edged holes in subsonic flow
	// but note that it rises towards 1 as the flow chokes, and recommend the
	// conservative 1.0 for choked flow and wherever C0 is uncertain; their
	// worked gas example (Example 4-5) uses 1.0. GasHole uses 1.0 by default
	// so that the rate is continuous at the choking ratio; set Cd = 0.61 for
	// a sharp-edged hole in subsonic flow.
	GasCd = 1.0
)

// LiquidHole is liquid leaking through a hole below the liquid surface of a
// tank, or from a pipe held at pressure: Bernoulli flow with a discharge
// coefficient (Crowl & Louvar 2011 eqs. 4-6 and 4-18):
//
//	Qm = ρ Cd A √(2 Pg/ρ + 2 g hL)
//
// With a tank cross-section At the head falls as the tank drains and the
// rate falls linearly in time (eq. 4-20):
//
//	Qm(t) = ρ Cd A √(2 Pg/ρ + 2 g hL⁰) − ρ g Cd² A² t / At
//
// until the liquid reaches the hole at the drain time (eq. 4-21)
//
//	te = At/(Cd g A) · [√(2 Pg/ρ + 2 g hL⁰) − √(2 Pg/ρ)];
//
// from then on no liquid leaves (gas does, through the same hole: model it as
// a GasHole). The gauge pressure above the liquid is held (a padded or vented
// tank), the cross-section is constant (a vertical cylinder; for a sphere give
// the area at the current level and keep the duration short) and the liquid
// does not flash in the hole. A LiquidHole is a value, safe for concurrent use.
type LiquidHole struct {
	HoleDiameterM float64 // hole diameter, m, > 0
	// Cd is the discharge coefficient, 0 < Cd ≤ 1; 0 means LiquidCd.
	Cd              float64
	DensityKgM3     float64 // liquid density ρ, kg/m³, > 0
	GaugePressurePa float64 // gauge pressure above the liquid Pg, Pa, ≥ 0
	HeadM           float64 // liquid height above the hole hL⁰, m, ≥ 0
	// TankAreaM2 is the tank's horizontal cross-section At, m², larger than
	// the hole. 0 means a constant head (a pipeline held at pressure, or a
	// tank so large that its level does not move): the rate never falls and
	// DrainTimeS is +Inf.
	TankAreaM2 float64
}

// liquidFlow is a LiquidHole reduced to Qm(t) = rhoCdA · (v0 − k t) while
// v0 − k t > vp.
type liquidFlow struct {
	rhoCdA float64 // ρ Cd A, kg/m
	v0, vp float64 // √(2Pg/ρ + 2g hL⁰) and √(2Pg/ρ), m/s
	k      float64 // g Cd A/At, m/s², the fall of v per second; 0 = constant head
}

func (l LiquidHole) flow() (liquidFlow, error) {
	cd := l.Cd
	if cd == 0 {
		cd = LiquidCd
	}
	switch {
	case !(l.HoleDiameterM > 0) || math.IsInf(l.HoleDiameterM, 1):
		return liquidFlow{}, fmt.Errorf("%w: hole diameter %g m (want > 0, finite)", ErrInput, l.HoleDiameterM)
	case !(cd > 0 && cd <= 1):
		return liquidFlow{}, fmt.Errorf("%w: discharge coefficient %g (want 0 < Cd ≤ 1)", ErrInput, l.Cd)
	case !(l.DensityKgM3 > 0) || math.IsInf(l.DensityKgM3, 1):
		return liquidFlow{}, fmt.Errorf("%w: density %g kg/m³ (want > 0, finite)", ErrInput, l.DensityKgM3)
	case !(l.GaugePressurePa >= 0) || math.IsInf(l.GaugePressurePa, 1):
		return liquidFlow{}, fmt.Errorf("%w: gauge pressure %g Pa (want ≥ 0, finite)", ErrInput, l.GaugePressurePa)
	case !(l.HeadM >= 0) || math.IsInf(l.HeadM, 1):
		return liquidFlow{}, fmt.Errorf("%w: head %g m (want ≥ 0, finite)", ErrInput, l.HeadM)
	case !(l.TankAreaM2 >= 0) || math.IsInf(l.TankAreaM2, 1):
		return liquidFlow{}, fmt.Errorf("%w: tank area %g m² (want ≥ 0, finite; 0 = constant head)", ErrInput, l.TankAreaM2)
	}
	a := math.Pi / 4 * l.HoleDiameterM * l.HoleDiameterM
	if l.TankAreaM2 > 0 && !(l.TankAreaM2 > a) {
		return liquidFlow{}, fmt.Errorf("%w: tank area %g m² not larger than the hole's %g m²", ErrInput, l.TankAreaM2, a)
	}
	vp2 := 2 * l.GaugePressurePa / l.DensityKgM3
	f := liquidFlow{rhoCdA: l.DensityKgM3 * cd * a,
		v0: math.Sqrt(vp2 + 2*releaseGravity*l.HeadM), vp: math.Sqrt(vp2)}
	if l.TankAreaM2 > 0 {
		f.k = releaseGravity * cd * a / l.TankAreaM2
	}
	if !(a > 0) || (l.TankAreaM2 > 0 && !(f.k > 0)) || !finite(f.rhoCdA*f.v0) || (f.k > 0 && !finite(f.drainS())) {
		return liquidFlow{}, fmt.Errorf("%w: liquid hole %+v out of floating-point range", ErrInput, l)
	}
	return f, nil
}

// Validate checks the hole, the liquid and the tank.
func (l LiquidHole) Validate() error {
	_, err := l.flow()
	return err
}

// RateKgS returns the initial mass rate, kg/s.
func (l LiquidHole) RateKgS() (float64, error) {
	return l.RateAtKgS(0)
}

// RateAtKgS returns the mass rate tS seconds after the hole opened, kg/s: 0
// from the drain time on.
func (l LiquidHole) RateAtKgS(tS float64) (float64, error) {
	f, err := l.flow()
	if err != nil {
		return 0, err
	}
	if !(tS >= 0) || math.IsInf(tS, 1) {
		return 0, fmt.Errorf("%w: time %g s (want ≥ 0, finite)", ErrInput, tS)
	}
	return f.rateAt(tS), nil
}

func (f liquidFlow) rateAt(tS float64) float64 {
	if f.k == 0 {
		return f.rhoCdA * f.v0
	}
	if v := f.v0 - f.k*tS; v > f.vp {
		return f.rhoCdA * v
	}
	return 0
}

// DrainTimeS returns the time for the liquid to fall to the hole, s (eq.
// 4-21); +Inf with no tank area (a constant head) unless nothing flows.
func (l LiquidHole) DrainTimeS() (float64, error) {
	f, err := l.flow()
	if err != nil {
		return 0, err
	}
	return f.drainS(), nil
}

func (f liquidFlow) drainS() float64 {
	switch {
	case f.k == 0 && f.v0 > 0:
		return math.Inf(1)
	case f.k == 0 || f.v0 <= f.vp:
		return 0
	}
	return (f.v0 - f.vp) / f.k
}

// MassReleasedKg returns the mass of liquid released in the first durationS
// seconds, kg: the integral of RateAtKgS, ρ Cd A (v₀τ − kτ²/2) with τ the
// duration capped at the drain time; at or after the drain time it is the
// liquid above the hole, ρ At hL⁰.
func (l LiquidHole) MassReleasedKg(durationS float64) (float64, error) {
	f, err := l.flow()
	if err != nil {
		return 0, err
	}
	if !(durationS >= 0) || math.IsInf(durationS, 1) {
		return 0, fmt.Errorf("%w: duration %g s (want ≥ 0, finite)", ErrInput, durationS)
	}
	tau := math.Min(durationS, f.drainS())
	return math.Max(0, f.rhoCdA*tau*(f.v0-f.k*tau/2)), nil
}

// GasHole is an ideal gas escaping through a hole from a vessel at absolute
// pressure P₀ and temperature T₀ into ambient pressure Pa, with isentropic
// expansion through the hole (Crowl & Louvar 2011 §4-5). The flow is choked
// (sonic in the hole, independent of Pa) when
//
//	Pa/P₀ ≤ (2/(γ+1))^(γ/(γ−1)),
//
// and then
//
//	Qm = Cd A P₀ √(γ M/(R T₀) · (2/(γ+1))^((γ+1)/(γ−1)));
//
// otherwise, with r = Pa/P₀,
//
//	Qm = Cd A P₀ √(2 M/(R T₀) · γ/(γ−1) · [r^(2/γ) − r^((γ+1)/γ)]).
//
// The two meet at the choking ratio. The rate is the instantaneous one at P₀
// and T₀ (the vessel does not depressurise here). A GasHole is a value, safe
// for concurrent use.
type GasHole struct {
	HoleDiameterM float64 // hole diameter, m, > 0
	// Cd is the discharge coefficient, 0 < Cd ≤ 1; 0 means GasCd (1.0).
	Cd            float64
	Gamma         float64 // ratio of specific heats γ = cp/cv, 1 < γ ≤ 5/3
	MolarMassGMol float64 // molar mass M, g/mol, > 0
	PressurePa    float64 // upstream absolute pressure P₀, Pa, > 0
	TempK         float64 // upstream temperature T₀, K, > 0
	// AmbientPressurePa is the absolute pressure outside the hole, Pa;
	// 0 means the standard atmosphere, 101 325 Pa.
	AmbientPressurePa float64
}

// gammaMax is the largest γ of an ideal gas, 5/3 (monatomic, kinetic
// theory); it bounds the input.
const gammaMax = 5.0 / 3

// Validate checks the hole, the gas and the pressures.
func (g GasHole) Validate() error {
	_, err := g.RateKgS()
	return err
}

// Choked reports whether the flow is choked (sonic) at the hole. It is
// meaningful only for a GasHole that validates.
func (g GasHole) Choked() bool {
	return g.ambientPa() <= g.PressurePa*g.criticalRatio()
}

// criticalRatio returns the choking pressure ratio (2/(γ+1))^(γ/(γ−1)) of
// the gas: 0.528 for γ = 1.4.
func (g GasHole) criticalRatio() float64 {
	return math.Pow(2/(g.Gamma+1), g.Gamma/(g.Gamma-1))
}

func (g GasHole) ambientPa() float64 {
	if g.AmbientPressurePa == 0 {
		return releaseAtmospherePa
	}
	return g.AmbientPressurePa
}

// RateKgS returns the mass rate, kg/s; 0 when the vessel is not above the
// ambient pressure.
func (g GasHole) RateKgS() (float64, error) {
	cd := g.Cd
	if cd == 0 {
		cd = GasCd
	}
	pa := g.ambientPa()
	switch {
	case !(g.HoleDiameterM > 0) || math.IsInf(g.HoleDiameterM, 1):
		return 0, fmt.Errorf("%w: hole diameter %g m (want > 0, finite)", ErrInput, g.HoleDiameterM)
	case !(cd > 0 && cd <= 1):
		return 0, fmt.Errorf("%w: discharge coefficient %g (want 0 < Cd ≤ 1)", ErrInput, g.Cd)
	case !(g.Gamma > 1 && g.Gamma <= gammaMax):
		return 0, fmt.Errorf("%w: γ %g (want 1 < γ ≤ 5/3)", ErrInput, g.Gamma)
	case !(g.MolarMassGMol > 0) || math.IsInf(g.MolarMassGMol, 1):
		return 0, fmt.Errorf("%w: molar mass %g g/mol (want > 0, finite)", ErrInput, g.MolarMassGMol)
	case !(g.PressurePa > 0) || math.IsInf(g.PressurePa, 1):
		return 0, fmt.Errorf("%w: pressure %g Pa (want > 0, finite, absolute)", ErrInput, g.PressurePa)
	case !(g.TempK > 0) || math.IsInf(g.TempK, 1):
		return 0, fmt.Errorf("%w: temperature %g K (want > 0, finite)", ErrInput, g.TempK)
	case !(pa > 0) || math.IsInf(pa, 1):
		return 0, fmt.Errorf("%w: ambient pressure %g Pa (want > 0, finite; 0 = 101325)", ErrInput, g.AmbientPressurePa)
	}
	gm := g.Gamma
	a := math.Pi / 4 * g.HoleDiameterM * g.HoleDiameterM
	mrt := g.MolarMassGMol / 1000 / (releaseGasConstant * g.TempK) // M/(R T₀), s²/m²
	var q float64
	switch r := pa / g.PressurePa; {
	case r >= 1:
		q = 0
	case g.Choked():
		q = cd * a * g.PressurePa * math.Sqrt(gm*mrt*math.Pow(2/(gm+1), (gm+1)/(gm-1)))
	default:
		bracket := math.Max(0, math.Pow(r, 2/gm)-math.Pow(r, (gm+1)/gm))
		q = cd * a * g.PressurePa * math.Sqrt(2*mrt*gm/(gm-1)*bracket)
	}
	if !(a > 0) || !finite(q) {
		return 0, fmt.Errorf("%w: gas hole %+v out of floating-point range", ErrInput, g)
	}
	return q, nil
}

// Puddle is a pool of volatile liquid evaporating into the wind, as ALOHA's
// puddle source without the heat budget: the evaporation flux is a mass-
// transfer coefficient times the saturated vapour concentration (Crowl &
// Louvar 2011 eq. 3-14; Kawamura & Mackay 1987),
//
//	Qm = Km A M Psat/(R TL),
//
// with Km from the Mackay–Matsugu wind correlation in Kawamura & Mackay's SI
// form (their "simple model"),
//
//	Km = 0.0048 u^(7/9) d^(−1/9) Sc^(−2/3)   (m/s; u in m/s, d in m),
//
// d the pool diameter √(4A/π), Sc the vapour's Schmidt number in air; or a
// coefficient the caller gives (MassTransferMS, e.g. from
// MassTransferFromWaterMS for still air). With HighVolatility the flux is
// multiplied by Brighton's correction for a vapour pressure that is not small
// next to the ambient pressure, −(Pa/Psat) ln(1 − Psat/Pa), as ALOHA does
// (Reynolds 1992, NOAA TM NOS ORCA-65; Brighton 1985, 1990). The pool's
// temperature is given (no heat budget, so no boiling pool: Psat < Pa). A
// Puddle is a value, safe for concurrent use.
type Puddle struct {
	AreaM2 float64 // pool area A, m², > 0
	// WindMS is the wind speed u, m/s, > 0 unless MassTransferMS is set: the
	// 10 m wind, the reference height of Mackay & Matsugu's data (verify).
	WindMS           float64
	TempK            float64 // liquid temperature TL, K, > 0
	VapourPressurePa float64 // saturation vapour pressure Psat at TL, Pa, > 0
	MolarMassGMol    float64 // molar mass M, g/mol, > 0
	// SchmidtNumber is the vapour's Schmidt number in air, Sc = ν/D; 0
	// estimates it as ν_air/D with D from water's diffusivity by Graham's
	// law (see SchmidtEstimate).
	SchmidtNumber float64
	// MassTransferMS is the mass-transfer coefficient Km, m/s; 0 computes it
	// from the wind by the Mackay–Matsugu correlation.
	MassTransferMS float64
	// HighVolatility applies Brighton's correction (ALOHA); it requires
	// VapourPressurePa below the ambient pressure.
	HighVolatility bool
	// AmbientPressurePa is the absolute ambient pressure Pa for
	// HighVolatility, Pa; 0 means 101 325 Pa.
	AmbientPressurePa float64
}

// Kawamura & Mackay (1987), the Mackay–Matsugu (1973) correlation
// kG = 0.0292 U^0.78 X^−0.11 Sc^−0.67 (m/h, U in m/h) rewritten for m/s with
// the exponents as 7/9, 1/9, 2/3: 0.0292·3600^(−0.22) = 0.00482 ≈ 0.0048.
const (
	mackayCoefficient = 0.0048
	mackayWindExp     = 7.0 / 9
	mackayDiameterExp = -1.0 / 9
	mackaySchmidtExp  = -2.0 / 3
)

// Schmidt number estimate: Sc = ν_air / D with D = D_water·√(M_water/M)
// (Graham's law, as in Thibodeaux, Chemodynamics, 1979). ν_air = 1.5×10⁻⁵
// m²/s is air near 15 °C (CRC Handbook: 1.48×10⁻⁵ at 15 °C, 1.52×10⁻⁵ at
// 20 °C); D_water = 2.4×10⁻⁵ m²/s is water vapour in air near 20 °C (verify:
// Thibodeaux's value recalled, not read from a stored copy).
const (
	airKinematicViscosityM2S  = 1.5e-5
	waterVapourDiffusivityM2S = 2.4e-5
)

// SchmidtEstimate returns the Schmidt number of a vapour of molar mass
// molarMassGMol in air by Graham's law relative to water vapour: about 0.63
// for water, 0.83 for methanol, 0.61 for ammonia.
func SchmidtEstimate(molarMassGMol float64) (float64, error) {
	if !(molarMassGMol > 0) || math.IsInf(molarMassGMol, 1) {
		return 0, fmt.Errorf("%w: molar mass %g g/mol (want > 0, finite)", ErrInput, molarMassGMol)
	}
	d := waterVapourDiffusivityM2S * math.Sqrt(releaseWaterMolarGMol/molarMassGMol)
	return airKinematicViscosityM2S / d, nil
}

// Crowl & Louvar (2011) ch. 3 (eq. 3-15 and the text after it): K = K₀
// (M₀/M)^(1/3) with water as the reference, K₀ = 0.83 cm/s (verify: value
// recalled from the 3rd edition, attributed there to Matthiessen 1986).
const waterMassTransferMS = 0.0083

// MassTransferFromWaterMS returns Crowl & Louvar's still-air mass-transfer
// coefficient of a liquid of molar mass molarMassGMol, m/s: water's 0.83 cm/s
// scaled by (18.015/M)^(1/3).
func MassTransferFromWaterMS(molarMassGMol float64) (float64, error) {
	if !(molarMassGMol > 0) || math.IsInf(molarMassGMol, 1) {
		return 0, fmt.Errorf("%w: molar mass %g g/mol (want > 0, finite)", ErrInput, molarMassGMol)
	}
	return waterMassTransferMS * math.Cbrt(releaseWaterMolarGMol/molarMassGMol), nil
}

// Validate checks the pool, the liquid and the wind.
func (p Puddle) Validate() error {
	_, err := p.RateKgS()
	return err
}

// CoefficientMS returns the mass-transfer coefficient Km the puddle uses,
// m/s: MassTransferMS if set, else the Mackay–Matsugu correlation.
func (p Puddle) CoefficientMS() (float64, error) {
	switch {
	case !(p.AreaM2 > 0) || math.IsInf(p.AreaM2, 1):
		return 0, fmt.Errorf("%w: pool area %g m² (want > 0, finite)", ErrInput, p.AreaM2)
	case !(p.MassTransferMS >= 0) || math.IsInf(p.MassTransferMS, 1):
		return 0, fmt.Errorf("%w: mass-transfer coefficient %g m/s (want ≥ 0, finite; 0 = from the wind)", ErrInput, p.MassTransferMS)
	case p.MassTransferMS > 0:
		return p.MassTransferMS, nil
	case !(p.WindMS > 0) || math.IsInf(p.WindMS, 1):
		return 0, fmt.Errorf("%w: wind %g m/s (want > 0, finite)", ErrInput, p.WindMS)
	case !(p.SchmidtNumber >= 0) || math.IsInf(p.SchmidtNumber, 1):
		return 0, fmt.Errorf("%w: Schmidt number %g (want ≥ 0, finite; 0 = estimate)", ErrInput, p.SchmidtNumber)
	}
	sc := p.SchmidtNumber
	if sc == 0 {
		var err error
		if sc, err = SchmidtEstimate(p.MolarMassGMol); err != nil {
			return 0, err
		}
	}
	d := math.Sqrt(4 * p.AreaM2 / math.Pi)
	return mackayCoefficient * math.Pow(p.WindMS, mackayWindExp) *
		math.Pow(d, mackayDiameterExp) * math.Pow(sc, mackaySchmidtExp), nil
}

// RateKgS returns the evaporation rate, kg/s.
func (p Puddle) RateKgS() (float64, error) {
	km, err := p.CoefficientMS()
	if err != nil {
		return 0, err
	}
	pa := p.AmbientPressurePa
	if pa == 0 {
		pa = releaseAtmospherePa
	}
	switch {
	case !(p.TempK > 0) || math.IsInf(p.TempK, 1):
		return 0, fmt.Errorf("%w: liquid temperature %g K (want > 0, finite)", ErrInput, p.TempK)
	case !(p.VapourPressurePa > 0) || math.IsInf(p.VapourPressurePa, 1):
		return 0, fmt.Errorf("%w: vapour pressure %g Pa (want > 0, finite)", ErrInput, p.VapourPressurePa)
	case !(p.MolarMassGMol > 0) || math.IsInf(p.MolarMassGMol, 1):
		return 0, fmt.Errorf("%w: molar mass %g g/mol (want > 0, finite)", ErrInput, p.MolarMassGMol)
	case !(pa > 0) || math.IsInf(pa, 1):
		return 0, fmt.Errorf("%w: ambient pressure %g Pa (want > 0, finite; 0 = 101325)", ErrInput, p.AmbientPressurePa)
	case p.HighVolatility && !(p.VapourPressurePa < pa):
		return 0, fmt.Errorf("%w: vapour pressure %g Pa at or above the ambient %g Pa: the pool boils (heat-limited, not modelled)", ErrInput, p.VapourPressurePa, pa)
	}
	q := km * p.AreaM2 * p.MolarMassGMol / 1000 * p.VapourPressurePa / (releaseGasConstant * p.TempK)
	if p.HighVolatility {
		x := p.VapourPressurePa / pa
		q *= -math.Log1p(-x) / x
	}
	if !finite(q) {
		return 0, fmt.Errorf("%w: puddle %+v out of floating-point range", ErrInput, p)
	}
	return q, nil
}

// Antoine holds Antoine vapour-pressure constants in the NIST Chemistry
// WebBook form log₁₀(P/bar) = A − B/(T/K + C). Each set is valid over the
// temperature range it was fitted on (given with the constants); outside it
// PressurePa extrapolates.
type Antoine struct{ A, B, C float64 }

// PressurePa returns the saturation vapour pressure at tempK, Pa.
func (a Antoine) PressurePa(tempK float64) (float64, error) {
	t := tempK + a.C
	if !(tempK > 0) || !(t > 0) || !finite(a.A) || !finite(a.B) || math.IsInf(tempK, 1) {
		return 0, fmt.Errorf("%w: Antoine %+v at %g K", ErrInput, a, tempK)
	}
	p := 1e5 * math.Pow(10, a.A-a.B/t)
	if !finite(p) || !(p > 0) {
		return 0, fmt.Errorf("%w: Antoine %+v at %g K out of range", ErrInput, a, tempK)
	}
	return p, nil
}
