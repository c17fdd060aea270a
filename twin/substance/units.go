package substance

import (
	"errors"
	"fmt"
	"strings"
)

// Molar volumes of an ideal gas at 101.325 kPa, L/mol (REFERENCE §6).
const (
	// MolarVolume0C is the molar volume at 0 °C (273.15 K).
	MolarVolume0C = 22.414
	// MolarVolume20C is the molar volume at 20 °C, the reference
	// condition of the Chinese OELs (GBZ 2.1-2019; REFERENCE §6: 24.055).
	MolarVolume20C = 24.055
	// MolarVolume25C is the molar volume at 25 °C, the reference condition
	// of NIOSH, AEGL and ERPG conversions (REFERENCE §6: 24.465).
	MolarVolume25C = 24.465

	// ZeroCelsiusK is 0 °C in kelvin.
	ZeroCelsiusK = 273.15
)

// PPMPerPctVol converts %vol to ppm: 1 %vol = 10 000 ppm.
const PPMPerPctVol = 1e4

// MolarVolume returns the ideal-gas molar volume at 1 atm and tempC °C,
// L/mol: 22.414 · T / 273.15 K (24.055 at 20 °C, 24.465 at 25 °C).
func MolarVolume(tempC float64) float64 {
	return MolarVolume0C * (tempC + ZeroCelsiusK) / ZeroCelsiusK
}

// PPMToMgM3 converts ppm by volume to mg/m³ for a gas of molar mass mw
// g/mol at molar volume vm L/mol: mg/m³ = ppm · MW / Vm.
func PPMToMgM3(ppm, mw, vm float64) float64 { return ppm * mw / vm }

// MgM3ToPPM converts mg/m³ to ppm by volume: ppm = mg/m³ · Vm / MW.
func MgM3ToPPM(mgM3, mw, vm float64) float64 { return mgM3 * vm / mw }

// PPMToGM3 converts ppm by volume to g/m³.
func PPMToGM3(ppm, mw, vm float64) float64 { return PPMToMgM3(ppm, mw, vm) / 1000 }

// GM3ToPPM converts g/m³ to ppm by volume, as plume models produce g/m³.
func GM3ToPPM(gM3, mw, vm float64) float64 { return MgM3ToPPM(gM3*1000, mw, vm) }

// PctVolToPPM converts %vol to ppm.
func PctVolToPPM(pct float64) float64 { return pct * PPMPerPctVol }

// PPMToPctVol converts ppm to %vol.
func PPMToPctVol(ppm float64) float64 { return ppm / PPMPerPctVol }

// PctLELToPctVol converts a fraction of the lower explosive limit, in %LEL,
// to %vol for a gas whose LEL is lelPctVol %vol.
func PctLELToPctVol(pctLEL, lelPctVol float64) float64 { return pctLEL / 100 * lelPctVol }

// PctVolToPctLEL converts %vol to %LEL for a gas whose LEL is lelPctVol.
func PctVolToPctLEL(pctVol, lelPctVol float64) float64 { return pctVol / lelPctVol * 100 }

// Unit is a concentration unit as detectors report it.
type Unit string

// The concentration units detectors and models use.
const (
	PPM    Unit = "ppm"
	MgM3   Unit = "mg/m3"
	GM3    Unit = "g/m3"
	PctVol Unit = "%VOL"
	PctLEL Unit = "%LEL"
)

// Unit errors; test with errors.Is.
var (
	// ErrUnit is returned for a unit string ParseUnit does not know.
	ErrUnit = errors.New("substance: unknown unit")
	// ErrNoValue is returned when a conversion or setpoint needs a value
	// the substance does not have (the LEL for %LEL, an OEL or IDLH for a
	// toxic setpoint).
	ErrNoValue = errors.New("substance: value not in library")
)

// ParseUnit reads a detector's unit: "ppm", "mg/m3" or "mg/m³", "g/m3",
// "%VOL" or "%vol", "%LEL"; case and spaces do not matter.
func ParseUnit(s string) (Unit, error) {
	k := strings.NewReplacer(" ", "", "³", "3").Replace(strings.ToLower(s))
	for _, u := range []Unit{PPM, MgM3, GM3, PctVol, PctLEL} {
		if k == strings.ToLower(string(u)) {
			return u, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrUnit, s)
}

// ToPPM converts v in unit u to ppm by volume for this substance at molar
// volume vm L/mol (vm matters only for mg/m³ and g/m³).
func (s *Substance) ToPPM(v float64, u Unit, vm float64) (float64, error) {
	switch u {
	case PPM:
		return v, nil
	case MgM3:
		return MgM3ToPPM(v, s.MolarMass(), vm), nil
	case GM3:
		return GM3ToPPM(v, s.MolarMass(), vm), nil
	case PctVol:
		return PctVolToPPM(v), nil
	case PctLEL:
		lel, ok := s.LEL.Get()
		if !ok {
			return 0, fmt.Errorf("%w: %s has no LEL for %%LEL", ErrNoValue, s.ID)
		}
		return PctVolToPPM(PctLELToPctVol(v, lel)), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnit, u)
}

// FromPPM converts ppm by volume to unit u; see ToPPM.
func (s *Substance) FromPPM(ppm float64, u Unit, vm float64) (float64, error) {
	switch u {
	case PPM:
		return ppm, nil
	case MgM3:
		return PPMToMgM3(ppm, s.MolarMass(), vm), nil
	case GM3:
		return PPMToGM3(ppm, s.MolarMass(), vm), nil
	case PctVol:
		return PPMToPctVol(ppm), nil
	case PctLEL:
		lel, ok := s.LEL.Get()
		if !ok {
			return 0, fmt.Errorf("%w: %s has no LEL for %%LEL", ErrNoValue, s.ID)
		}
		return PctVolToPctLEL(PPMToPctVol(ppm), lel), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnit, u)
}

// Convert converts v from one unit to another for this substance at molar
// volume vm L/mol; a value already in the wanted unit is returned as is.
func (s *Substance) Convert(v float64, from, to Unit, vm float64) (float64, error) {
	if from == to {
		if _, err := s.ToPPM(v, from, vm); err != nil {
			return 0, err
		}
		return v, nil
	}
	ppm, err := s.ToPPM(v, from, vm)
	if err != nil {
		return 0, err
	}
	return s.FromPPM(ppm, to, vm)
}
