package rules

import "time"

// flag is one boolean condition debounced on sample time: the raw
// condition must hold for the on-delay before it is reported, and be
// absent for the off-delay before the report clears.
type flag struct {
	raw, on bool
	since   time.Time // when raw last changed
}

func (f flag) step(raw bool, at time.Time, d Delay) flag {
	if raw != f.raw || f.since.IsZero() {
		f.raw, f.since = raw, at
	}
	if f.on == raw {
		return f
	}
	wait := d.Off
	if raw {
		wait = d.On
	}
	if at.Sub(f.since) >= wait {
		f.on = raw
	}
	return f
}

// levelTrack debounces the gas level: raw is StepGas's state (with its
// deadband), on the reported one. A rise must hold for the on-delay and a
// fall for the off-delay; when it matures the report takes the current raw
// level.
type levelTrack struct {
	raw, on GasState
	since   time.Time // when raw began to differ from on in its direction
}

func (t levelTrack) step(raw GasState, at time.Time, d Delay) levelTrack {
	dir := compare(raw, t.on)
	if dir != compare(t.raw, t.on) || t.since.IsZero() {
		t.since = at
	}
	t.raw = raw
	if dir == 0 {
		return t
	}
	wait := d.Off
	if dir > 0 {
		wait = d.On
	}
	if at.Sub(t.since) >= wait {
		t.on = raw
	}
	return t
}

// severity ranks gas levels; for oxygen, deficiency (level 2) outranks
// enrichment (level 1) as StepGas assigns them.
func severity(s GasState) int {
	switch s {
	case GasLevel1:
		return 1
	case GasLevel2:
		return 2
	}
	return 0
}

func compare(a, b GasState) int {
	return min(1, max(-1, severity(a)-severity(b)))
}
