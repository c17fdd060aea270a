package rules

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrConfig wraps every invalid DetectorConfig.
	ErrConfig = errors.New("rules: invalid detector config")
	// ErrSetpoints is returned for a detector whose setpoints are neither
	// given nor derivable from the substance library.
	ErrSetpoints = errors.New("rules: detector has no usable setpoints")
)

// Defaults of the detector health checks. GB/T 50493-2019 sets no numbers
// for them: these are engineering defaults, tunable per site.
const (
	// DefaultStuckAfter: a reading frozen away from zero for 30 min is a
	// stuck sensor (a live reading away from zero always moves: noise,
	// wind, process).
	DefaultStuckAfter = 30 * time.Minute
	// DefaultStuckEpsilon: a change of more than 0.1 % of span counts as
	// movement, below one resolution step of a three-digit display.
	DefaultStuckEpsilon = 0.001
	// DefaultZeroBand: within 2 % of span of the clean-air baseline a
	// flat reading is clean air, not a stuck sensor (the quiet band of a
	// healthy head, and the transmitter's alarm deadband).
	DefaultZeroBand = 0.02
	// DefaultDriftWindow: the zero point is judged on a day of readings,
	// long enough to contain clean air at least once.
	DefaultDriftWindow = 24 * time.Hour
	// DefaultDriftFraction: a day's minimum above 10 % of the level-1
	// setpoint means the zero has wandered (or a leak has lasted a day;
	// both need a bump test).
	DefaultDriftFraction = 0.10
)

// Delay is a state's on-delay (how long its condition must hold before it
// is reported) and off-delay (how long it must be absent before the report
// clears), both on sample time.
type Delay struct {
	On, Off time.Duration
}

// DetectorConfig tunes the detector state machine for a site. The zero
// value is the default written on each field; a negative duration turns
// the check off where noted.
type DetectorConfig struct {
	// Level delays gas_level1/gas_level2; default 0/0: escalation and
	// de-escalation (past the deadband) are immediate.
	Level Delay
	// Fault, OverRange, Stuck and Drift delay the detector_fault reasons;
	// default 0/0 each (the stuck and drift checks wait for their own
	// time and window already).
	Fault, OverRange, Stuck, Drift Delay
	// StuckAfter is how long a reading away from the clean-air baseline
	// may stay flat; default DefaultStuckAfter, negative: never stuck.
	StuckAfter time.Duration
	// StuckAtZeroAfter is how long a reading within ZeroBand of the
	// baseline may stay flat; default 0: never (zero suppression makes
	// clean air flat for days).
	StuckAtZeroAfter time.Duration
	// StuckEpsilon is the change, as a fraction of span, that counts as
	// movement; default DefaultStuckEpsilon.
	StuckEpsilon float64
	// ZeroBand is the clean-air band about the baseline, as a fraction of
	// span; default DefaultZeroBand.
	ZeroBand float64
	// DriftWindow is the window of the zero-point check; default
	// DefaultDriftWindow, negative: no drift check.
	DriftWindow time.Duration
	// DriftFraction is the share of the level-1 setpoint the window's
	// minimum must exceed; default DefaultDriftFraction.
	DriftFraction float64
}

// Validate reports a negative delay or an out-of-range fraction.
func (c DetectorConfig) Validate() error {
	for _, d := range []struct {
		name string
		d    Delay
	}{{"level", c.Level}, {"fault", c.Fault}, {"over_range", c.OverRange}, {"stuck", c.Stuck}, {"drift", c.Drift}} {
		if d.d.On < 0 || d.d.Off < 0 {
			return fmt.Errorf("%w: %s delay %v/%v is negative", ErrConfig, d.name, d.d.On, d.d.Off)
		}
	}
	if c.StuckAtZeroAfter < 0 {
		return fmt.Errorf("%w: stuck-at-zero time %v is negative", ErrConfig, c.StuckAtZeroAfter)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"stuck epsilon", c.StuckEpsilon}, {"zero band", c.ZeroBand}, {"drift fraction", c.DriftFraction}} {
		if !(f.v >= 0 && f.v < 1) {
			return fmt.Errorf("%w: %s %v is outside [0, 1)", ErrConfig, f.name, f.v)
		}
	}
	return nil
}

// withDefaults fills the zero fields.
func (c DetectorConfig) withDefaults() DetectorConfig {
	if c.StuckAfter == 0 {
		c.StuckAfter = DefaultStuckAfter
	}
	if c.StuckEpsilon == 0 {
		c.StuckEpsilon = DefaultStuckEpsilon
	}
	if c.ZeroBand == 0 {
		c.ZeroBand = DefaultZeroBand
	}
	if c.DriftWindow == 0 {
		c.DriftWindow = DefaultDriftWindow
	}
	if c.DriftFraction == 0 {
		c.DriftFraction = DefaultDriftFraction
	}
	return c
}

// DetectorConfigFromSettings reads the site settings that tune the detector
// state machine (numbers; absent ones keep the defaults):
//
//	gas_alarm_on_delay_s, gas_alarm_off_delay_s   Level delays (≥ 0)
//	detector_stuck_after_s                        StuckAfter (< 0: off)
//	detector_drift_window_h                       DriftWindow (< 0: off)
//	detector_drift_fraction                       DriftFraction (0 < f < 1)
//
// It reports every bad setting, each wrapping ErrConfig.
func DetectorConfigFromSettings(s map[string]any) (DetectorConfig, error) {
	var c DetectorConfig
	var errs []error
	num := func(key string, ok func(float64) bool, set func(float64)) {
		v, present := s[key]
		if !present {
			return
		}
		f, isNum := v.(float64)
		if n, isInt := v.(int); isInt {
			f, isNum = float64(n), true
		}
		if !isNum || math.IsNaN(f) || math.IsInf(f, 0) || !ok(f) {
			errs = append(errs, fmt.Errorf("%w: setting %s = %v", ErrConfig, key, v))
			return
		}
		set(f)
	}
	nonNeg := func(f float64) bool { return f >= 0 }
	anyNum := func(float64) bool { return true }
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	num("gas_alarm_on_delay_s", nonNeg, func(f float64) { c.Level.On = sec(f) })
	num("gas_alarm_off_delay_s", nonNeg, func(f float64) { c.Level.Off = sec(f) })
	num("detector_stuck_after_s", anyNum, func(f float64) {
		c.StuckAfter = sec(f) // 0 keeps the default
	})
	num("detector_drift_window_h", anyNum, func(f float64) { c.DriftWindow = time.Duration(f * float64(time.Hour)) })
	num("detector_drift_fraction", func(f float64) bool { return f > 0 && f < 1 }, func(f float64) { c.DriftFraction = f })
	if err := errors.Join(errs...); err != nil {
		return DetectorConfig{}, err
	}
	return c, c.Validate()
}
