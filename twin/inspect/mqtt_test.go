package inspect_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/internal/mqtttest"
	"github.com/chemtwin/chemtwin/internal/mqtttest/pipeline"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/inspect"
)

// TestCheckInMqtt runs every refusal of a check-in, a check-in, an auto
// check-in by trajectory and a missed point through the real position
// path — tag fixes published over MQTT (the embedded broker and
// mosquitto) into ingest and the scene — on an injected clock.
func TestCheckInMqtt(t *testing.T) {
	t.Run("embedded", func(t *testing.T) { testCheckInMqtt(t, pipeline.Embedded(t)) })
	t.Run("mosquitto", func(t *testing.T) { testCheckInMqtt(t, mqtttest.Mosquitto(t)) })
}

func testCheckInMqtt(t *testing.T, url string) {
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	clk := pipeline.NewClock(time.Date(2026, 11, 30, 8, 0, 0, 0, cst)) // a Monday
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	scene := twin.New(twin.Options{SiteID: pipeline.RandomSite("insp"), Frame: f, Clock: clk.Now})
	checklist := []any{map[string]any{"key": "temp", "zh": "轴承温度", "kind": "number", "max": 80.0, "unit": "°C", "required": true}}
	if err := scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "IP-1", Kind: twin.KindInspectionPoint, Name: "1#泵", Geometry: f.Point(0, 0),
			Props: map[string]any{"code": "CODE-1", "checklist": checklist}}},
		twin.Upsert{Entity: &twin.Entity{ID: "IP-2", Kind: twin.KindInspectionPoint, Name: "2#泵", Geometry: f.Point(40, 0),
			Props: map[string]any{"code": "CODE-2", "checklist": checklist}}},
		twin.Upsert{Entity: &twin.Entity{ID: "IP-3", Kind: twin.KindInspectionPoint, Name: "东门", Geometry: f.Point(80, 0),
			Props: map[string]any{"code": "CODE-3", "auto_checkin": true}}},
		twin.Upsert{Entity: &twin.Entity{ID: "PS-I", Kind: twin.KindPerson, Name: "巡检员", Mobile: &twin.Mobile{Tag: "T-I", Battery: math.NaN()}}},
	).Err(); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	alarms, err := alarm.NewManager(ctx, alarm.Options{Store: db, Clock: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	seed := inspect.Seed{
		Routes: []inspect.Route{{ID: "R-1", Name: "泵区", Points: []string{"IP-1", "IP-2", "IP-3"}, Sequence: true}},
		Plans: []inspect.Plan{{ID: "PL-1", Name: "两小时巡检", Route: "R-1", Every: 2, Unit: inspect.UnitHour, Windows: []string{"08:00-12:00"},
			Days: inspect.DaysAll, Assignee: "PS-I", GraceMin: 30, From: "2026-01-01", Enabled: true}},
	}
	svc, err := inspect.NewService(inspect.Options{Store: db, Scene: scene, Alarms: alarms, Clock: clk.Now, Location: cst,
		Seed: seed, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	scene.Observe(svc.Observe)
	run := pipeline.Runner(t)
	p := pipeline.Start(t, url, scene, clk, run)
	// Run seeds the plan and steps once at once; wait for the task.
	run(svc.Run)
	task := "PL-1@20261130T0000"
	p.Eventually("the 08:00 task", func() bool { _, err := svc.Task(ctx, task); return err == nil })

	reading := func(v float64) []inspect.Result { return []inspect.Result{{Key: "temp", Value: &v}} }
	in := func(point, code string) error {
		_, err := svc.CheckIn(ctx, inspect.CheckInRequest{Task: task, Point: point, Code: code, Results: reading(60), User: "inspector", Person: "PS-I"})
		return err
	}
	want := func(what string, err error, code string) {
		t.Helper()
		var e *inspect.Error
		if !errors.As(err, &e) || e.Code != code {
			t.Errorf("%s: %v, want %s", what, err, code)
		}
	}
	want("no fix yet", in("IP-1", "CODE-1"), inspect.CodeNoPosition)
	p.Place("T-I", 60, 0)
	want("60 m away", in("IP-1", "CODE-1"), inspect.CodeTooFar)
	clk.Add(11 * time.Second)
	want("a fix 11 s old", in("IP-1", "CODE-1"), inspect.CodeStalePosition)
	p.Place("T-I", 2, 1)
	want("just arrived", in("IP-1", "CODE-1"), inspect.CodeTooShort)
	want("the second point first", in("IP-2", "CODE-2"), inspect.CodeOutOfSequence)
	for range 11 { // 22 s at the pump, a fix every 2 s
		clk.Add(2 * time.Second)
		p.Place("T-I", 2, 1)
	}
	want("a wrong code", in("IP-1", "CODE-X"), inspect.CodeCodeMismatch)
	if err := in("IP-1", "CODE-1"); err != nil {
		t.Fatalf("at the pump: %v", err)
	}
	// The east gate checks in by trajectory: stop there 25 s.
	for range 13 {
		clk.Add(2 * time.Second)
		p.Place("T-I", 80, 2)
	}
	if err := svc.Step(ctx); err != nil {
		t.Fatal(err)
	}
	tk, _ := svc.Task(ctx, task)
	if tk.Points[0].Status != inspect.PointDone || tk.Points[1].Status != inspect.PointDue {
		t.Fatalf("task %+v", tk.Points)
	}
	// IP-3 waits for IP-2 (a sequenced route): the stay was no check-in.
	if tk.Points[2].Status != inspect.PointDue {
		t.Errorf("auto check-in out of sequence: %+v", tk.Points[2])
	}
	// After the window and its grace, IP-2 and IP-3 are missed.
	clk.Add(3 * time.Hour)
	if err := svc.Step(ctx); err != nil {
		t.Fatal(err)
	}
	tk, _ = svc.Task(ctx, task)
	if tk.Status != inspect.TaskPartial || tk.Points[1].Status != inspect.PointMissed {
		t.Errorf("closed task %+v", tk)
	}
	missed := 0
	for _, a := range alarms.Active() {
		if a.Type == alarm.InspectionMissed && a.Details["task_id"] == task {
			missed++
		}
	}
	if missed != 1 {
		t.Errorf("%d inspection_missed alarms for the task", missed)
	}
	attempts, _ := svc.Attempts(ctx, "PS-I", "", time.Time{}, time.Time{}, 0)
	if len(attempts) != 6 {
		t.Errorf("%d attempts kept, want 6", len(attempts))
	}
}
