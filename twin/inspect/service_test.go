package inspect

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// svcRig is a real scene (three points 40 m apart, an inspector and a
// colleague with tags), a real SQLite store and alarm manager, and the
// service on an injected clock; people move through Scene.Apply, the
// twin's one position path, which the service observes.
type svcRig struct {
	t     *testing.T
	frame *geo.Frame
	scene *twin.Scene
	alarm *alarm.Manager
	svc   *Service
	now   time.Time
}

var cst = time.FixedZone("CST", 8*3600)

func newSvcRig(t *testing.T) *svcRig {
	t.Helper()
	ctx := context.Background()
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	g := &svcRig{t: t, frame: f, now: time.Date(2026, 11, 30, 7, 50, 0, 0, cst)} // a Monday
	clock := func() time.Time { return g.now }
	g.scene = twin.New(twin.Options{SiteID: "demo", Frame: f, Clock: clock})
	checklist := []any{
		map[string]any{"key": "seal", "zh": "机封无泄漏", "kind": "bool", "required": true},
		map[string]any{"key": "temp", "zh": "轴承温度", "kind": "number", "max": 80.0, "unit": "°C", "required": true},
	}
	changes := []twin.Change{
		twin.Upsert{Entity: &twin.Entity{ID: "A-1", Kind: twin.KindArea, Geometry: f.ToGeometry(orb.Polygon{{{-50, -50}, {200, -50}, {200, 50}, {-50, 50}, {-50, -50}}})}},
		twin.Upsert{Entity: &twin.Entity{ID: "IP-1", Kind: twin.KindInspectionPoint, Name: "1#泵", Geometry: f.Point(0, 0),
			Props: map[string]any{"code": "CODE-1", "checklist": checklist}}},
		twin.Upsert{Entity: &twin.Entity{ID: "IP-2", Kind: twin.KindInspectionPoint, Name: "2#泵", Geometry: f.Point(40, 0),
			Props: map[string]any{"code": "CODE-2", "checklist": checklist}}},
		twin.Upsert{Entity: &twin.Entity{ID: "IP-3", Kind: twin.KindInspectionPoint, Name: "东门", Geometry: f.Point(80, 0),
			Props: map[string]any{"code": "CODE-3", "auto_checkin": true}}},
		twin.Upsert{Entity: &twin.Entity{ID: "PS-I", Kind: twin.KindPerson, Name: "巡检员", Props: map[string]any{"department": "运行一班"},
			Mobile: &twin.Mobile{Tag: "T-I", Battery: math.NaN()}}},
		twin.Upsert{Entity: &twin.Entity{ID: "PS-O", Kind: twin.KindPerson, Name: "他人", Props: map[string]any{"department": "维修班"},
			Mobile: &twin.Mobile{Tag: "T-O", Battery: math.NaN()}}},
	}
	if err := g.scene.Apply(changes...).Err(); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if g.alarm, err = alarm.NewManager(ctx, alarm.Options{Store: db, Clock: clock}); err != nil {
		t.Fatal(err)
	}
	seed := Seed{
		Routes: []Route{{ID: "R-1", Name: "泵区巡检", Points: []string{"IP-1", "IP-2", "IP-3"}, Sequence: true}},
		Plans: []Plan{{ID: "PL-1", Name: "白班两小时巡检", Route: "R-1", Every: 2, Unit: UnitHour, Windows: []string{"08:00-20:00"},
			Days: DaysAll, Team: "运行一班", GraceMin: 30, From: "2026-01-01", Enabled: true}},
	}
	if g.svc, err = NewService(Options{Store: db, Scene: g.scene, Alarms: g.alarm, Clock: clock, Location: cst, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	g.scene.Observe(g.svc.Observe)
	if err := g.svc.seed(ctx); err != nil {
		t.Fatal(err)
	}
	g.step()
	return g
}

func (g *svcRig) step() {
	g.t.Helper()
	if err := g.svc.Step(context.Background()); err != nil {
		g.t.Fatal(err)
	}
}

// walk advances the clock by d and puts person at plant (x, y).
func (g *svcRig) walk(person string, d time.Duration, x, y float64) {
	g.t.Helper()
	g.now = g.now.Add(d)
	if err := g.scene.Apply(twin.Move{ID: person, Fix: twin.Fix{Point: g.frame.Point(x, y), At: g.now}, Battery: math.NaN()}).Err(); err != nil {
		g.t.Fatal(err)
	}
}

// stand keeps person at (x, y) for d, a fix every 2 s.
func (g *svcRig) stand(person string, d time.Duration, x, y float64) {
	g.t.Helper()
	for end := g.now.Add(d); g.now.Before(end); {
		g.walk(person, 2*time.Second, x, y)
	}
}

func answers(temp float64) []Result {
	return []Result{{Key: "seal", Bool: bp(true)}, {Key: "temp", Value: fp(temp)}}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// TestServiceCheckIns follows the 08:00 round: tasks generated from the
// plan for the team, every refusal through the position path (and each
// kept as an attempt), a check-in with a reading out of range raising a
// hidden danger on the map, the auto point checked by the trajectory,
// and the points' status on the map.
func TestServiceCheckIns(t *testing.T) {
	g := newSvcRig(t)
	ctx := context.Background()
	tasks, err := g.svc.Tasks(ctx, TaskFilter{Day: g.now, Assignee: "PS-I", Team: "运行一班"})
	if err != nil || len(tasks) != 6 || tasks[0].ID != "PL-1@20261130T0000" || tasks[0].Team != "运行一班" {
		t.Fatalf("today's tasks: %d %v, %v", len(tasks), tasks, err)
	}
	g.now = time.Date(2026, 11, 30, 8, 0, 0, 0, cst)
	g.step()
	g.walk("PS-I", time.Second, 200, 200) // far away
	in := func(point, code string, results []Result) (CheckIn, error) {
		return g.svc.CheckIn(ctx, CheckInRequest{Point: point, Code: code, Results: results, User: "inspector", Person: "PS-I"})
	}
	_, err = in("IP-1", "CODE-1", answers(60))
	wantCode(t, "far away", err, CodeTooFar)
	g.now = g.now.Add(15 * time.Second)
	_, err = in("IP-1", "CODE-1", answers(60))
	wantCode(t, "a fix 15 s old", err, CodeStalePosition)
	g.walk("PS-I", time.Second, 3, 0)
	_, err = in("IP-1", "CODE-1", answers(60))
	wantCode(t, "just arrived", err, CodeTooShort)
	_, err = in("IP-2", "CODE-2", answers(60))
	wantCode(t, "the second point first", err, CodeOutOfSequence)
	_, err = g.svc.CheckIn(ctx, CheckInRequest{Task: tasks[0].ID, Point: "IP-1", Code: "CODE-1", Results: answers(60), User: "colleague", Person: "PS-O"})
	wantCode(t, "someone outside the team", err, CodeNotAssignee)
	g.stand("PS-I", 20*time.Second, 3, 0)
	_, err = in("IP-1", "CODE-X", answers(60))
	wantCode(t, "a wrong code", err, CodeCodeMismatch)
	_, err = in("IP-1", "CODE-1", []Result{{Key: "seal", Bool: bp(true)}})
	wantCode(t, "no temperature", err, CodeResultsInvalid)
	c, err := in("IP-1", " CODE-1 ", answers(95))
	if err != nil || c.Status != RecordHazard || len(c.Dangers) != 1 || c.Task != "PL-1@20261130T0000" || c.DistanceM > 3.5 || c.DwellS < 20 {
		t.Fatalf("check-in: %+v, %v", c, err)
	}
	attempts, _ := g.svc.Attempts(ctx, "", "", time.Time{}, time.Time{}, 0)
	var codes []string
	for _, a := range attempts {
		codes = append(codes, a.Code)
	}
	slices.Sort(codes)
	if want := []string{CodeCodeMismatch, CodeNotAssignee, CodeOutOfSequence, CodeResultsInvalid, CodeStalePosition, CodeTooFar, CodeTooShort}; !slices.Equal(codes, want) {
		t.Errorf("attempts %v, want %v", codes, want)
	}
	// The hidden danger: on the map at the point, rectifying.
	d, err := g.svc.Danger(ctx, c.Dangers[0])
	if err != nil || d.Status != DangerRectifying || d.Point != "IP-1" || d.AreaID != "A-1" {
		t.Fatalf("danger %+v, %v", d, err)
	}
	if e, ok := g.scene.Get(d.ID); !ok || e.Kind != twin.KindHiddenDanger || e.Props["status"] != DangerRectifying {
		t.Errorf("danger entity %+v", e)
	}
	if _, err := g.svc.DangerStep(ctx, d.ID, "rectify", "fitter", "bearing replaced", nil); err != nil {
		t.Fatal(err)
	}
	_, err = g.svc.DangerStep(ctx, d.ID, "accept", "fitter", "ok", nil)
	wantCode(t, "accepted by the fitter", err, CodeSamePerson)
	if d, err = g.svc.DangerStep(ctx, d.ID, "accept", "manager", "checked", nil); err != nil || d.Status != DangerAccepted {
		t.Fatalf("accept: %+v %v", d, err)
	}
	if e, _ := g.scene.Get(d.ID); e.Props["status"] != DangerAccepted {
		t.Errorf("danger entity after acceptance %v", e.Props)
	}
	// IP-2 properly, then the east gate by walking there and waiting.
	g.walk("PS-I", 30*time.Second, 40, 2)
	g.stand("PS-I", 22*time.Second, 40, 2)
	if _, err := in("IP-2", "CODE-2", answers(50)); err != nil {
		t.Fatal(err)
	}
	g.walk("PS-I", 30*time.Second, 80, 1)
	g.stand("PS-I", 24*time.Second, 80, 1)
	g.step()
	task, _ := g.svc.Task(ctx, "PL-1@20261130T0000")
	if task.Status != TaskDone || task.Points[2].Status != PointDone || task.Points[2].By != "PS-I" {
		t.Fatalf("task after the round: %+v", task)
	}
	recs, _ := g.svc.CheckIns(ctx, "PS-I", "IP-3", time.Time{}, time.Time{}, 0)
	if len(recs) != 1 || !recs[0].Auto {
		t.Errorf("auto check-in %+v", recs)
	}
	for _, id := range []string{"IP-1", "IP-2", "IP-3"} {
		if e, _ := g.scene.Get(id); e.State["status"] != PointDone {
			t.Errorf("%s on the map: %v", id, e.State)
		}
	}
}

// TestServiceMissed: the 10:00 window passes unvisited; at 12:30 (its
// grace over) the task closes, each point gets a "not checked" record,
// inspection_missed names the team and the points, the map shows them
// missed — and a late check-in within the grace is flagged late.
func TestServiceMissed(t *testing.T) {
	g := newSvcRig(t)
	ctx := context.Background()
	// 10:00–12:00, then its grace to 12:30. IP-1 checked at 12:10: late.
	g.now = time.Date(2026, 11, 30, 12, 9, 0, 0, cst)
	g.step()
	g.walk("PS-I", 0, 2, 2)
	g.stand("PS-I", 22*time.Second, 2, 2)
	c, err := g.svc.CheckIn(ctx, CheckInRequest{Task: "PL-1@20261130T0200", Point: "IP-1", Code: "CODE-1", Results: answers(40), User: "inspector", Person: "PS-I"})
	if err != nil || !c.Late {
		t.Fatalf("late check-in: %+v, %v", c, err)
	}
	g.now = time.Date(2026, 11, 30, 12, 30, 1, 0, cst)
	g.step()
	task, _ := g.svc.Task(ctx, "PL-1@20261130T0200")
	if task.Status != TaskPartial || task.Points[0].Status != PointLate || task.Points[1].Status != PointMissed {
		t.Fatalf("closed task %+v", task)
	}
	var missed *alarm.Alarm
	for _, a := range g.alarm.Active() {
		if a.Type == alarm.InspectionMissed && a.Details["task_id"] == task.ID {
			missed = &a
		}
	}
	if missed == nil || missed.Details["team"] != "运行一班" || len(missed.Details["points"].([]any)) != 2 || missed.Lon == 0 {
		t.Fatalf("inspection_missed: %+v", missed)
	}
	for _, pid := range []string{"IP-2", "IP-3"} {
		recs, _ := g.svc.CheckIns(ctx, "", pid, time.Time{}, time.Time{}, 0)
		if len(recs) == 0 || recs[0].Status != RecordNotChecked || recs[0].Task != task.ID {
			t.Errorf("%s not-checked record: %+v", pid, recs)
		}
		if e, _ := g.scene.Get(pid); pid == "IP-2" && e.State["status"] != PointMissed && e.State["task"] != "PL-1@20261130T0400" {
			t.Errorf("%s on the map: %v", pid, e.State)
		}
	}
	rows, err := g.svc.Stats(ctx, time.Date(2026, 11, 30, 0, 0, 0, 0, cst), time.Date(2026, 12, 1, 0, 0, 0, 0, cst), ByTeam)
	if err != nil || len(rows) != 1 || rows[0].Late != 1 || rows[0].Missed < 2 {
		t.Fatalf("stats by team: %+v, %v", rows, err)
	}
}

// TestServiceRestart: a new service over the same store takes the open
// tasks and does not generate them twice.
func TestServiceRestart(t *testing.T) {
	g := newSvcRig(t)
	ctx := context.Background()
	before, _ := g.svc.Tasks(ctx, TaskFilter{})
	again, err := NewService(g.svc.opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Step(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := again.Tasks(ctx, TaskFilter{})
	if len(after) != len(before) || len(again.open) != len(g.svc.open) {
		t.Errorf("tasks %d → %d, open %d → %d", len(before), len(after), len(g.svc.open), len(again.open))
	}
}

// TestServiceReportOverdue: a hidden danger reported to be fixed on the
// spot gets the 24 h default deadline; a past deadline is refused; when
// the deadline passes unrectified the map marks it overdue.
func TestServiceReportOverdue(t *testing.T) {
	g := newSvcRig(t)
	ctx := context.Background()
	at := g.frame.Point(10, 10)
	d, err := g.svc.Report(ctx, Danger{Description: "法兰滴漏", Lon: at[0], Lat: at[1], Level: DangerGeneral, Fix: FixOnSpot, FoundBy: "inspector"})
	if err != nil || d.Deadline == nil || !d.Deadline.Equal(g.now.Add(DefaultOnSpotDeadline)) || d.AreaID != "A-1" {
		t.Fatalf("report: %+v, %v", d, err)
	}
	past := g.now.Add(-time.Minute)
	_, err = g.svc.Report(ctx, Danger{Description: "x", Lon: at[0], Lat: at[1], Level: DangerGeneral, Fix: FixDeadline, Deadline: &past, FoundBy: "inspector"})
	wantCode(t, "a past deadline", err, CodeInvalidInput)
	if e, _ := g.scene.Get(d.ID); e.Props["overdue"] != false {
		t.Errorf("fresh danger overdue: %v", e.Props["overdue"])
	}
	g.now = g.now.Add(25 * time.Hour)
	g.step()
	if e, _ := g.scene.Get(d.ID); e.Props["overdue"] != true {
		t.Errorf("a day and an hour on: overdue %v", e.Props["overdue"])
	}
}

// TestServiceRunSurvivesStore: with the store gone (closed), Run keeps
// going — logging, retrying — and returns nil when stopped: a database
// outage must not stop the plant's services.
func TestServiceRunSurvivesStore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, _ := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	scene := twin.New(twin.Options{SiteID: "demo", Frame: f})
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	svc, err := NewService(Options{Store: db, Scene: scene, Seed: Seed{Routes: []Route{{ID: "R", Name: "r", Points: []string{"IP"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	select {
	case err := <-done:
		t.Fatalf("Run returned while the store is down: %v", err)
	case <-time.After(200 * time.Millisecond): // not a timing assertion: Run must still be running
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after stop: %v", err)
	}
}
