package rules

import (
	"math"
	"time"
)

// Reading is one detector sample, in the detector's unit.
type Reading struct {
	At    time.Time
	Value float64 // NaN or ±Inf: no usable value, treated as a fault
	Fault bool    // the transmitter reports a fault
}

// Limits are everything a detector's state machine needs to know about
// the detector: its setpoints and deadband, and its measuring range.
type Limits struct {
	GasLimits
	// RangeLo and RangeHi are the measuring range in the detector's unit;
	// RangeHi ≤ RangeLo means unknown: no over-range check, zero at 0.
	RangeLo, RangeHi float64
	// Basis says where the setpoints come from: "scene" for explicit
	// alarm1/alarm2, else the substance library's basis ("LEL", "MAC",
	// "PC-TWA", "IDLH", "O2"), "scene+LEL" etc. when one is overridden.
	Basis string
}

// span is the measuring span, or Alarm2 when the range is unknown (as the
// deadband is sized).
func (l Limits) span() float64 {
	if l.RangeHi > l.RangeLo {
		return l.RangeHi - l.RangeLo
	}
	return math.Abs(l.Alarm2)
}

// baseline is the clean-air reading: the bottom of the range, or 20.9 %VOL
// for oxygen.
func (l Limits) baseline() float64 {
	if l.Oxygen {
		return AirOxygenPctVol
	}
	if l.RangeHi > l.RangeLo {
		return l.RangeLo
	}
	return 0
}

// AirOxygenPctVol is the oxygen content of clean dry air as oxygen
// detectors are calibrated to read it (20.95 %VOL, displayed 20.9).
const AirOxygenPctVol = 20.9

// Detector is one gas detector's state between readings: its gas level
// and its health (fault, over-range, stuck, drift), each debounced with
// on/off delays on sample time. It is a plain value without pointers or
// clocks; StepDetector advances it. A Detector is not safe for concurrent
// use; the zero value is a detector that has seen nothing.
type Detector struct {
	last      time.Time
	lastValue float64
	lastFault bool

	level                     levelTrack
	fault, over, stuck, drift flag
	overHigh, driftHigh       bool // which side the raw condition is on
	flat                      flatTrack
	zero                      zeroTrack
}

// ResumeDetector returns a detector that continues from a persisted
// `state`: level1 and level2 keep their alarms (and deadband) across a
// restart; health states are found again from the readings.
func ResumeDetector(s GasState) Detector {
	var d Detector
	if s == GasLevel1 || s == GasLevel2 {
		d.level = levelTrack{raw: s, on: s}
	}
	return d
}

// StepDetector returns the detector after reading r, and whether its
// reported level or health changed. Readings older than the last one are
// ignored; a repeat of the last reading changes nothing. The step is pure
// and allocation-free: time is r.At, never the wall clock.
func StepDetector(prev Detector, r Reading, l Limits, c DetectorConfig) (Detector, bool) {
	if !prev.last.IsZero() && (r.At.Before(prev.last) ||
		r.At.Equal(prev.last) && r.Fault == prev.lastFault && math.Float64bits(r.Value) == math.Float64bits(prev.lastValue)) {
		return prev, false
	}
	c = c.withDefaults()
	next := prev
	next.last, next.lastValue, next.lastFault = r.At, r.Value, r.Fault
	bad := r.Fault || math.IsNaN(r.Value) || math.IsInf(r.Value, 0)
	next.fault = next.fault.step(bad, r.At, c.Fault)
	if !bad { // a faulted value says nothing about gas or sensor: freeze the rest
		next.stepValue(r, l, c)
	}
	changed := next.Level() != prev.Level() || next.Health() != prev.Health()
	return next, changed
}

// stepValue advances everything a usable value feeds.
func (d *Detector) stepValue(r Reading, l Limits, c DetectorConfig) {
	v, at := r.Value, r.At
	d.level = d.level.step(StepGas(d.level.raw, v, false, l.GasLimits), at, c.Level)
	over, high := overRange(d.over.raw, d.overHigh, v, l)
	if over {
		d.overHigh = high
	}
	d.over = d.over.step(over, at, c.OverRange)
	d.flat = d.flat.add(v, at, c.StuckEpsilon*l.span())
	d.stuck = d.stuck.step(stuckRaw(d.flat, at, l, c), at, c.Stuck)
	d.zero.add(v, at, c.DriftWindow)
	drift, high := driftRaw(&d.zero, at, d.drift.raw, d.driftHigh, l, c)
	if drift {
		d.driftHigh = high
	}
	d.drift = d.drift.step(drift, at, c.Drift)
}

// Level returns the reported gas level: GasNormal, GasLevel1 or GasLevel2.
// A reported fault makes it GasNormal (the value means nothing); a reading
// saturated at the top of the range is at least GasLevel2.
func (d Detector) Level() GasState {
	switch {
	case d.fault.on:
		return GasNormal
	case d.over.on && d.overHigh:
		return GasLevel2
	case d.level.on == "":
		return GasNormal
	}
	return d.level.on
}

// Health returns GasNormal for a healthy detector, else the reported
// reason in priority order: GasFault, GasOverRange, GasStuck, GasDrift.
func (d Detector) Health() GasState {
	switch {
	case d.fault.on:
		return GasFault
	case d.over.on:
		return GasOverRange
	case d.stuck.on:
		return GasStuck
	case d.drift.on:
		return GasDrift
	}
	return GasNormal
}

// State returns the one `state` shown for the detector: fault and
// over_range first, then the gas level, then stuck and drift.
func (d Detector) State() GasState {
	h, lv := d.Health(), d.Level()
	switch {
	case h == GasFault || h == GasOverRange:
		return h
	case lv != GasNormal:
		return lv
	}
	return h
}

// FlatFor is how long the readings have stayed within the stuck epsilon
// as of the last reading.
func (d Detector) FlatFor() time.Duration {
	if d.flat.since.IsZero() {
		return 0
	}
	return d.last.Sub(d.flat.since)
}

// ZeroWindow returns the lowest and highest reading of the drift window
// as of the last reading; ok is false until every bucket of the window
// has a reading.
func (d Detector) ZeroWindow() (lo, hi float64, ok bool) {
	return d.zero.window(d.last)
}

// overRange is the raw over-range condition with its hysteresis: on at or
// above the top of the range (a saturated sensor), off a deadband below;
// on more than a deadband below the bottom, off back at the bottom.
func overRange(was, wasHigh bool, v float64, l Limits) (over, high bool) {
	if l.RangeHi <= l.RangeLo {
		return false, false
	}
	switch {
	case v >= l.RangeHi || was && wasHigh && v > l.RangeHi-l.Deadband:
		return true, true
	case v < l.RangeLo-l.Deadband || was && !wasHigh && v < l.RangeLo:
		return true, false
	}
	return false, false
}
