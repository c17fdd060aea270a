package rules

import (
	"errors"
	"fmt"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// BasisScene is Limits.Basis for setpoints taken from the scene's
// alarm1/alarm2.
const BasisScene = "scene"

// LimitsOf returns a gas detector's limits from its properties: the
// measuring range from `range` ([lo, hi]), the setpoints from `alarm1` and
// `alarm2`. A setpoint the scene does not give is derived from the
// substance library (GB/T 50493-2019 §5.5.2, see substance.Setpoints) for
// the detector's `substance` (else its `gas`; "oxygen" for an oxygen
// detector without either) in its `unit`, against the top of its range;
// an explicit value always overrides the derived one. Oxygen detectors
// (`detector_type` "oxygen", or an oxygen substance) alarm on both sides.
// lib may be nil: then both setpoints must be given. The deadband is
// DefaultDeadband of the span (the range, else alarm2).
func LimitsOf(d *twin.Entity, lib *substance.Library) (Limits, error) {
	var l Limits
	lo, hi, hasRange := d.Range("range")
	if hasRange {
		l.RangeLo, l.RangeHi = lo, hi
	}
	a1, ok1 := twin.AsFloat(d.Props["alarm1"])
	a2, ok2 := twin.AsFloat(d.Props["alarm2"])
	l.Alarm1, l.Alarm2, l.Basis = a1, a2, BasisScene
	l.Oxygen = d.String("detector_type") == string(substance.KindOxygen)
	if !ok1 || !ok2 {
		sp, err := derive(d, lib, l.Oxygen, hi)
		if err != nil {
			return Limits{}, fmt.Errorf("%w: %s: %w", ErrSetpoints, d.ID, err)
		}
		if !ok1 {
			l.Alarm1 = sp.Level1
		}
		if !ok2 {
			l.Alarm2 = sp.Level2
		}
		l.Basis = sp.Basis
		if ok1 || ok2 {
			l.Basis = BasisScene + "+" + sp.Basis
		}
		l.Oxygen = l.Oxygen || sp.Kind == substance.KindOxygen
	}
	if !(l.Alarm1 <= l.Alarm2) {
		return Limits{}, fmt.Errorf("%w: %s: alarm1 %v above alarm2 %v", ErrSetpoints, d.ID, l.Alarm1, l.Alarm2)
	}
	l.Deadband = DefaultDeadband * l.span()
	return l, nil
}

// derive asks the library for the detector's setpoints.
func derive(d *twin.Entity, lib *substance.Library, oxygen bool, rangeMax float64) (substance.Setpoint, error) {
	if lib == nil {
		return substance.Setpoint{}, errors.New("no alarm1/alarm2 and no substance library")
	}
	name := d.String("substance")
	if name == "" {
		name = d.String("gas")
	}
	if name == "" && oxygen {
		name = substance.Oxygen
	}
	if name == "" {
		return substance.Setpoint{}, errors.New("no alarm1/alarm2 and no substance or gas")
	}
	s, err := lib.Get(name)
	if err != nil {
		return substance.Setpoint{}, err
	}
	return substance.Setpoints(s, d.String("unit"), max(rangeMax, 0), substance.Options{})
}

// substanceOf names the detector's substance for alarm details: its
// `substance`, else the library's id for its `gas`, else the gas.
func substanceOf(d *twin.Entity, lib *substance.Library) string {
	if s := d.String("substance"); s != "" {
		return s
	}
	g := d.String("gas")
	if lib != nil && g != "" {
		if s, err := lib.Get(g); err == nil {
			return s.ID
		}
	}
	return g
}
