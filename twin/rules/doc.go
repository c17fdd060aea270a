// Package rules turns the twin's deltas into alarms. Each rule is a pure,
// edge-triggered step on sample time — Step(prev, sample, limits) (next,
// transition) — with a deadband so that a value hovering at a setpoint does
// not chatter; the Engine feeds the steps from Scene results, raises and
// clears alarms through the alarm manager, and writes derived state (a
// detector's `state`) back through Scene.Apply.
//
// Rules here: SOS, low battery, video events, offline tags and detectors,
// and the gas detector state machine.
//
// # Gas detectors
//
// StepDetector advances a Detector on each reading (pure, allocation-free,
// on sample time). It tracks the gas level — normal, level 1, level 2 by
// StepGas with its deadband — and the detector's health:
//
//   - fault: the transmitter reports one, or the value is not a number;
//   - over_range: at or above the top of the measuring range (a saturated
//     sensor, reported as at least level 2), or more than the deadband
//     below its bottom; it clears a deadband inside;
//   - stuck: the reading has not moved by more than StuckEpsilon of span
//     for StuckAfter (30 min). Clean air is flat too — zero suppression
//     and rounding hold a healthy head at 0 %LEL or 20.9 %VOL for days —
//     so a flat reading within ZeroBand of that baseline is stuck only
//     after StuckAtZeroAfter, by default never;
//   - drift: over DriftWindow (24 h, kept as 24 bucket minima and maxima)
//     the readings never came back to zero: the minimum stayed above 10 %
//     of the level-1 setpoint, or the maximum that far below zero.
//     Oxygen detectors are not checked.
//
// Every state has an on-delay and an off-delay (DetectorConfig; all 0 by
// default, so levels escalate and clear immediately as before). The
// detector's `state` shows fault or over_range first, then the level, then
// stuck or drift. The Engine raises gas_level1 and gas_level2 on the level
// and detector_fault on the health, with the health state as details
// `reason`; every gas alarm's details carry value, unit, gas, substance,
// area, area_name, state, alarm1, alarm2 and setpoint_basis.
//
// Setpoints come from the detector's alarm1/alarm2, or, where missing,
// from the substance library (GB/T 50493-2019 §5.5.2) for its substance,
// unit and range: LimitsOf.
package rules
