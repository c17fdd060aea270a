package inspect

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func failedCheckIn(t *testing.T) (CheckIn, *Point) {
	t.Helper()
	v := goodVisit()
	v.Point.NameEn = "pump house entrance"
	v.Results = []Result{{Key: "valve", Bool: bp(false), Text: "法兰滴漏"}, {Key: "pressure", Value: fp(1.75)},
		{Key: "temp", Value: fp(65)}, {Key: "photo", Photo: "blob-9"}}
	c, err := Verify(v)
	if err != nil {
		t.Fatal(err)
	}
	c.ID = "C42"
	return c, v.Point
}

func TestDangersFrom(t *testing.T) {
	c, p := failedCheckIn(t)
	if c.Status != RecordHazard {
		t.Fatalf("status %d", c.Status)
	}
	ds := DangersFrom(c, p, t0, "alice")
	if len(ds) != 2 {
		t.Fatalf("%d dangers, want 2 (valve and pressure): %+v", len(ds), ds)
	}
	valve, pressure := ds[0], ds[1]
	if valve.ID != "C42-valve" || valve.Fix != FixOnSpot || !valve.Deadline.Equal(t0.Add(24*time.Hour)) ||
		valve.Description != "泵房入口：阀门无泄漏检查不合格（法兰滴漏）" || valve.DescriptionEn != "pump house entrance: valve tight failed (法兰滴漏)" {
		t.Errorf("valve %+v", valve)
	}
	if pressure.Fix != FixDeadline || !pressure.Deadline.Equal(t0.Add(7*24*time.Hour)) ||
		pressure.Description != "泵房入口：出口压力读数 1.75 MPa，超出上限 1.6 MPa" ||
		pressure.DescriptionEn != "pump house entrance: outlet pressure reads 1.75 MPa, above the maximum 1.6 MPa" {
		t.Errorf("pressure %+v", pressure)
	}
	for _, d := range ds {
		if d.Level != DangerGeneral || d.Status != DangerRectifying || d.Point != "P1" || d.CheckIn != "C42" ||
			d.Lon != origin[0] || d.Lat != origin[1] || len(d.Photos) != 1 || d.FoundBy != "alice" ||
			len(d.Log) != 1 || d.Log[0].Action != ActionFound {
			t.Errorf("danger %+v", d)
		}
	}
	// Below the minimum, with no English label.
	low := Result{Key: "pressure", Value: fp(0.1)}
	c.Results = []Result{low}
	p.Checklist[1].En = ""
	ds = DangersFrom(c, p, t0, "alice")
	if len(ds) != 1 || ds[0].Description != "泵房入口：出口压力读数 0.1 MPa，低于下限 0.2 MPa" ||
		!strings.HasPrefix(ds[0].DescriptionEn, "pump house entrance: pressure reads 0.1 MPa, below") {
		t.Errorf("low %+v", ds)
	}
	// A clean check-in raises nothing.
	good, err := Verify(goodVisit())
	if err != nil || DangersFrom(good, testPoint(), t0, "alice") != nil || DangersFrom(c, nil, t0, "x") != nil {
		t.Errorf("dangers from a clean check-in (%v)", err)
	}
}

func TestDangerLifecycle(t *testing.T) {
	c, p := failedCheckIn(t)
	d := DangersFrom(c, p, t0, "alice")[1]
	code := func(err error) string {
		var e *Error
		if errors.As(err, &e) {
			return e.Code
		}
		return ""
	}
	h := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }
	steps := []struct {
		name string
		do   func() error
		want string // refusal code, "" for success
		st   string // status after
	}{
		{"accept before rectifying", func() error { return d.Accept("mgr", h(1), "") }, CodeInvalidState, DangerRectifying},
		{"reject before rectifying", func() error { return d.Reject("mgr", h(1), "no") }, CodeInvalidState, DangerRectifying},
		{"rectify with nothing", func() error { return d.Rectify("bob", h(1), "  ", []string{""}) }, CodeNoteRequired, DangerRectifying},
		{"rectify by no one", func() error { return d.Rectify(" ", h(1), "done", nil) }, CodeByRequired, DangerRectifying},
		{"rectify before it was found", func() error { return d.Rectify("bob", h(-1), "done", nil) }, CodeInvalidTime, DangerRectifying},
		{"rectify with a long note", func() error { return d.Rectify("bob", h(1), strings.Repeat("长", MaxTextBytes), nil) }, CodeInvalidInput, DangerRectifying},
		{"rectify with a photo", func() error { return d.Rectify("bob", h(2), "", []string{"blob-r1"}) }, "", DangerAwaiting},
		{"rectify twice", func() error { return d.Rectify("bob", h(2), "again", nil) }, CodeInvalidState, DangerAwaiting},
		{"accept own work", func() error { return d.Accept("bob", h(3), "ok") }, CodeSamePerson, DangerAwaiting},
		{"reject without a note", func() error { return d.Reject("mgr", h(3), " ") }, CodeNoteRequired, DangerAwaiting},
		{"reject", func() error { return d.Reject("mgr", h(3), "压力仍偏高") }, "", DangerRectifying},
		{"rectify by another", func() error { return d.Rectify("carol", h(4), "更换减压阀", nil) }, "", DangerAwaiting},
		// bob rectified first, but carol's work is the one accepted now.
		{"accept by the first rectifier", func() error { return d.Accept("bob", h(5), "ok") }, "", DangerAccepted},
		{"accept twice", func() error { return d.Accept("mgr", h(6), "ok") }, CodeInvalidState, DangerAccepted},
	}
	for _, s := range steps {
		err := s.do()
		if got := code(err); got != s.want || (s.want == "") != (err == nil) {
			t.Fatalf("%s: %v, want %q", s.name, err, s.want)
		}
		if d.Status != s.st {
			t.Fatalf("%s: status %s, want %s", s.name, d.Status, s.st)
		}
	}
	var actions []string
	for _, e := range d.Log {
		actions = append(actions, e.Action+":"+e.By)
	}
	if strings.Join(actions, " ") != "found:alice rectified:bob rejected:mgr rectified:carol accepted:bob" {
		t.Errorf("log %v", actions)
	}
	if len(d.Log[1].Photos) != 1 || d.Log[1].Photos[0] != "blob-r1" {
		t.Errorf("rectification photos %v", d.Log[1].Photos)
	}
}

func TestDangerOverdue(t *testing.T) {
	c, p := failedCheckIn(t)
	d := DangersFrom(c, p, t0, "alice")[1] // deadline t0 + 7 days
	dl := *d.Deadline
	if d.Overdue(dl) || !d.Overdue(dl.Add(time.Second)) {
		t.Error("overdue at the deadline, or not after it")
	}
	if err := d.Rectify("bob", dl.Add(-time.Hour), "done", nil); err != nil {
		t.Fatal(err)
	}
	if d.Overdue(dl.Add(time.Hour)) {
		t.Error("overdue while awaiting acceptance")
	}
	if err := d.Reject("mgr", dl.Add(time.Hour), "not done"); err != nil {
		t.Fatal(err)
	}
	if !d.Overdue(dl.Add(2 * time.Hour)) {
		t.Error("a rejected rectification past the deadline is not overdue")
	}
	if err := d.Rectify("bob", dl.Add(3*time.Hour), "done", nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Accept("mgr", dl.Add(4*time.Hour), ""); err != nil || d.Overdue(dl.Add(5*time.Hour)) {
		t.Errorf("accepted: %v, overdue %v", err, d.Overdue(dl.Add(5*time.Hour)))
	}
}
