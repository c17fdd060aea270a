package rules

import "math"

// GasState is a detector's alarm state.
type GasState string

// Detector states (the `state` property of gas_detectors). StepGas uses
// the first four; StepDetector adds the health states, which raise
// detector_fault with the state as its `reason`.
const (
	GasNormal GasState = "normal"
	GasLevel1 GasState = "level1"
	GasLevel2 GasState = "level2"
	GasFault  GasState = "fault"
	// GasOverRange: the reading is at or above the top of the measuring
	// range (a saturated sensor, at least level 2), or more than the
	// deadband below its bottom.
	GasOverRange GasState = "over_range"
	// GasStuck: the reading has been flat for too long (health.go).
	GasStuck GasState = "stuck"
	// GasDrift: the zero point has wandered (health.go).
	GasDrift GasState = "drift"
)

// GasLimits are a detector's setpoints in its own unit.
type GasLimits struct {
	Alarm1, Alarm2 float64
	// Oxygen detectors alarm low at Alarm1 (deficiency, 19.5 %VOL) and high
	// at Alarm2 (enrichment, 23.5 %VOL) — GB/T 50493-2019 §5.5.
	Oxygen bool
	// Deadband is the distance back across a setpoint a value must travel
	// before the alarm steps down.
	Deadband float64
}

// DefaultDeadband is the hysteresis as a fraction of the measuring range:
// 2 % of span, the usual transmitter alarm deadband.
const DefaultDeadband = 0.02

// StepGas returns the state after a reading. Escalation is immediate;
// de-escalation needs the value a deadband inside the lower state.
func StepGas(prev GasState, value float64, fault bool, l GasLimits) GasState {
	if fault || math.IsNaN(value) {
		return GasFault
	}
	if l.Oxygen {
		return stepOxygen(prev, value, l)
	}
	switch {
	case value >= l.Alarm2:
		return GasLevel2
	case value >= l.Alarm1:
		if prev == GasLevel2 && value > l.Alarm2-l.Deadband {
			return GasLevel2
		}
		return GasLevel1
	case prev == GasLevel2 && value > l.Alarm2-l.Deadband:
		return GasLevel2
	case (prev == GasLevel1 || prev == GasLevel2) && value > l.Alarm1-l.Deadband:
		return GasLevel1
	}
	return GasNormal
}

// stepOxygen: deficiency below Alarm1 and enrichment above Alarm2 both
// alarm; deficiency is level 2 (asphyxiation), enrichment level 1 unless
// far above (fire risk) — a single two-sided band with the deadband inside.
func stepOxygen(prev GasState, v float64, l GasLimits) GasState {
	low, high := l.Alarm1, l.Alarm2
	if prev != GasNormal && prev != GasFault && v > low && v < high &&
		(v < low+l.Deadband || v > high-l.Deadband) {
		return prev
	}
	switch {
	case v <= low:
		return GasLevel2
	case v >= high:
		return GasLevel1
	}
	return GasNormal
}
