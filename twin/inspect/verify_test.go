package inspect

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

var origin = orb.Point{121.50, 30.80}

// east returns the point m metres east and n north of p.
func east(p orb.Point, m, n float64) orb.Point {
	lonM, latM := geo.MetresPerDegree(p[1])
	return orb.Point{p[0] + m/lonM, p[1] + n/latM}
}

func fp(x float64) *float64 { return &x }
func bp(b bool) *bool       { return &b }

func testPoint() *Point {
	return &Point{ID: "P1", Name: "泵房入口", Location: origin, Code: "P-001", RadiusM: 15, MinDwellS: 20,
		Checklist: []Item{
			{Key: "valve", Zh: "阀门无泄漏", En: "valve tight", Kind: ItemBool, Required: true},
			{Key: "pressure", Zh: "出口压力", En: "outlet pressure", Kind: ItemNumber, Min: fp(0.2), Max: fp(1.6), Unit: "MPa", Required: true},
			{Key: "temp", Zh: "轴承温度", Kind: ItemNumber, Max: fp(70), Unit: "°C"},
			{Key: "photo", Zh: "现场照片", Kind: ItemPhoto},
			{Key: "remark", Zh: "备注", Kind: ItemText},
		}}
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func testTask() *Task {
	return &Task{ID: "p1@20260302T0800", Plan: "p1", Route: "r1", Assignee: "alice",
		Start: t0.Add(-time.Hour), End: t0.Add(time.Hour), Close: t0.Add(90 * time.Minute), Status: TaskOpen,
		Points: []TaskPoint{{Point: "P0", Status: PointDue}, {Point: "P1", Status: PointDue}, {Point: "P2", Status: PointDue}}}
}

// goodVisit passes every check: 5 m away, a 2 s old fix, 30 s inside.
func goodVisit() Visit {
	return Visit{Point: testPoint(), Code: "P-001", Fix: &Fix{Location: east(origin, 3, 4), At: t0.Add(-2 * time.Second)},
		InsideSince: t0.Add(-30 * time.Second), Now: t0, Person: "alice", User: "u-alice", Tag: "T1",
		Results: []Result{{Key: "valve", Bool: bp(true)}, {Key: "pressure", Value: fp(0.8)}, {Key: "photo", Photo: "blob-1"}},
		Task:    testTask()}
}

func TestVerifyAccepts(t *testing.T) {
	c, err := Verify(goodVisit())
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != RecordNormal || c.Late || c.Task != "p1@20260302T0800" || c.Route != "r1" || c.Point != "P1" || c.Person != "alice" {
		t.Errorf("check-in %+v", c)
	}
	if math.Abs(c.DistanceM-5) > 0.05 || c.FixAgeS != 2 || c.DwellS != 28 {
		t.Errorf("distance %v, fix age %v, dwell %v; want 5, 2, 28 (to the last fix)", c.DistanceM, c.FixAgeS, c.DwellS)
	}
	if len(c.Results) != 3 || c.Results[2].Key != "photo" || !c.Results[2].Pass || len(c.Photos) != 1 || c.Photos[0] != "blob-1" {
		t.Errorf("results %+v photos %v", c.Results, c.Photos)
	}
	// The code is compared after trimming spaces.
	v := goodVisit()
	v.Code = " P-001\n"
	if _, err := Verify(v); err != nil {
		t.Errorf("trimmed code: %v", err)
	}
	// Without a task: an ad-hoc check.
	v = goodVisit()
	v.Task = nil
	if c, err := Verify(v); err != nil || c.Task != "" {
		t.Errorf("ad hoc: %+v %v", c, err)
	}
}

func TestVerifyJudgesResults(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Result
		pass bool
	}{
		{"bool yes", Result{Key: "valve", Bool: bp(true)}, true},
		{"bool no", Result{Key: "valve", Bool: bp(false), Text: "法兰滴漏"}, false},
		{"reading inside", Result{Key: "pressure", Value: fp(1.0)}, true},
		{"reading at the max", Result{Key: "pressure", Value: fp(1.6)}, true},
		{"reading at the min", Result{Key: "pressure", Value: fp(0.2)}, true},
		{"reading above", Result{Key: "pressure", Value: fp(1.61)}, false},
		{"reading below", Result{Key: "pressure", Value: fp(0.19)}, false},
		{"max only, below", Result{Key: "temp", Value: fp(-40)}, true},
		{"max only, above", Result{Key: "temp", Value: fp(70.5)}, false},
		{"photo", Result{Key: "photo", Photo: "blob-2"}, true},
		{"text", Result{Key: "remark", Text: "ok"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := goodVisit()
			var rs []Result
			for _, r := range v.Results {
				if r.Key != tc.r.Key {
					rs = append(rs, r)
				}
			}
			// A client's own pass flag is ignored.
			tc.r.Pass = !tc.pass
			v.Results = append(rs, tc.r)
			c, err := Verify(v)
			if err != nil {
				t.Fatal(err)
			}
			var got *Result
			for i := range c.Results {
				if c.Results[i].Key == tc.r.Key {
					got = &c.Results[i]
				}
			}
			if got == nil || got.Pass != tc.pass {
				t.Fatalf("result %+v, want pass %v", got, tc.pass)
			}
			want := RecordNormal
			if !tc.pass {
				want = RecordHazard
			}
			if c.Status != want {
				t.Errorf("status %d, want %d", c.Status, want)
			}
		})
	}
}

func TestVerifyRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(v *Visit)
		code   string
		detail string // a key Details must carry
	}{
		{"no fix", func(v *Visit) { v.Fix = nil }, CodeNoPosition, "dwell_s"},
		{"fix not a place", func(v *Visit) { v.Fix.Location = orb.Point{math.NaN(), 30} }, CodeNoPosition, ""},
		{"fix 11 s old", func(v *Visit) { v.Fix.At = t0.Add(-11 * time.Second) }, CodeStalePosition, "fix_age_s"},
		{"fix 11 s ahead", func(v *Visit) { v.Fix.At = t0.Add(11 * time.Second) }, CodeStalePosition, "max_fix_age_s"},
		{"16 m away", func(v *Visit) { v.Fix.Location = east(origin, 16, 0) }, CodeTooFar, "distance_m"},
		{"code in another case", func(v *Visit) { v.Code = "p-001" }, CodeCodeMismatch, "distance_m"},
		{"no code", func(v *Visit) { v.Code = "" }, CodeCodeMismatch, ""},
		{"10 s inside", func(v *Visit) { v.InsideSince = t0.Add(-12 * time.Second) }, CodeTooShort, "min_dwell_s"},
		{"not inside", func(v *Visit) { v.InsideSince = time.Time{} }, CodeTooShort, ""},
		{"earlier point due", func(v *Visit) { v.Task.Sequence = true }, CodeOutOfSequence, "due"},
		{"after close", func(v *Visit) { v.Now = v.Task.Close.Add(time.Second); v.Fix.At = v.Now }, CodeTaskClosed, "close"},
		{"task closed already", func(v *Visit) { v.Task.Status = TaskPartial }, CodeTaskClosed, ""},
		{"before start", func(v *Visit) { v.Task.Start = t0.Add(time.Minute) }, CodeTaskNotOpen, "start"},
		{"point of another route", func(v *Visit) { v.Task.Points = v.Task.Points[:1] }, CodeNotInTask, "task"},
		{"checked already", func(v *Visit) { v.Task.Points[1].Status, v.Task.Points[1].CheckIn = PointDone, "c1" }, CodeAlreadyChecked, "checkin"},
		{"someone else's task", func(v *Visit) { v.Person = "bob" }, CodeNotAssignee, ""},
		{"not in the team", func(v *Visit) {
			v.Task.Assignee, v.Task.Team = "", "ops"
			v.InTeam = func(p, team string) bool { return p == "carol" && team == "ops" }
		}, CodeNotAssignee, ""},
		{"unknown item", func(v *Visit) { v.Results = append(v.Results, Result{Key: "colour", Text: "red"}) }, CodeResultsInvalid, "item"},
		{"required unanswered", func(v *Visit) { v.Results = v.Results[1:] }, CodeResultsInvalid, "item"},
		{"photo missing", func(v *Visit) { v.Results = v.Results[:2] }, CodeResultsInvalid, "item"},
		{"NaN reading", func(v *Visit) { v.Results[1].Value = fp(math.NaN()) }, CodeResultsInvalid, "reason"},
		{"Inf reading", func(v *Visit) { v.Results[1].Value = fp(math.Inf(1)) }, CodeResultsInvalid, "reason"},
		{"bool answered with a number", func(v *Visit) { v.Results[0] = Result{Key: "valve", Value: fp(1)} }, CodeResultsInvalid, "reason"},
		{"reading answered with a bool", func(v *Visit) { v.Results[1] = Result{Key: "pressure", Bool: bp(true)} }, CodeResultsInvalid, "reason"},
		{"bool and number", func(v *Visit) { v.Results[0].Value = fp(1) }, CodeResultsInvalid, "reason"},
		{"answered twice", func(v *Visit) { v.Results = append(v.Results, v.Results[0]) }, CodeResultsInvalid, "item"},
		{"photo item with a text only", func(v *Visit) { v.Results[2] = Result{Key: "photo", Text: "no camera"} }, CodeResultsInvalid, "item"},
		{"note too long", func(v *Visit) { v.Note = strings.Repeat("x", MaxTextBytes+1) }, CodeResultsInvalid, "item"},
		{"text not UTF-8", func(v *Visit) { v.Results = append(v.Results, Result{Key: "remark", Text: "\xff"}) }, CodeResultsInvalid, "item"},
		{"auto at a checklist point", func(v *Visit) { v.Auto = true }, CodeResultsInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := goodVisit()
			tc.edit(&v)
			c, err := Verify(v)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("got %+v, %v; want %s", c, err, tc.code)
			}
			if !errors.Is(err, ErrRefused) || e.Msg == "" {
				t.Errorf("error %v", err)
			}
			if _, ok := e.Details[tc.detail]; tc.detail != "" && !ok {
				t.Errorf("details %v lack %s", e.Details, tc.detail)
			}
			if s, _ := e.Details["code"].(string); s != "" || strings.Contains(e.Error(), "P-001") {
				t.Errorf("the refusal tells the code: %v %v", e, e.Details)
			}
		})
	}
}

func TestVerifyDetails(t *testing.T) {
	v := goodVisit()
	v.Fix.Location = east(origin, 20, 0)
	_, err := Verify(v)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTooFar {
		t.Fatal(err)
	}
	if d := e.Details["distance_m"].(float64); math.Abs(d-20) > 0.1 || e.Details["radius_m"] != 15.0 {
		t.Errorf("details %v", e.Details)
	}
	v = goodVisit()
	v.Task.Sequence = true
	v.Task.Points = append([]TaskPoint{{Point: "P-1", Status: PointLate}}, v.Task.Points...)
	_, err = Verify(v)
	if !errors.As(err, &e) || e.Code != CodeOutOfSequence || e.Details["next"] != "P0" || !strings.Contains(e.Msg, "P0") {
		t.Fatalf("%v %v", err, e.Details)
	}
	// Once P0 is checked, P1 is next.
	v.Task.Points[1].Status = PointDone
	if _, err := Verify(v); err != nil {
		t.Errorf("in sequence: %v", err)
	}
}

// The order of checks: the request first, the position and the dwell,
// the code last — a wrong code away from the point is told too_far, so
// codes cannot be tried from afar.
func TestVerifyOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(v *Visit)
		code string
	}{
		{"wrong code, far", func(v *Visit) { v.Code = "X"; v.Fix.Location = east(origin, 100, 0) }, CodeTooFar},
		{"wrong code, no fix", func(v *Visit) { v.Code = "X"; v.Fix = nil }, CodeNoPosition},
		{"wrong code, short", func(v *Visit) { v.Code = "X"; v.InsideSince = t0.Add(-5 * time.Second) }, CodeTooShort},
		{"far and short", func(v *Visit) { v.Fix.Location = east(origin, 100, 0); v.InsideSince = time.Time{} }, CodeTooFar},
		{"bad results, far", func(v *Visit) { v.Results = nil; v.Fix = nil }, CodeResultsInvalid},
		{"out of sequence, far", func(v *Visit) { v.Task.Sequence = true; v.Fix = nil }, CodeOutOfSequence},
		{"closed, bad results", func(v *Visit) { v.Task.Status = TaskDone; v.Results = nil }, CodeTaskClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := goodVisit()
			tc.edit(&v)
			_, err := Verify(v)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
}

func TestVerifyLateAndApply(t *testing.T) {
	task := testTask()
	v := goodVisit()
	v.Task = task
	v.Now = task.End.Add(10 * time.Minute)
	v.Fix.At, v.InsideSince = v.Now.Add(-time.Second), v.Now.Add(-time.Minute)
	c, err := Verify(v)
	if err != nil || !c.Late {
		t.Fatalf("late check-in: %+v %v", c, err)
	}
	c.ID = "c1"
	if !task.Apply(c) || task.Points[1].Status != PointLate || task.Points[1].CheckIn != "c1" || task.Points[1].By != "alice" {
		t.Fatalf("applied %+v", task.Points[1])
	}
	if task.Apply(c) {
		t.Error("a second check-in at the point applied")
	}
	other := c
	other.Task = "other"
	other.Point = "P0"
	if task.Apply(other) {
		t.Error("another task's check-in applied")
	}
	// At Close it is still late, after it the task is closed.
	v.Now = task.Close
	v.Fix.At = v.Now
	v.Task.Points[1].Status = PointDue
	if c, err := Verify(v); err != nil || !c.Late {
		t.Errorf("at close: %+v %v", c, err)
	}
	task.Points[1].Status = PointLate
	if got := task.CloseAt(task.Close); got != nil || task.Status != TaskOpen {
		t.Errorf("closed at Close: %v %s", got, task.Status)
	}
	got := task.CloseAt(task.Close.Add(time.Second))
	if strings.Join(got, ",") != "P0,P2" || task.Status != TaskPartial || task.Points[0].Status != PointMissed {
		t.Errorf("missed %v, status %s", got, task.Status)
	}
	if task.CloseAt(task.Close.Add(time.Hour)) != nil {
		t.Error("closed twice")
	}
	rec := NotChecked(task, "P0")
	if rec.Status != RecordNotChecked || rec.Task != task.ID || !rec.At.Equal(task.Close) || rec.Person != "" {
		t.Errorf("not-checked record %+v", rec)
	}
}

func TestTaskStates(t *testing.T) {
	task := testTask()
	if got := task.CloseAt(task.Close.Add(time.Minute)); len(got) != 3 || task.Status != TaskMissed {
		t.Errorf("nothing checked: %v %s", got, task.Status)
	}
	task = testTask()
	for i, id := range []string{"P0", "P1", "P2"} {
		if task.Status != TaskOpen {
			t.Fatalf("done after %d points", i)
		}
		task.Apply(CheckIn{ID: "c" + id, Task: task.ID, Point: id, At: t0, Person: "alice"})
	}
	if task.Status != TaskDone || task.CloseAt(task.Close.Add(time.Minute)) != nil {
		t.Errorf("all checked: %s", task.Status)
	}
	task = testTask()
	if task.Apply(CheckIn{Task: task.ID, Point: "P0", Status: RecordNotChecked}) {
		t.Error("a not-checked record applied")
	}
}

// A check-in through the real position path: fixes into Dwell, then the
// stay into Verify.
func TestVerifyThroughDwell(t *testing.T) {
	p := testPoint()
	var d Dwell
	if err := d.SetPoints([]*Point{p}); err != nil {
		t.Fatal(err)
	}
	// Walk in from 40 m east at 1 m/s, one fix every 2 s, stop 4 m from
	// the point.
	start := t0.Add(-time.Minute)
	var last Fix
	for s := 0; s <= 60; s += 2 {
		x := max(40-float64(s), 4)
		last = Fix{Location: east(origin, x, 0), At: start.Add(time.Duration(s) * time.Second)}
		d.Observe("alice", last.At, last.Location)
	}
	visit := func(now time.Time) (CheckIn, error) {
		v := goodVisit()
		v.Now, v.Fix = now, &last
		v.InsideSince, _ = d.Inside("alice", p.ID, now)
		return Verify(v)
	}
	// Inside since s = 26 (14 m); the last fix at s = 60: 34 s of dwell.
	c, err := visit(last.At.Add(time.Second))
	if err != nil || c.DwellS != 34 {
		t.Fatalf("%+v %v", c, err)
	}
	// 40 s of silence later the stay has ended.
	_, err = visit(last.At.Add(40 * time.Second))
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeStalePosition {
		t.Fatalf("after silence: %v", err)
	}
}
