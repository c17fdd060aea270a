package permit

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// TestWatch follows a job at height in progress: a stranger in the work
// area, the guardian off post for over a minute, a detector alarming next
// to the work, and the window running out.
func TestWatch(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	for _, id := range []string{"PS-G", "PS-W", "PS-X"} {
		if err := g.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "T-" + id, Battery: math.NaN()}}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: "GD-1", Kind: twin.KindGasDetector, Geometry: g.at(55, 50),
		Props: map[string]any{"gas": "CH4", "unit": "%LEL", "range": []any{0.0, 100.0}}}}).Err(); err != nil {
		t.Fatal(err)
	}
	move := func(id string, x, y float64) {
		t.Helper()
		g.now = g.now.Add(time.Millisecond) // each fix newer than the last
		if err := g.scene.Apply(twin.Move{ID: id, Fix: twin.Fix{Point: g.at(x, y), At: g.now}, Battery: math.NaN()}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	g.now = t0
	p, err := g.svc.Create(ctx, Create{Type: "height", Level: "1", Geometry: g.at(50, 50), Start: t0, End: t0.Add(2 * time.Hour),
		Workers: []string{"PS-W"}, Guardian: "PS-G", Approvers: []string{"u"}}, "planner")
	if err != nil {
		t.Fatal(err)
	}
	move("PS-1", 52, 50)
	steps := []Step{{Action: "apply"}, {Action: "risk_analysis"}, {Action: "briefing"}}
	for n := range p.Measures {
		steps = append(steps, Step{Action: "confirm_measure", Measure: n + 1})
	}
	steps = append(steps, Step{Action: "approve", PersonID: "PS-1"}, Step{Action: "start"})
	for _, st := range steps {
		by := "planner"
		if st.Action == "approve" {
			by = "u"
		}
		if _, err := g.do(p.ID, by, st); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	open := func() map[alarm.Type]alarm.Alarm {
		out := map[alarm.Type]alarm.Alarm{}
		for _, a := range g.alarm.Active() {
			out[a.Type] = a
		}
		return out
	}
	watch := func() {
		t.Helper()
		if err := g.svc.Watch(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// All in place, the approver still by the work (no stranger: they
	// signed on site): nothing.
	move("PS-1", 52, 51)
	move("PS-G", 53, 50)
	move("PS-W", 50, 52)
	move("PS-X", 200, 200)
	watch()
	if a := open(); len(a) != 0 {
		t.Fatalf("quiet work raised %v", a)
	}
	// A stranger walks into the 10 m fence.
	move("PS-X", 50, 45)
	watch()
	a, ok := open()[alarm.PermitOvercrowded]
	if !ok || !slices.Equal(a.Details["people"].([]any), []any{"PS-X"}) || a.EntityID != p.ID {
		t.Fatalf("stranger: %+v", open())
	}
	move("PS-X", 200, 200)
	watch()
	if _, ok := open()[alarm.PermitOvercrowded]; ok {
		t.Error("the stranger left, the alarm stayed")
	}
	// The guardian walks off: an alarm only after 60 s away.
	g.now = g.now.Add(5 * time.Second)
	move("PS-G", 100, 50)
	move("PS-W", 50, 52)
	watch()
	if _, ok := open()[alarm.PermitGuardianAbsent]; ok {
		t.Fatal("guardian alarm at once")
	}
	g.now = g.now.Add(61 * time.Second)
	move("PS-G", 100, 51)
	move("PS-W", 50, 52)
	watch()
	a, ok = open()[alarm.PermitGuardianAbsent]
	if !ok || a.Details["ptw_code"] != "31" || a.Level != alarm.LevelHigh {
		t.Fatalf("guardian off post: %+v", open())
	}
	back, _ := g.svc.Get(ctx, p.ID)
	if last := back.Log[len(back.Log)-1]; last.Action != "flag_stop" || last.By != "system" || back.Status != "in_progress" {
		t.Errorf("stop flag: %+v", last)
	}
	g.now = g.now.Add(time.Second)
	move("PS-G", 52, 50)
	watch()
	if _, ok := open()[alarm.PermitGuardianAbsent]; ok {
		t.Error("the guardian is back, the alarm stayed")
	}
	// The detector 5 m away alarms: the work is suspended.
	if err := g.scene.Apply(twin.SetState{ID: "GD-1", At: g.now, State: map[string]any{"value": 30.0, "unit": "%LEL", "state": "level1"}}).Err(); err != nil {
		t.Fatal(err)
	}
	watch()
	a, ok = open()[alarm.PermitGasExceeded]
	if !ok || a.Details["detector_id"] != "GD-1" {
		t.Fatalf("gas: %+v", open())
	}
	if back, _ := g.svc.Get(ctx, p.ID); back.Status != "suspended" || back.Reason != "gas_exceeded" {
		t.Errorf("after the gas alarm: %s %q", back.Status, back.Reason)
	}
	// The alarm stays while the detector alarms (the stopped work is
	// still watched for its gas) and clears when it reads clean; the
	// alarm sits at the work, in its area.
	watch()
	if a, ok := open()[alarm.PermitGasExceeded]; !ok || a.AreaID != "A-UNIT" || math.Abs(a.Lon-g.at(50, 50)[0]) > 1e-9 {
		t.Errorf("gas alarm on the stopped work: %+v", open())
	}
	g.now = g.now.Add(time.Second)
	if err := g.scene.Apply(twin.SetState{ID: "GD-1", At: g.now, State: map[string]any{"value": 0.0, "unit": "%LEL", "state": "normal"}}).Err(); err != nil {
		t.Fatal(err)
	}
	watch()
	if _, ok := open()[alarm.PermitGasExceeded]; ok {
		t.Error("gas alarm stayed in clean air")
	}
	// Past its window the permit expires, with its alarm.
	g.now = t0.Add(2 * time.Hour)
	if n, err := g.svc.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d %v", n, err)
	}
	if a, ok := open()[alarm.PermitExpired]; !ok || a.Details["ptw_code"] != "10" {
		t.Errorf("expiry alarm: %+v", open())
	}
}

// TestWatchGasRule: a detector that does not alarm but reads above the
// gas pass rule of the work's substance stops it too (0.6 %vol methane,
// 12 %LEL, is above the 0.5 %vol limit though under level 1; 10 %LEL,
// 0.5 %vol, is not).
func TestWatchGasRule(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	if err := g.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: "GD-2", Kind: twin.KindGasDetector, Geometry: g.at(58, 50),
		Props: map[string]any{"gas": "CH4", "unit": "%LEL"}}}).Err(); err != nil {
		t.Fatal(err)
	}
	g.now = t0
	p, err := g.svc.Create(ctx, Create{Type: "height", Level: "1", Geometry: g.at(50, 50), Start: t0, End: t0.Add(time.Hour),
		Workers: []string{"PS-W"}, Guardian: "PS-1", Approvers: []string{"u"}}, "planner")
	if err != nil {
		t.Fatal(err)
	}
	p.Status = "in_progress" // the steps are TestWatch's
	if err := g.svc.put(ctx, p, g.now); err != nil {
		t.Fatal(err)
	}
	g.walk(51, 50, 0)
	g.scene.Apply(twin.SetState{ID: "GD-2", At: g.now, State: map[string]any{"value": 10.0, "unit": "%LEL", "state": "normal"}})
	if err := g.svc.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	if back, _ := g.svc.Get(ctx, p.ID); back.Status != "in_progress" {
		t.Fatalf("10 %%LEL (0.5 %%vol) suspended the work: %s", back.Status)
	}
	g.now = g.now.Add(time.Second)
	g.scene.Apply(twin.SetState{ID: "GD-2", At: g.now, State: map[string]any{"value": 12.0, "unit": "%LEL", "state": "normal"}})
	g.svc.Watch(ctx)
	if back, _ := g.svc.Get(ctx, p.ID); back.Status != "suspended" {
		t.Errorf("12 %%LEL (0.6 %%vol): %s", back.Status)
	}
}
