package substance

import (
	"errors"
	"fmt"
	"math"
)

// GB/T 50493-2019 §5.5.2 alarm setpoints. Each is the highest value the
// standard allows; plants may set lower.
const (
	// CombustibleLevel1PctLEL and CombustibleLevel2PctLEL: combustible gas
	// level 1 ≤ 25 % LEL, level 2 ≤ 50 % LEL (§5.5.2 items 1–2).
	CombustibleLevel1PctLEL = 25.0
	CombustibleLevel2PctLEL = 50.0
	// ToxicLevel1OEL and ToxicLevel2OEL: toxic gas level 1 ≤ 100 % OEL,
	// level 2 ≤ 200 % OEL, as fractions of the OEL (§5.5.2 item 3).
	ToxicLevel1OEL = 1.0
	ToxicLevel2OEL = 2.0
	// ToxicLevel1IDLH and ToxicLevel2IDLH: when the detector's measuring
	// range cannot meet the OEL setpoints, level 1 ≤ 5 % IDLH and level 2
	// ≤ 10 % IDLH (§5.5.2 item 3).
	ToxicLevel1IDLH = 0.05
	ToxicLevel2IDLH = 0.10
	// OxygenLowPctVol and OxygenHighPctVol: oxygen deficiency alarm at
	// 19.5 %VOL and enrichment alarm at 23.5 %VOL (§5.5.2 item 4).
	OxygenLowPctVol  = 19.5
	OxygenHighPctVol = 23.5
)

// ErrRange is returned when a detector's range cannot hold its setpoints.
var ErrRange = errors.New("substance: detector range cannot cover the setpoints")

// Kind is the detection principle a setpoint follows.
type Kind string

// Detector kinds, named as the scene's detector_type property.
const (
	KindCombustible Kind = "combustible"
	KindToxic       Kind = "toxic"
	KindOxygen      Kind = "oxygen"
)

// Options tune Setpoints; the zero value is the default.
type Options struct {
	// OEL chooses the limit toxic setpoints are based on; default
	// MACElseTWA (MAC where one exists, else PC-TWA).
	OEL OELBasis
	// MolarVolume is the L/mol used between ppm and mg/m³; default
	// MolarVolume20C, the reference condition of the GBZ 2.1 OELs.
	MolarVolume float64
}

func (o Options) vm() float64 {
	if o.MolarVolume > 0 {
		return o.MolarVolume
	}
	return MolarVolume20C
}

// Setpoint is a detector's pair of alarm values in the detector's unit.
// For oxygen, Level1 is the low (deficiency) alarm and Level2 the high
// (enrichment) alarm, as twin/rules.GasLimits expects.
type Setpoint struct {
	Kind           Kind
	Unit           Unit
	Level1, Level2 float64
	// Basis names the limit the values derive from: "LEL", "MAC",
	// "PC-TWA", "PC-STEL", "IDLH" or "O2".
	Basis string
	// Clause cites the standard.
	Clause string
}

// Setpoints derives a detector's GB/T 50493-2019 level 1 / level 2 values
// for substance s in the detector's unit (see ParseUnit). rangeMax is the
// top of the detector's measuring range in that unit; 0 means unknown and
// is taken to cover any setpoint. The unit decides between combustible
// and toxic setpoints for a substance that is both (package documentation).
func Setpoints(s *Substance, unit string, rangeMax float64, opt Options) (Setpoint, error) {
	if s == nil {
		return Setpoint{}, fmt.Errorf("%w: no substance", ErrNoValue)
	}
	u, err := ParseUnit(unit)
	if err != nil {
		return Setpoint{}, err
	}
	var sp Setpoint
	switch {
	case s.ID == Oxygen:
		sp, err = oxygenSetpoints(u)
	case u == PctLEL || u == PctVol || !s.Toxic():
		sp, err = combustibleSetpoints(s, u, opt)
	default:
		return toxicSetpoints(s, u, rangeMax, opt)
	}
	if err != nil {
		return Setpoint{}, err
	}
	return sp, checkRange(sp, rangeMax)
}

func oxygenSetpoints(u Unit) (Setpoint, error) {
	if u != PctVol {
		return Setpoint{}, fmt.Errorf("%w: oxygen detectors read %%VOL, not %q", ErrUnit, u)
	}
	return Setpoint{Kind: KindOxygen, Unit: u, Level1: OxygenLowPctVol, Level2: OxygenHighPctVol,
		Basis: "O2", Clause: "GB/T 50493-2019 §5.5.2 item 4"}, nil
}

func combustibleSetpoints(s *Substance, u Unit, opt Options) (Setpoint, error) {
	if !s.Combustible() {
		return Setpoint{}, fmt.Errorf("%w: %s has no LEL for a %s detector", ErrNoValue, s.ID, u)
	}
	sp := Setpoint{Kind: KindCombustible, Unit: u, Basis: "LEL", Clause: "GB/T 50493-2019 §5.5.2 items 1–2"}
	var err error
	if sp.Level1, err = s.Convert(CombustibleLevel1PctLEL, PctLEL, u, opt.vm()); err != nil {
		return Setpoint{}, err
	}
	sp.Level2, err = s.Convert(CombustibleLevel2PctLEL, PctLEL, u, opt.vm())
	return sp, err
}

// toxicSetpoints uses 100/200 % OEL, falling back to 5/10 % IDLH when the
// range cannot cover 200 % OEL or the substance has no OEL.
func toxicSetpoints(s *Substance, u Unit, rangeMax float64, opt Options) (Setpoint, error) {
	if oel, name, ok := s.OEL(opt.OEL); ok {
		sp, err := scaled(s, u, oel, MgM3, name, ToxicLevel1OEL, ToxicLevel2OEL, opt)
		if err != nil || fits(sp, rangeMax) {
			return sp, err
		}
	}
	idlh, ok := s.IDLH.Get()
	if !ok {
		return Setpoint{}, fmt.Errorf("%w: %s has no OEL the range can cover and no IDLH", ErrNoValue, s.ID)
	}
	sp, err := scaled(s, u, idlh, PPM, "IDLH", ToxicLevel1IDLH, ToxicLevel2IDLH, opt)
	if err != nil {
		return Setpoint{}, err
	}
	return sp, checkRange(sp, rangeMax)
}

// scaled returns f1·limit and f2·limit converted from limitUnit to u.
func scaled(s *Substance, u Unit, limit float64, limitUnit Unit, basis string, f1, f2 float64, opt Options) (Setpoint, error) {
	sp := Setpoint{Kind: KindToxic, Unit: u, Basis: basis, Clause: "GB/T 50493-2019 §5.5.2 item 3"}
	var err error
	if sp.Level1, err = s.Convert(f1*limit, limitUnit, u, opt.vm()); err != nil {
		return Setpoint{}, err
	}
	sp.Level2, err = s.Convert(f2*limit, limitUnit, u, opt.vm())
	return sp, err
}

// rangeSlack absorbs rounding when a setpoint sits exactly at full scale.
const rangeSlack = 1e-9

// fits reports whether both setpoints lie within a range of rangeMax
// (0: unknown, fits).
func fits(sp Setpoint, rangeMax float64) bool {
	return rangeMax <= 0 || math.Max(sp.Level1, sp.Level2) <= rangeMax*(1+rangeSlack)
}

// checkRange is fits as an error wrapping ErrRange.
func checkRange(sp Setpoint, rangeMax float64) error {
	if fits(sp, rangeMax) {
		return nil
	}
	return fmt.Errorf("%w: %s setpoint %.4g %s above full scale %.4g",
		ErrRange, sp.Basis, math.Max(sp.Level1, sp.Level2), sp.Unit, rangeMax)
}
