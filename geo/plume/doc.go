// Package plume holds the atmospheric dispersion models chemtwin draws threat
// zones with, as ALOHA and the textbooks do them: the Gaussian plume with
// ground reflection, the Gaussian puff, the finite-duration (erf) correction,
// named dispersion-coefficient (σ) sets, the Pasquill stability table with
// Turner's insolation classes, the wind power law, Briggs plume rise, the
// centreline threat-zone search, threat zones on a raster with ALOHA's
// wind-direction confidence lines (ThreatZones), source estimation from
// detector readings (EstimateSource, with Widened for a unit's wake and the
// wind direction's spread), the Britter–McQuaid dense-gas correlations
// (DenseRelease, DenseCurve) and the release models ALOHA offers: liquid
// through a hole in a tank (LiquidHole, Bernoulli with Cd 0.61, draining),
// gas through a hole (GasHole, choked and unchoked) and puddle evaporation
// (Puddle, Kawamura–Mackay mass transfer), with Antoine vapour pressures.
//
// Units are plant-neutral SI throughout: rates in g/s, masses in g, wind in
// m/s, lengths in metres, times in seconds, concentrations in g/m³ (convert
// ppm at the caller). Geometry is the local dispersion frame: x downwind from
// the source, y crosswind (positive to the left of the wind), z up from the
// ground; the caller rotates it into the plant frame.
//
// Every function is pure; every value type is safe for concurrent use once
// built. Bad input returns an error wrapping one of the sentinels below, never
// a panic.
//
// Sources: D. B. Turner, Workbook of Atmospheric Dispersion Estimates (1970);
// D. A. Crowl and J. F. Louvar, Chemical Process Safety (3rd ed. 2011) ch. 5;
// CCPS, Guidelines for Consequence Analysis of Chemical Releases (1999);
// EPA-454/B-95-003b, User's Guide for the ISC3 Dispersion Models, Vol. II
// (1995); G. A. Briggs, Diffusion Estimation for Small Emissions (1973) and
// Plume Rise Predictions (1975); EPA-454/R-99-005, Meteorological Monitoring
// Guidance for Regulatory Modeling Applications (2000) and U.S. NRC
// Regulatory Guide 1.23 (1972) for σθ by class; R. E. Britter and
// J. McQuaid, Workbook on the Dispersion of Dense Gases (HSE CRR 17/1988);
// P. I. Kawamura and D. Mackay, J. Hazardous Materials 15 (1987) 343.
package plume

import "errors"

// Sentinel errors; every error returned by this package wraps one of them
// (or ErrNotDense / ErrDenseRange of the dense-gas model, dense.go).
var (
	// ErrInput reports a non-physical or non-finite argument (u ≤ 0, x ≤ 0, NaN…).
	ErrInput = errors.New("plume: invalid input")
	// ErrStability reports an unknown Pasquill stability class.
	ErrStability = errors.New("plume: unknown stability class")
	// ErrSigmaSet reports an unknown σ set name.
	ErrSigmaSet = errors.New("plume: unknown sigma set")
	// ErrNoFit reports a source estimation with nothing to fit: no reading
	// at or above the detection limit, or no candidate that explains them.
	ErrNoFit = errors.New("plume: no source fits the readings")
)
