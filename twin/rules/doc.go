// Package rules turns the twin's deltas into alarms. Each rule is a pure,
// edge-triggered step on sample time — Step(prev, sample, limits) (next,
// transition) — with a deadband so that a value hovering at a setpoint does
// not chatter; the Engine feeds the steps from Scene results, raises and
// clears alarms through the alarm manager, and writes derived state (a
// detector's `state`) back through Scene.Apply.
//
// Rules here are the first ones the spine needs: SOS, low battery, gas
// detector level 1/level 2 against the detector's setpoints, detector fault
// and video events. Fences, gathering, offline tags and the full GB/T 50493
// detector state machine grow on the same engine.
package rules
