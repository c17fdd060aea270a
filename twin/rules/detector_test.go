package rules_test

import (
	"math"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/rules"
)

// lel is a 0–100 %LEL combustible detector at 25/50 %LEL, deadband 2.
var lel = rules.Limits{GasLimits: rules.GasLimits{Alarm1: 25, Alarm2: 50, Deadband: 2}, RangeLo: 0, RangeHi: 100}

// o2 is a 0–25 %VOL oxygen detector.
var o2 = rules.Limits{GasLimits: rules.GasLimits{Alarm1: 19.5, Alarm2: 23.5, Oxygen: true, Deadband: 0.5}, RangeLo: 0, RangeHi: 25}

// step is one reading at t0+at and the detector's report after it.
type step struct {
	at     time.Duration
	v      float64
	fault  bool
	state  rules.GasState // State()
	level  rules.GasState // Level(); "" means GasNormal
	health rules.GasState // Health(); "" means GasNormal
}

func run(t *testing.T, l rules.Limits, c rules.DetectorConfig, steps []step) {
	t.Helper()
	var d rules.Detector
	for i, s := range steps {
		d, _ = rules.StepDetector(d, rules.Reading{At: t0.Add(s.at), Value: s.v, Fault: s.fault}, l, c)
		level, health := s.level, s.health
		if level == "" {
			level = rules.GasNormal
		}
		if health == "" {
			health = rules.GasNormal
		}
		if d.State() != s.state || d.Level() != level || d.Health() != health {
			t.Fatalf("step %d (t+%v, %.2f, fault %v): state %s level %s health %s, want %s %s %s",
				i, s.at, s.v, s.fault, d.State(), d.Level(), d.Health(), s.state, level, health)
		}
	}
}

const (
	sec    = time.Second
	minute = time.Minute
)

func TestStepDetectorLevels(t *testing.T) {
	n, l1, l2 := rules.GasNormal, rules.GasLevel1, rules.GasLevel2
	cases := []struct {
		name  string
		l     rules.Limits
		c     rules.DetectorConfig
		steps []step
	}{
		{"immediate with deadband", lel, rules.DetectorConfig{}, []step{
			{0, 3, false, n, n, ""}, {1 * sec, 25, false, l1, l1, ""}, {2 * sec, 24, false, l1, l1, ""},
			{3 * sec, 22.9, false, n, n, ""}, {4 * sec, 60, false, l2, l2, ""}, {5 * sec, 48.1, false, l2, l2, ""},
			{6 * sec, 47.9, false, l1, l1, ""}, {7 * sec, 0, false, n, n, ""},
		}},
		{"on-delay 10 s", lel, rules.DetectorConfig{Level: rules.Delay{On: 10 * sec}}, []step{
			{0, 30, false, n, n, ""}, {5 * sec, 30, false, n, n, ""}, {10 * sec, 30, false, l1, l1, ""},
			{11 * sec, 60, false, l1, l1, ""}, {20 * sec, 60, false, l1, l1, ""}, {21 * sec, 60, false, l2, l2, ""},
			{22 * sec, 0, false, n, n, ""}, // de-escalation stays immediate
		}},
		{"on-delay restarts when the level drops out", lel, rules.DetectorConfig{Level: rules.Delay{On: 10 * sec}}, []step{
			{0, 30, false, n, n, ""}, {5 * sec, 10, false, n, n, ""}, {8 * sec, 30, false, n, n, ""},
			{17 * sec, 30, false, n, n, ""}, {18 * sec, 30, false, l1, l1, ""},
		}},
		{"rise to level 2 inside the on-delay reports level 2", lel, rules.DetectorConfig{Level: rules.Delay{On: 10 * sec}}, []step{
			{0, 30, false, n, n, ""}, {4 * sec, 70, false, n, n, ""}, {10 * sec, 70, false, l2, l2, ""},
		}},
		{"off-delay 5 s", lel, rules.DetectorConfig{Level: rules.Delay{Off: 5 * sec}}, []step{
			{0, 30, false, l1, l1, ""}, {1 * sec, 10, false, l1, l1, ""}, {5 * sec, 10, false, l1, l1, ""},
			{6 * sec, 10, false, n, n, ""}, {7 * sec, 30, false, l1, l1, ""},
		}},
		{"oxygen", o2, rules.DetectorConfig{}, []step{
			{0, 20.9, false, n, n, ""}, {1 * sec, 19.5, false, l2, l2, ""}, {2 * sec, 19.8, false, l2, l2, ""},
			{3 * sec, 20.1, false, n, n, ""}, {4 * sec, 23.5, false, l1, l1, ""}, {5 * sec, 22.9, false, n, n, ""},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { run(t, c.l, c.c, c.steps) })
	}
}

func TestStepDetectorFaultAndOverRange(t *testing.T) {
	n, l1, l2 := rules.GasNormal, rules.GasLevel1, rules.GasLevel2
	f, or := rules.GasFault, rules.GasOverRange
	cases := []struct {
		name  string
		l     rules.Limits
		c     rules.DetectorConfig
		steps []step
	}{
		{"fault clears the level, then recovers", lel, rules.DetectorConfig{}, []step{
			{0, 30, false, l1, l1, ""}, {1 * sec, 30, true, f, n, f}, {2 * sec, math.NaN(), false, f, n, f},
			{3 * sec, 3, false, n, n, ""},
		}},
		{"fault on-delay keeps the level meanwhile", lel, rules.DetectorConfig{Fault: rules.Delay{On: 3 * sec, Off: 2 * sec}}, []step{
			{0, 30, false, l1, l1, ""}, {1 * sec, 0, true, l1, l1, ""}, {4 * sec, 0, true, f, n, f},
			{5 * sec, 30, false, f, n, f}, {7 * sec, 30, false, l1, l1, ""},
		}},
		{"saturated at the top is level 2", lel, rules.DetectorConfig{}, []step{
			{0, 30, false, l1, l1, ""}, {1 * sec, 100, false, or, l2, or},
			{2 * sec, 98.5, false, or, l2, or}, // inside the deadband
			{3 * sec, 97.9, false, l2, l2, ""}, {4 * sec, 10, false, n, n, ""},
		}},
		{"below the bottom by more than the deadband", lel, rules.DetectorConfig{}, []step{
			{0, -1.9, false, n, n, ""}, {1 * sec, -2.1, false, or, n, or}, {2 * sec, -0.5, false, or, n, or},
			{3 * sec, 0, false, n, n, ""},
		}},
		{"over-range on-delay", lel, rules.DetectorConfig{OverRange: rules.Delay{On: 5 * sec, Off: 5 * sec}}, []step{
			{0, 100, false, l2, l2, ""}, {4 * sec, 100, false, l2, l2, ""}, {5 * sec, 100, false, or, l2, or},
			{6 * sec, 60, false, or, l2, or}, {11 * sec, 60, false, l2, l2, ""},
		}},
		{"oxygen saturated high is level 2, not enrichment level 1", o2, rules.DetectorConfig{}, []step{
			{0, 23.6, false, l1, l1, ""}, {1 * sec, 25, false, or, l2, or}, {2 * sec, 23.6, false, l1, l1, ""},
		}},
		{"oxygen below the range is deficiency too", o2, rules.DetectorConfig{}, []step{
			{0, -1, false, or, l2, or}, {1 * sec, 20.9, false, n, n, ""},
		}},
		{"unknown range: no over-range", rules.Limits{GasLimits: lel.GasLimits}, rules.DetectorConfig{}, []step{
			{0, 1000, false, l2, l2, ""}, {1 * sec, -50, false, n, n, ""},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { run(t, c.l, c.c, c.steps) })
	}
}

func TestStepDetectorStuck(t *testing.T) {
	n, l1, st := rules.GasNormal, rules.GasLevel1, rules.GasStuck
	cases := []struct {
		name  string
		l     rules.Limits
		c     rules.DetectorConfig
		steps []step
	}{
		{"flat away from zero for 30 min", lel, rules.DetectorConfig{}, []step{
			{0, 12, false, n, n, ""}, {10 * minute, 12.05, false, n, n, ""}, // within epsilon 0.1
			{30*minute - sec, 12, false, n, n, ""}, {30 * minute, 12, false, st, n, st},
			{31 * minute, 12.5, false, n, n, ""}, {60 * minute, 12.5, false, n, n, ""}, {61 * minute, 12.5, false, st, n, st},
		}},
		{"a slow ramp of tiny steps is movement", lel, rules.DetectorConfig{}, []step{
			{0, 12, false, n, n, ""}, {10 * minute, 12.06, false, n, n, ""}, {20 * minute, 12.12, false, n, n, ""},
			{45 * minute, 12.12, false, n, n, ""}, {50 * minute, 12.12, false, st, n, st},
		}},
		{"flat at zero is clean air", lel, rules.DetectorConfig{}, []step{
			{0, 0, false, n, n, ""}, {48 * time.Hour, 0, false, n, n, ""}, {49 * time.Hour, 2, false, n, n, ""},
			{96 * time.Hour, 2, false, n, n, ""},
		}},
		{"flat at zero with a site limit", lel, rules.DetectorConfig{StuckAtZeroAfter: 8 * time.Hour}, []step{
			{0, 0, false, n, n, ""}, {8*time.Hour - sec, 0, false, n, n, ""}, {8 * time.Hour, 0, false, st, n, st},
		}},
		{"oxygen flat at 20.9 is clean air, at 17 stuck", o2, rules.DetectorConfig{}, []step{
			{0, 20.9, false, n, n, ""}, {5 * time.Hour, 20.9, false, n, n, ""},
			{6 * time.Hour, 17, false, rules.GasLevel2, rules.GasLevel2, ""},
			{6*time.Hour + 30*minute, 17, false, rules.GasLevel2, rules.GasLevel2, st},
		}},
		{"stuck inside level 1 keeps the alarm", lel, rules.DetectorConfig{}, []step{
			{0, 30, false, l1, l1, ""}, {30 * minute, 30, false, l1, l1, st},
		}},
		{"off-delay", lel, rules.DetectorConfig{Stuck: rules.Delay{Off: 2 * minute}}, []step{
			{0, 12, false, n, n, ""}, {30 * minute, 12, false, st, n, st}, {31 * minute, 13, false, st, n, st},
			{32 * minute, 14, false, st, n, st}, {33 * minute, 15, false, n, n, ""},
		}},
		{"on-delay adds to the flat time", lel, rules.DetectorConfig{Stuck: rules.Delay{On: 10 * minute}}, []step{
			{0, 12, false, n, n, ""}, {30 * minute, 12, false, n, n, ""}, {40 * minute, 12, false, st, n, st},
		}},
		{"off", lel, rules.DetectorConfig{StuckAfter: -1}, []step{
			{0, 12, false, n, n, ""}, {10 * time.Hour, 12, false, n, n, ""},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { run(t, c.l, c.c, c.steps) })
	}
}

func TestStepDetectorIgnoresOldAndRepeatedReadings(t *testing.T) {
	var d rules.Detector
	d, changed := rules.StepDetector(d, rules.Reading{At: t0, Value: 30}, lel, rules.DetectorConfig{})
	if !changed || d.Level() != rules.GasLevel1 {
		t.Fatalf("first reading: changed %v, level %s", changed, d.Level())
	}
	if d2, changed := rules.StepDetector(d, rules.Reading{At: t0.Add(-sec), Value: 3}, lel, rules.DetectorConfig{}); changed || d2 != d {
		t.Fatal("an older reading changed the detector")
	}
	if d2, changed := rules.StepDetector(d, rules.Reading{At: t0, Value: 30}, lel, rules.DetectorConfig{}); changed || d2 != d {
		t.Fatal("a repeated reading changed the detector")
	}
	if _, changed := rules.StepDetector(d, rules.Reading{At: t0, Value: 3}, lel, rules.DetectorConfig{}); !changed {
		t.Fatal("a correction at the same time was ignored")
	}
}

func TestResumeDetector(t *testing.T) {
	d := rules.ResumeDetector(rules.GasLevel2)
	d, changed := rules.StepDetector(d, rules.Reading{At: t0, Value: 49}, lel, rules.DetectorConfig{})
	if changed || d.Level() != rules.GasLevel2 {
		t.Fatalf("resumed level 2 at 49 (inside the deadband): %s, changed %v", d.Level(), changed)
	}
	if d := rules.ResumeDetector("over_range"); d.State() != rules.GasNormal {
		t.Fatalf("a health state was resumed: %s", d.State())
	}
}

func TestDetectorConfigValidate(t *testing.T) {
	for _, c := range []struct {
		c  rules.DetectorConfig
		ok bool
	}{
		{rules.DetectorConfig{}, true},
		{rules.DetectorConfig{Level: rules.Delay{On: 5 * sec}, StuckAfter: -1, DriftWindow: -1}, true},
		{rules.DetectorConfig{Level: rules.Delay{On: -sec}}, false},
		{rules.DetectorConfig{Drift: rules.Delay{Off: -sec}}, false},
		{rules.DetectorConfig{StuckAtZeroAfter: -1}, false},
		{rules.DetectorConfig{DriftFraction: 1.5}, false},
		{rules.DetectorConfig{ZeroBand: math.NaN()}, false},
		{rules.DetectorConfig{StuckEpsilon: -0.1}, false},
	} {
		if err := c.c.Validate(); (err == nil) != c.ok {
			t.Errorf("Validate(%+v) = %v", c.c, err)
		}
	}
}
