package permit

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// prepare takes p through the steps before the sign-off at g.now: apply,
// risk analysis, briefing, every measure, and a passing methane analysis a
// minute old where the type needs one.
func (g *rig) prepare(p *Permit) {
	g.t.Helper()
	steps := []Step{{Action: "apply"}, {Action: "risk_analysis"}, {Action: "briefing"}}
	for n := range p.Measures {
		steps = append(steps, Step{Action: "confirm_measure", Measure: n + 1})
	}
	if g.svc.opts.Rules.needsGas(p) {
		steps = append(steps, Step{Action: "gas_analysis", Gas: "methane", Value: 0.1, Unit: "%VOL", SampledAt: g.now.Add(-time.Minute)})
	}
	for _, st := range steps {
		if _, err := g.do(p.ID, "planner", st); err != nil {
			g.t.Fatalf("%s %s: %v", p.Type, st.Action, err)
		}
	}
}

// drive takes p through every step to in progress at g.now: the checklist,
// a passing methane analysis a minute old where the type needs one, the
// approvers signing with PS-1's tag beside the work at (x, y), the start.
func (g *rig) drive(p *Permit, x, y float64) *Permit {
	g.t.Helper()
	g.prepare(p)
	g.now = g.now.Add(time.Second)
	g.walk(x+1, y, 0)
	for _, a := range p.Approvers {
		if _, err := g.do(p.ID, a, Step{Action: "approve", PersonID: "PS-1"}); err != nil {
			g.t.Fatalf("%s approve %s: %v", p.Type, a, err)
		}
	}
	p, err := g.do(p.ID, "planner", Step{Action: "start"})
	if err != nil || p.Status != "in_progress" {
		g.t.Fatalf("%s start: %v", p.Type, err)
	}
	return p
}

// tick advances the clock by d and puts tags where given (fresh fixes).
func (g *rig) tick(d time.Duration, at map[string][2]float64) {
	g.t.Helper()
	g.now = g.now.Add(d)
	for id, xy := range at {
		if err := g.scene.Apply(twin.Move{ID: id, Fix: twin.Fix{Point: g.at(xy[0], xy[1]), At: g.now}, Battery: math.NaN()}).Err(); err != nil {
			g.t.Fatal(err)
		}
	}
}

func (g *rig) active() map[alarm.Type]alarm.Alarm {
	out := map[alarm.Type]alarm.Alarm{}
	for _, a := range g.alarm.Active() {
		out[a.Type] = a
	}
	return out
}

// TestConfinedSpace follows an entry into a tank: the register of people
// and tools (the guardian stays outside, strangers may not enter, the
// work cannot close with anyone inside), the live view, the readings of
// the gas detector at the manhole recorded every 2 h, and without one
// the overdue alarm (PTW 05).
func TestConfinedSpace(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	if err := g.scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "PS-G", Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "T-G", Battery: math.NaN()}}},
		twin.Upsert{Entity: &twin.Entity{ID: "PS-W", Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "T-W", Battery: math.NaN()}}},
		twin.Upsert{Entity: &twin.Entity{ID: "GD-O2", Kind: twin.KindGasDetector, Geometry: g.at(254, 50), Props: map[string]any{"gas": "O2", "unit": "%VOL"}}},
	).Err(); err != nil {
		t.Fatal(err)
	}
	g.now = t0
	p, err := g.svc.Create(ctx, Create{Type: "confined_space", Geometry: g.at(250, 50), Start: t0, End: t0.Add(12 * time.Hour),
		Workers: []string{"PS-W"}, Guardian: "PS-G", Approvers: []string{"u"}}, "planner")
	if err != nil {
		t.Fatal(err)
	}
	p = g.drive(p, 250, 50)
	reg := func(kind, id, dir string) error {
		_, err := g.do(p.ID, "PS-G", Step{Action: "register", Kind: kind, Subject: id, Direction: dir})
		return err
	}
	wantCode := func(what string, err error, code string) {
		t.Helper()
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != code {
			t.Errorf("%s: %v, want %s", what, err, code)
		}
	}
	wantCode("the guardian goes in", reg("person", "PS-G", "in"), "guardian_stays_outside")
	wantCode("a stranger goes in", reg("person", "PS-X", "in"), "not_a_worker")
	wantCode("out before in", reg("person", "PS-W", "out"), "not_inside")
	for _, e := range [][3]string{{"person", "PS-W", "in"}, {"tool", "气体检测仪 #2", "in"}, {"tool", "防爆手电 #1", "in"}} {
		if err := reg(e[0], e[1], e[2]); err != nil {
			t.Fatalf("%v: %v", e, err)
		}
	}
	wantCode("in twice", reg("person", "PS-W", "in"), "already_inside")
	// The live view: the guardian at the manhole, the worker inside, the
	// oxygen cell reading 20.8 %vol.
	g.scene.Apply(twin.SetState{ID: "GD-O2", At: g.now, State: map[string]any{"value": 20.8, "unit": "%VOL", "state": "normal"}})
	g.tick(time.Second, map[string][2]float64{"PS-G": {252, 50}, "PS-W": {250, 50}, "PS-1": {400, 400}})
	lv, err := g.svc.Live(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !lv.Guardian.OnPost || lv.Guardian.DistanceM == nil || *lv.Guardian.DistanceM != 2 || lv.Headcount.Inside != 2 ||
		!slices.Equal(lv.Headcount.WorkersInside, []string{"PS-W"}) || len(lv.Headcount.Strangers) != 0 {
		t.Errorf("live guardian/headcount %+v %+v", lv.Guardian, lv.Headcount)
	}
	if len(lv.Gas) != 1 || lv.Gas[0].DetectorID != "GD-O2" || lv.Gas[0].Substance != "oxygen" || !lv.Gas[0].Pass || lv.Gas[0].DistanceM != 4 {
		t.Errorf("live gas %+v", lv.Gas)
	}
	if lv.Inside == nil || !slices.Equal(lv.Inside.People, []string{"PS-W"}) || !slices.Equal(lv.Inside.Tools, []string{"气体检测仪 #2", "防爆手电 #1"}) {
		t.Errorf("inside %+v", lv.Inside)
	}
	if lv.NextAnalysisDue == nil || !lv.NextAnalysisDue.Equal(t0.Add(2*time.Hour-time.Minute)) || lv.NextAnalysisPTW != "05" {
		t.Errorf("next analysis %v %s", lv.NextAnalysisDue, lv.NextAnalysisPTW)
	}
	// Two hours on: the watch records the oxygen cell's reading.
	g.tick(2*time.Hour, map[string][2]float64{"PS-G": {252, 50}, "PS-W": {250, 50}})
	g.scene.Apply(twin.SetState{ID: "GD-O2", At: g.now, State: map[string]any{"value": 20.7, "unit": "%VOL", "state": "normal"}})
	if err := g.svc.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	back, _ := g.svc.Get(ctx, p.ID)
	last := back.GasAnalyses[len(back.GasAnalyses)-1]
	if last.By != "detector:GD-O2" || last.Gas != "oxygen" || last.Value != 20.7 || !last.Verdict.Pass || !last.SampledAt.Equal(g.now) {
		t.Errorf("recorded reading %+v", last)
	}
	if _, ok := g.active()[alarm.PermitAnalysisOverdue]; ok {
		t.Error("overdue although recorded")
	}
	// The cell goes offline (no reading): two hours later the record is
	// overdue, PTW 05.
	g.scene.Apply(twin.SetState{ID: "GD-O2", At: g.now.Add(time.Second), State: map[string]any{"value": nil, "state": "offline"}})
	g.tick(2*time.Hour+time.Second, map[string][2]float64{"PS-G": {252, 50}, "PS-W": {250, 50}})
	g.svc.Watch(ctx)
	if a, ok := g.active()[alarm.PermitAnalysisOverdue]; !ok || a.Details["ptw_code"] != "05" {
		t.Errorf("overdue: %+v", g.active())
	}
	// A manual analysis clears it.
	if _, err := g.do(p.ID, "PS-G", Step{Action: "gas_analysis", Gas: "oxygen", Value: 20.6, Unit: "%VOL", SampledAt: g.now}); err != nil {
		t.Fatal(err)
	}
	g.tick(time.Second, map[string][2]float64{"PS-G": {252, 50}, "PS-W": {250, 50}})
	g.svc.Watch(ctx)
	if _, ok := g.active()[alarm.PermitAnalysisOverdue]; ok {
		t.Error("overdue after the analysis")
	}
	// Not closed while the worker and a tool are inside.
	_, err = g.do(p.ID, "PS-G", Step{Action: "close"})
	wantCode("close with the worker inside", err, "people_inside")
	reg("person", "PS-W", "out")
	reg("tool", "气体检测仪 #2", "out")
	_, err = g.do(p.ID, "PS-G", Step{Action: "close"})
	wantCode("close with a tool inside", err, "tools_inside")
	reg("tool", "防爆手电 #1", "out")
	if p, err = g.do(p.ID, "PS-G", Step{Action: "close"}); err != nil || p.Status != "accepted" {
		t.Fatalf("close: %v", err)
	}
	if n := len(p.Register); n != 6 {
		t.Errorf("register has %d entries, want 6", n)
	}
	// Other types keep no register.
	h, _ := g.svc.Create(ctx, Create{Type: "height", Level: "1", Geometry: g.at(250, 80), Start: g.now, End: g.now.Add(time.Hour),
		Workers: []string{"PS-W"}, Guardian: "PS-G", Approvers: []string{"u"}}, "planner")
	_, err = g.do(h.ID, "PS-G", Step{Action: "register", Kind: "person", Subject: "PS-W", Direction: "in"})
	wantCode("a register on work at height", err, "not_confined_space")
}

// TestResumeAfterBreak: level-2 hot work stopped for a break resumes on
// its last analysis within 60 min and needs a new one after; stopped for
// the gas it always does (GB 30871-2022).
func TestResumeAfterBreak(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	g.now = t0
	p, err := g.svc.Create(ctx, Create{Type: "hot_work", Level: "2", Geometry: g.at(250, 50), Start: t0, End: t0.Add(8 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}, "planner")
	if err != nil {
		t.Fatal(err)
	}
	p = g.drive(p, 250, 50)
	pause := func(reason string, d time.Duration) error {
		if _, err := g.do(p.ID, "P-2", Step{Action: "suspend", Reason: reason}); err != nil {
			t.Fatal(err)
		}
		g.now = g.now.Add(d)
		_, err := g.do(p.ID, "P-2", Step{Action: "resume"})
		return err
	}
	if err := pause("lunch", 45*time.Minute); err != nil {
		t.Errorf("45 min break: %v", err)
	}
	err = pause("lunch", 61*time.Minute)
	var pe *Error
	if !errors.As(err, &pe) || pe.PTW != "03" {
		t.Errorf("61 min break: %v", err)
	}
	if _, err := g.do(p.ID, "P-2", Step{Action: "gas_analysis", Gas: "methane", Value: 0.1, Unit: "%VOL", SampledAt: g.now}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.do(p.ID, "P-2", Step{Action: "resume"}); err != nil {
		t.Errorf("after the new analysis: %v", err)
	}
	if err := pause("gas_exceeded", time.Minute); !errors.Is(err, ErrBlocked) {
		t.Errorf("resumed one minute after the gas stopped it: %v", err)
	}
}

// TestNightStopsDayWork: multi-day level-2 hot work is booked as day work
// (its nights do not upgrade it); at 18:00 the watch stops it with
// permit_blocked (PTW 42, not upgraded at night), it cannot resume at
// night, and resumes the next morning after a new analysis.
func TestNightStopsDayWork(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	loc := time.FixedZone("CST", 8*3600)
	day := time.Date(2026, 12, 1, 9, 0, 0, 0, loc) // a Tuesday
	g.now = day
	p, err := g.svc.Create(ctx, Create{Type: "hot_work", Level: "2", Geometry: g.at(250, 50), Start: day, End: day.Add(48 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}, "planner")
	if err != nil || p.Level != "2" || p.UpgradedFrom != "" {
		t.Fatalf("booked %+v, %v", p, err)
	}
	p = g.drive(p, 250, 50)
	g.now = time.Date(2026, 12, 1, 17, 59, 0, 0, loc)
	g.svc.Watch(ctx)
	if back, _ := g.svc.Get(ctx, p.ID); back.Status != "in_progress" {
		t.Fatalf("17:59: %s", back.Status)
	}
	g.now = time.Date(2026, 12, 1, 18, 0, 0, 0, loc)
	g.svc.Watch(ctx)
	back, _ := g.svc.Get(ctx, p.ID)
	if back.Status != "suspended" || back.Reason != "not_upgraded" {
		t.Fatalf("18:00: %s %s", back.Status, back.Reason)
	}
	if a, ok := g.active()[alarm.PermitBlocked]; !ok || a.Details["ptw_code"] != "42" {
		t.Errorf("18:00 alarm: %+v", g.active())
	}
	gas := func(at time.Time) {
		t.Helper()
		if _, err := g.do(p.ID, "P-2", Step{Action: "gas_analysis", Gas: "methane", Value: 0.1, Unit: "%VOL", SampledAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	g.now = time.Date(2026, 12, 1, 21, 0, 0, 0, loc)
	gas(g.now)
	var pe *Error
	if _, err := g.do(p.ID, "P-2", Step{Action: "resume"}); !errors.As(err, &pe) || pe.PTW != "42" {
		t.Errorf("resumed at 21:00: %v", err)
	}
	g.now = time.Date(2026, 12, 2, 8, 0, 0, 0, loc)
	if _, err := g.do(p.ID, "P-2", Step{Action: "resume"}); !errors.As(err, &pe) || pe.PTW != "02" {
		t.Errorf("resumed the next morning on last night's analysis: %v", err)
	}
	gas(g.now.Add(-time.Minute))
	if p, err = g.do(p.ID, "P-2", Step{Action: "resume"}); err != nil || p.Status != "in_progress" {
		t.Fatalf("resumed the next morning: %v", err)
	}
	// Level-2 work is analysed again each day: due at the next midnight.
	lv, _ := g.svc.Live(ctx, p.ID)
	if lv.NextAnalysisDue == nil || !lv.NextAnalysisDue.Equal(time.Date(2026, 12, 3, 0, 0, 0, 0, loc)) || lv.NextAnalysisPTW != "04" {
		t.Errorf("next analysis %v %s", lv.NextAnalysisDue, lv.NextAnalysisPTW)
	}
}

// TestEveryType runs every type at every level through the whole
// workflow in the service — booked, applied, risk analysis, briefing,
// measures, gas where the type needs it, signed on site, started,
// suspended, resumed, closed — checking the AQ 3064.2 codes on the way,
// and a cancellation and an expiry for each type.
func TestEveryType(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	g.now = t0
	y := 0.0
	place := func() (float64, float64) { y += 20; return 250, y } // 20 m apart: never one place
	for _, ty := range g.svc.Rules().Types {
		for _, l := range ty.Levels {
			x, yy := place()
			if ty.Key == "hot_work" && l.Key != "2" {
				x, yy = 30+y/10, 50 // 特级/一级 in the fire-zone unit
			}
			end := t0.Add(4 * time.Hour)
			p, err := g.svc.Create(ctx, Create{Type: ty.Key, Level: l.Key, Geometry: g.at(x, yy), Start: t0, End: end,
				Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a", "b"}, OnRunningEquipment: l.Key == "special"}, "planner")
			if err != nil {
				t.Fatalf("%s %q: %v", ty.Key, l.Key, err)
			}
			if e, _ := g.scene.Get(p.ID); e.Props["type_code"] != l.Code {
				t.Errorf("%s %q: type code %v, want %s", ty.Key, l.Key, e.Props["type_code"], l.Code)
			}
			p = g.drive(p, x, yy)
			for _, st := range []Step{{Action: "suspend", Reason: "break"}, {Action: "resume"}, {Action: "close"}} {
				if p, err = g.do(p.ID, "P-2", st); err != nil {
					t.Fatalf("%s %q %s: %v", ty.Key, l.Key, st.Action, err)
				}
			}
			if code, _ := g.svc.Rules().StatusCode(p.Status); p.Status != "accepted" || code != 3 {
				t.Errorf("%s %q closed as %s (%d)", ty.Key, l.Key, p.Status, code)
			}
			if err := p.VerifyLog(); err != nil || len(p.Log) < 10 {
				t.Errorf("%s %q: log of %d entries: %v", ty.Key, l.Key, len(p.Log), err)
			}
		}
		// Cancelled before the work, and one left to expire.
		x, yy := place()
		c, _ := g.svc.Create(ctx, Create{Type: ty.Key, Level: ty.Levels[len(ty.Levels)-1].Key, Geometry: g.at(x, yy), Start: t0, End: t0.Add(time.Hour),
			Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}, "planner")
		if c, err := g.do(c.ID, "planner", Step{Action: "cancel", Reason: "weather"}); err != nil || c.Status != "cancelled" {
			t.Errorf("%s cancel: %v", ty.Key, err)
		}
		x, yy = place()
		if _, err := g.svc.Create(ctx, Create{Type: ty.Key, Level: ty.Levels[len(ty.Levels)-1].Key, Geometry: g.at(x, yy), Start: t0, End: t0.Add(time.Hour),
			Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}, "planner"); err != nil {
			t.Fatal(err)
		}
	}
	g.now = t0.Add(time.Hour)
	if n, err := g.svc.ExpireDue(ctx); err != nil || n != 8 {
		t.Errorf("expired %d, want 8: %v", n, err)
	}
}
