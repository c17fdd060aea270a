package permit

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/substance"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func hotWork(t *testing.T, r *Rules) *Permit {
	t.Helper()
	p, err := r.New(Request{ID: "PTW-1", Type: "hot_work", Level: "2", Start: t0, End: t0.Add(8 * time.Hour),
		Workers: []string{"P-1", "P-2"}, Guardian: "P-3", Approvers: []string{"unit_head", "safety"}, Substance: "methane"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// wantRefusal checks err is a refusal with code and, for a hard block,
// the PTW alarm code.
func wantRefusal(t *testing.T, what string, err error, code, ptw string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || e.PTW != ptw || !errors.Is(err, ErrRefused) || errors.Is(err, ErrBlocked) != (ptw != "") {
		t.Errorf("%s: %v (%+v), want code %s PTW %q", what, err, e, code, ptw)
	}
}

// TestHotWorkWorkflow walks a level-2 hot-work permit from booking to
// acceptance through every hard block on the way.
func TestHotWorkWorkflow(t *testing.T) {
	r := Default()
	methane, _ := substance.Default().Get("methane")
	p := hotWork(t, r)
	if p.Status != "booked" || len(p.Measures) != 16 || p.Measures[0].N != 1 {
		t.Fatalf("booked: %+v", p)
	}
	wantRefusal(t, "approve before applying", r.Approve(p, "unit_head", true, t0), "invalid_state", "")
	if err := r.Apply(p); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, "approver not on site", r.Approve(p, "unit_head", false, t0), "approver_not_on_site", "30")
	wantRefusal(t, "out of order", r.Approve(p, "safety", true, t0), "approver_out_of_order", "")
	wantRefusal(t, "not an approver", r.Approve(p, "someone", true, t0), "not_an_approver", "")
	wantRefusal(t, "no risk analysis", r.Approve(p, "unit_head", true, t0), "risk_analysis_missing", "80")
	r.IdentifyRisk(p, "P-3", t0)
	wantRefusal(t, "no briefing", r.Approve(p, "unit_head", true, t0), "briefing_missing", "70")
	r.Brief(p, "P-3", t0)
	wantRefusal(t, "measures open", r.Approve(p, "unit_head", true, t0), "measures_unconfirmed", "90")
	wantRefusal(t, "measure 17", r.ConfirmMeasure(p, 17, "P-3", t0), "measure_not_found", "")
	for n := range p.Measures {
		if err := r.ConfirmMeasure(p, n+1, "P-3", t0); err != nil {
			t.Fatal(err)
		}
	}
	wantRefusal(t, "no gas analysis", r.Approve(p, "unit_head", true, t0), "gas_analysis_missing", "01")
	if _, err := r.AddGasAnalysis(p, methane, 0.2, substance.PctVol, t0.Add(-40*time.Minute), "analyst", false); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, "analysis 40 min old", r.Approve(p, "unit_head", true, t0), "gas_analysis_stale", "02")
	a, _ := r.AddGasAnalysis(p, methane, 0.8, substance.PctVol, t0.Add(-10*time.Minute), "analyst", false)
	if a.Verdict.Pass {
		t.Fatalf("0.8 %%vol methane passed: %+v", a.Verdict)
	}
	wantRefusal(t, "failing analysis", r.Approve(p, "unit_head", true, t0), "gas_analysis_failed", "")
	r.AddGasAnalysis(p, methane, 0.1, substance.PctVol, t0.Add(-5*time.Minute), "analyst", false)
	if err := r.Approve(p, "unit_head", true, t0); err != nil || p.Status != "applied" {
		t.Fatalf("first approval: %v, %s", err, p.Status)
	}
	if err := r.Approve(p, "safety", true, t0.Add(time.Minute)); err != nil || p.Status != "approved" {
		t.Fatalf("last approval: %v, %s", err, p.Status)
	}
	// Start: the analysis is 35 min old by 09:30.
	wantRefusal(t, "stale at start", r.Start(p, t0.Add(30*time.Minute), Conditions{}), "gas_analysis_stale", "02")
	r.AddGasAnalysis(p, methane, 0.1, substance.PctVol, t0.Add(25*time.Minute), "analyst", false)
	if err := r.Start(p, t0.Add(30*time.Minute), Conditions{}); err != nil || p.Status != "in_progress" {
		t.Fatalf("start: %v, %s", err, p.Status)
	}
	// A break: resume only after a new analysis sampled since.
	brk := t0.Add(2 * time.Hour)
	if err := r.Suspend(p, "lunch", brk); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, "resume without analysis", r.Resume(p, brk.Add(90*time.Minute), Conditions{}), "gas_analysis_missing", "03")
	r.AddGasAnalysis(p, methane, 0.1, substance.PctVol, brk.Add(85*time.Minute), "analyst", false)
	if err := r.Resume(p, brk.Add(90*time.Minute), Conditions{}); err != nil || p.Status != "in_progress" || p.SuspendedAt != nil {
		t.Fatalf("resume: %v, %s", err, p.Status)
	}
	wantRefusal(t, "cancel in progress", r.Cancel(p, "x"), "invalid_state", "")
	if err := r.Close(p); err != nil || p.Status != "accepted" {
		t.Fatalf("close: %v %s", err, p.Status)
	}
	if code, _ := r.StatusCode(p.Status); code != 3 {
		t.Errorf("accepted is AQ code %d", code)
	}
}

// TestNewRefuses: requests the rules refuse at booking.
func TestNewRefuses(t *testing.T) {
	r := Default()
	ok := Request{ID: "X", Type: "hot_work", Level: "1", Start: t0, End: t0.Add(8 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}
	for name, c := range map[string]struct {
		edit      func(q *Request)
		code, ptw string
	}{
		"unknown type":        {func(q *Request) { q.Type = "welding" }, "invalid_type", ""},
		"unknown level":       {func(q *Request) { q.Level = "3" }, "invalid_level", ""},
		"pull and plug":       {func(q *Request) { q.Type, q.Level = "blind_plate", "pull+plug" }, "blind_pull_and_plug", "20"},
		"no workers":          {func(q *Request) { q.Workers = nil }, "workers_missing", ""},
		"no guardian":         {func(q *Request) { q.Guardian = "" }, "guardian_missing", ""},
		"guardian works":      {func(q *Request) { q.Guardian = "P-1" }, "guardian_is_worker", ""},
		"no approvers":        {func(q *Request) { q.Approvers = nil }, "approvers_missing", ""},
		"reversed window":     {func(q *Request) { q.End = q.Start }, "invalid_window", ""},
		"longer than 8 h":     {func(q *Request) { q.End = q.Start.Add(9 * time.Hour) }, "validity_exceeded", ""},
		"confined over a day": {func(q *Request) { q.Type, q.Level, q.End = "confined_space", "", q.Start.Add(25*time.Hour) }, "validity_exceeded", ""},
	} {
		q := ok
		c.edit(&q)
		_, err := r.New(q)
		wantRefusal(t, name, err, c.code, c.ptw)
	}
	if _, err := r.New(ok); err != nil {
		t.Errorf("the good one: %v", err)
	}
}

// TestGasByType: temporary power needs gas analyses only in fire and
// explosion hazard areas; work at height never.
func TestGasByType(t *testing.T) {
	r := Default()
	ready := func(typ, level string, fireArea bool) error {
		p, err := r.New(Request{ID: "X", Type: typ, Level: level, Start: t0, End: t0.Add(time.Hour),
			Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}, FireArea: fireArea})
		if err != nil {
			t.Fatal(err)
		}
		r.Apply(p)
		r.IdentifyRisk(p, "x", t0)
		r.Brief(p, "x", t0)
		for n := range p.Measures {
			r.ConfirmMeasure(p, n+1, "x", t0)
		}
		return r.Approve(p, "a", true, t0)
	}
	if err := ready("temp_power", "", false); err != nil {
		t.Errorf("temporary power outside fire areas: %v", err)
	}
	wantRefusal(t, "temporary power in a fire area", ready("temp_power", "", true), "gas_analysis_missing", "01")
	if err := ready("height", "2", false); err != nil {
		t.Errorf("height: %v", err)
	}
	wantRefusal(t, "confined space", ready("confined_space", "", false), "gas_analysis_missing", "01")
}

// TestCancelAndExpire: a cancellation needs a reason; a permit past its
// window expires unless finished.
func TestCancelAndExpire(t *testing.T) {
	r := Default()
	p := hotWork(t, r)
	wantRefusal(t, "no reason", r.Cancel(p, " "), "reason_missing", "")
	if err := r.Cancel(p, "plan changed"); err != nil || p.Status != "cancelled" {
		t.Fatalf("cancel: %v %s", err, p.Status)
	}
	if r.Expire(p, t0.Add(9*time.Hour)) {
		t.Error("a cancelled permit expired")
	}
	q := hotWork(t, r)
	r.Apply(q)
	if r.Expire(q, t0.Add(time.Hour)) || !r.Expire(q, t0.Add(8*time.Hour)) || q.Status != "expired" {
		t.Errorf("expire: %s", q.Status)
	}
	if code, _ := r.StatusCode(q.Status); code != 4 {
		t.Errorf("expired is AQ code %d", code)
	}
}

// TestCheckWorkers: hot workers need a welding certificate in force;
// work at height needs none.
func TestCheckWorkers(t *testing.T) {
	r := Default()
	p := hotWork(t, r)
	valid := Held{Kind: "welding", Number: "T-1", Expires: t0.AddDate(1, 0, 0)}
	old := Held{Kind: "welding", Number: "T-0", Expires: t0.AddDate(0, -1, 0)}
	elec := Held{Kind: "electrician", Number: "E-1", Expires: t0.AddDate(1, 0, 0)}
	if err := r.CheckWorkers(p, map[string][]Held{"P-1": {old, valid}, "P-2": {valid}}, t0); err != nil {
		t.Errorf("both certified (one renewed): %v", err)
	}
	wantRefusal(t, "one without", r.CheckWorkers(p, map[string][]Held{"P-1": {valid}, "P-2": {elec}}, t0), "certificate_missing", "50")
	wantRefusal(t, "one expired", r.CheckWorkers(p, map[string][]Held{"P-1": {valid}, "P-2": {old}}, t0), "certificate_expired", "51")
	// A ticket of the same class for another operation does not match;
	// the operation named in the certificate does.
	instr := Held{Class: "特种作业操作证", Name: "化工自动化控制仪表作业", Number: "TZ-3", Expires: t0.AddDate(1, 0, 0)}
	weld := Held{Class: "特种作业操作证", Name: "熔化焊接与热切割作业", Number: "TZ-4", Expires: t0.AddDate(1, 0, 0)}
	wantRefusal(t, "mismatch", r.CheckWorkers(p, map[string][]Held{"P-1": {valid}, "P-2": {instr}}, t0), "certificate_mismatch", "52")
	if err := r.CheckWorkers(p, map[string][]Held{"P-1": {weld}, "P-2": {instr, weld}}, t0); err != nil {
		t.Errorf("named operation: %v", err)
	}
	h, err := r.New(Request{ID: "H", Type: "height", Level: "1", Start: t0, End: t0.Add(time.Hour), Workers: []string{"P-9"}, Guardian: "P-3", Approvers: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckWorkers(h, nil, t0); err != nil {
		t.Errorf("height needs no certificate here: %v", err)
	}
}

// TestUpgradeAtBooking: level-2 hot work booked into the evening is booked
// as level 1 and says why; a day permit started in a special period
// declared after its booking is a hard block (PTW 43), in a gale a
// refusal; level 1 over a Saturday becomes 特级, and level 2 upgraded is
// bound by level 1's 8 h; 特级 has nowhere to go.
func TestUpgradeAtBooking(t *testing.T) {
	r := Default()
	q := Request{ID: "X", Type: "hot_work", Level: "2", Start: t0.Add(6 * time.Hour), End: t0.Add(10 * time.Hour), // 15:00–19:00 Monday
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}
	p, err := r.New(q)
	if err != nil || p.Level != "1" || p.UpgradedFrom != "2" || len(p.UpgradeReasons) != 1 || p.UpgradeReasons[0] != UpgradeNight {
		t.Fatalf("evening level 2: %+v, %v", p, err)
	}
	day := q
	day.End = t0.Add(8 * time.Hour) // 15:00–17:00
	d, err := r.New(day)
	if err != nil || d.Level != "2" || d.UpgradedFrom != "" {
		t.Fatalf("afternoon level 2: %+v, %v", d, err)
	}
	d.Status = "approved" // the sign-off steps are TestHotWorkWorkflow's
	// A special period declared after the booking covers the start.
	period := Conditions{Calendar: Calendar{SpecialPeriods: []Period{{Name: "重大活动", From: t0, To: t0.Add(24 * time.Hour)}}}}
	wantRefusal(t, "started in a special period", r.Start(d, t0.Add(6*time.Hour+30*time.Minute), period), "not_upgraded", "43")
	wantRefusal(t, "started in a gale", r.Start(d, t0.Add(6*time.Hour+30*time.Minute), Conditions{WindMS: 9}), "not_upgraded", "")
	// The other start-time reasons, each with its PTW code: the day made a
	// holiday after the booking (40); the site's clock saying it is a rest
	// day (41: the day was a 调休 workday when booked, and no longer) or
	// night (42: a site eight hours east, where 15:30 here is 23:30).
	today := t0.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	wantRefusal(t, "started on a holiday", r.Start(d, t0.Add(6*time.Hour+30*time.Minute), Conditions{Calendar: Calendar{Holidays: []string{today}}}), "not_upgraded", "40")
	sunday := d.Start.AddDate(0, 0, -1)
	sd, err := r.New(Request{ID: "SD", Type: "hot_work", Level: "2", Start: sunday, End: sunday.Add(2 * time.Hour), Workers: []string{"P-1"},
		Guardian: "P-2", Approvers: []string{"a"}, When: Conditions{Calendar: Calendar{Workdays: []string{sunday.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)}}}})
	if err != nil || sd.Level != "2" {
		t.Fatalf("a Sunday worked instead: %+v, %v", sd, err)
	}
	sd.Status = "approved"
	wantRefusal(t, "started on a rest day", r.Start(sd, sunday.Add(30*time.Minute), Conditions{}), "not_upgraded", "41")
	wantRefusal(t, "started at night", r.Start(d, t0.Add(6*time.Hour+30*time.Minute), Conditions{Location: time.FixedZone("UTC+16", 16*3600)}), "not_upgraded", "42")
	sat := Request{ID: "S", Type: "hot_work", Level: "1", Start: t0.Add(-48 * time.Hour), End: t0.Add(-40 * time.Hour), // Saturday 09:00–17:00
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}
	s, err := r.New(sat)
	if err != nil || s.Level != "special" || s.UpgradeReasons[0] != UpgradeRestDay {
		t.Fatalf("Saturday level 1: %+v, %v", s, err)
	}
	two := sat
	two.Level, two.End = "2", two.Start.Add(24*time.Hour) // level 2 may run 72 h, level 1 only 8
	_, err = r.New(two)
	wantRefusal(t, "a Saturday day for level 2 upgraded to 8 h", err, "validity_exceeded", "")
	top := sat
	top.Level = "special"
	if sp, err := r.New(top); err != nil || sp.Level != "special" || sp.UpgradedFrom != "" {
		t.Errorf("special: %+v, %v", sp, err)
	}
}

// TestLog: the log chains every step; any edit, drop or swap breaks it,
// also after a JSON round trip.
func TestLog(t *testing.T) {
	r := Default()
	p := hotWork(t, r)
	steps := []struct {
		by, action string
		detail     map[string]any
	}{
		{"planner", "create", map[string]any{"type": "hot_work", "level": 2}},
		{"planner", "apply", nil},
		{"P-3", "confirm_measure", map[string]any{"n": 1}},
		{"unit_head", "approve", map[string]any{"distance_m": 12.5, "on_site": true}},
	}
	for i, s := range steps {
		if _, err := p.Record(s.by, s.action, s.detail, t0.Add(time.Duration(i)*time.Minute+123456*time.Nanosecond)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.VerifyLog(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	var back Permit
	if err := json.Unmarshal(b, &back); err != nil || back.VerifyLog() != nil {
		t.Fatalf("after a round trip: %v / %v", err, back.VerifyLog())
	}
	for name, tamper := range map[string]func(q *Permit){
		"a changed detail": func(q *Permit) { q.Log[3].Detail["distance_m"] = 2.0 },
		"a changed actor":  func(q *Permit) { q.Log[2].By = "someone" },
		"a dropped entry":  func(q *Permit) { q.Log = append(q.Log[:1], q.Log[2:]...) },
		"two swapped":      func(q *Permit) { q.Log[1], q.Log[2] = q.Log[2], q.Log[1] },
		"a changed time":   func(q *Permit) { q.Log[0].At = q.Log[0].At.Add(time.Second) },
	} {
		var q Permit
		json.Unmarshal(b, &q)
		tamper(&q)
		if err := q.VerifyLog(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s went unnoticed: %v", name, err)
		}
	}
}
