package rules_test

import (
	"errors"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/rules"
)

// addNH3 puts an ammonia detector without setpoints into the rig's area:
// they come from the substance library.
func (r *rig) addNH3(t *testing.T) {
	t.Helper()
	res := r.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: "GD-NH3", Kind: twin.KindGasDetector, Parent: "A-MEOH", Geometry: r.frame.Point(40, 10),
		Props: map[string]any{"gas": "NH3", "substance": "ammonia", "unit": "ppm", "detector_type": "toxic", "range": []any{0.0, 100.0}}}})
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) ppm(id string, v float64, at time.Time) {
	r.scene.Apply(twin.SetState{ID: id, At: at, State: map[string]any{"value": v, "unit": "ppm"}})
}

// only returns the one open alarm of type typ.
func only(t *testing.T, act []alarm.Alarm, typ alarm.Type) alarm.Alarm {
	t.Helper()
	for _, a := range act {
		if a.Type == typ {
			return a
		}
	}
	t.Fatalf("no open %s in %+v", typ, act)
	return alarm.Alarm{}
}

// checkDetails compares the details every gas alarm carries.
func checkDetails(t *testing.T, a alarm.Alarm, want map[string]any) {
	t.Helper()
	for k, w := range want {
		got := a.Details[k]
		if f, ok := w.(float64); ok {
			g, _ := twin.AsFloat(got)
			if !near(g, f, 1e-3) {
				t.Errorf("%s details[%s] = %v, want %v", a.Type, k, got, w)
			}
			continue
		}
		if got != w {
			t.Errorf("%s details[%s] = %v, want %v", a.Type, k, got, w)
		}
	}
}

func TestDerivedSetpointsRaiseWithDetails(t *testing.T) {
	r := newRig(t)
	r.addNH3(t)
	a1 := ppm(20, 17.03) // 100 % of the PC-TWA, 28.25 ppm
	r.ppm("GD-NH3", 3, t0)
	r.detectorState(t, "GD-NH3", "normal")
	r.ppm("GD-NH3", 30, t0.Add(time.Second))
	a := only(t, r.waitOpen(t, alarm.GasLevel1), alarm.GasLevel1)
	checkDetails(t, a, map[string]any{"value": 30.0, "unit": "ppm", "gas": "NH3", "substance": "ammonia", "area": "A-MEOH",
		"area_name": "甲醇生产区", "state": "level1", "alarm1": a1, "alarm2": 2 * a1, "setpoint_basis": "PC-TWA"})
	if a.AreaID != "A-MEOH" || a.EntityID != "GD-NH3" {
		t.Fatalf("alarm = %+v", a)
	}
	r.ppm("GD-NH3", 60, t0.Add(2*time.Second))
	only(t, r.waitOpen(t, alarm.GasLevel2), alarm.GasLevel2)
	r.ppm("GD-NH3", 1, t0.Add(3*time.Second))
	r.waitOpen(t)
	r.detectorState(t, "GD-NH3", "normal")
}

func TestOverRangeRaisesLevel2AndFault(t *testing.T) {
	r := newRig(t)
	r.reading("GD-1", 30, t0)
	r.waitOpen(t, alarm.GasLevel1)
	r.reading("GD-1", 100, t0.Add(time.Second)) // saturated at full scale
	act := r.waitOpen(t, alarm.GasLevel2, alarm.DetectorFault)
	r.detectorState(t, "GD-1", "over_range")
	f := only(t, act, alarm.DetectorFault)
	// GD-1 has no substance property: the library names its gas.
	checkDetails(t, f, map[string]any{"reason": "over_range", "state": "over_range", "value": 100.0, "unit": "%LEL",
		"substance": "methanol", "area": "A-MEOH", "alarm1": 25.0, "alarm2": 50.0, "setpoint_basis": rules.BasisScene})
	checkDetails(t, only(t, act, alarm.GasLevel2), map[string]any{"state": "over_range", "value": 100.0})
	r.reading("GD-1", 10, t0.Add(2*time.Second))
	r.waitOpen(t)
	r.detectorState(t, "GD-1", "normal")
}

func TestStuckDetectorRaisesFault(t *testing.T) {
	r := newRig(t)
	for m := 0; m <= 30; m++ { // 12 %LEL, not a digit of change, for 30 min
		r.reading("GD-1", 12, t0.Add(time.Duration(m)*time.Minute))
	}
	f := only(t, r.waitOpen(t, alarm.DetectorFault), alarm.DetectorFault)
	checkDetails(t, f, map[string]any{"reason": "stuck", "flat_s": 1800.0, "value": 12.0})
	r.detectorState(t, "GD-1", "stuck")
	r.reading("GD-1", 14, t0.Add(31*time.Minute))
	r.waitOpen(t)
	r.detectorState(t, "GD-1", "normal")
}

func TestFaultReasonAndLevelOnDelay(t *testing.T) {
	r := newRig(t, func(o *rules.Options) { o.Detector.Level = rules.Delay{On: 5 * time.Second} })
	r.scene.Apply(twin.SetState{ID: "GD-1", At: t0, State: map[string]any{"value": 3.0, "fault": "E03"}})
	f := only(t, r.waitOpen(t, alarm.DetectorFault), alarm.DetectorFault)
	checkDetails(t, f, map[string]any{"reason": "fault"})
	r.scene.Apply(twin.SetState{ID: "GD-1", At: t0.Add(time.Second), State: map[string]any{"value": 30.0, "fault": nil}})
	r.waitOpen(t)
	r.detectorState(t, "GD-1", "normal") // level 1 waits for its on-delay
	r.reading("GD-1", 30, t0.Add(6*time.Second))
	r.waitOpen(t, alarm.GasLevel1)
}

func TestNewRejectsBadDetectorConfig(t *testing.T) {
	_, err := rules.New(rules.Options{Scene: twin.New(twin.Options{}), Alarms: &alarm.Manager{},
		Detector: rules.DetectorConfig{Level: rules.Delay{On: -time.Second}}})
	if !errors.Is(err, rules.ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
}
