package scenes

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/inspect"
)

// inspectionProblems are the problems testdata/inspections must report.
var inspectionProblems = []Problem{
	{"inspection_points.geojson", "IP-LIST", `checklist: want a list of objects, got "not a list"`},
	{"inspection_points.geojson", "IP-LINE", "geometry LineString: a inspection_point must be a Point"},
	{"inspection_points.geojson", "IP-NOCODE", "code must be 1–256 bytes"},
	{"inspection_points.geojson", "IP-RADIUS", "radius_m 0 (want 1–200)"},
	{"inspection_points.geojson", "IP-AUTO", "auto check-in is for points without a checklist"},
	{"inspection_points.geojson", "IP-KIND", `checklist item 1: kind "slider"`},
	{"inspection_points.geojson", "IP-LIMITS", "checklist item 1: min 5 above max 1"},
	{"inspection_points.geojson", "IP-DUPCODE", `code "CT-IP-1" is also the code of IP-1`},
	{"inspection_points.geojson", "IP-EQ", "equipment EQ-404 does not exist"},
	{"inspections.json", "RT-TWICE", "point IP-1 twice"},
	{"inspections.json", "route 6", "route without id or name"},
	{"inspections.json", "RT-FIELD", `unknown field "squence"`},
	{"inspections.json", "PL-UNIT", `unit "fortnight" (want hour, day, week or month)`},
	{"inspections.json", "PL-WIN", `window "8-20" (want HH:MM-HH:MM)`},
	{"inspections.json", "PL-TYPE", "every: want int, got string"},
	{"inspections.json", "PL-NOBODY", "an assignee or a team is required"},
	{"inspections.json", "PL-WEEKWIN", "shift windows are for hourly and daily plans"},
	{"inspections.json", "PL-FROM", `from "2026/01/01" (want YYYY-MM-DD)`},
	{"inspections.json", "RT-GHOST", "point IP-404 does not exist"},
	{"inspections.json", "RT-EQ", "point EQ-1 is of kind equipment, not inspection_point"},
	{"inspections.json", "RT-1", "duplicate route id"},
	{"inspections.json", "PL-ROUTE", "route RT-404 is not in inspections.json"},
	{"inspections.json", "PL-WHO", "assignee P-404 is not a person in the registry"},
	{"inspections.json", "PL-TEAM", `team "消防队" is not a department of the registry (want one of 储运部, 巡检班)`},
	{"inspections.json", "PL-1", "duplicate plan id"},
}

// TestInspectionsFixture validates a folder with one of each mistake an
// inspection point or inspections.json can have; the good points, routes
// and plans in it report nothing.
func TestInspectionsFixture(t *testing.T) {
	fsys := os.DirFS("testdata/inspections")
	got := Validate(fsys)
	for _, want := range inspectionProblems {
		t.Run(want.File+"/"+want.ID, func(t *testing.T) {
			for _, p := range got {
				if p.File == want.File && p.ID == want.ID && strings.Contains(p.Reason, want.Reason) {
					return
				}
			}
			t.Errorf("missing problem %s", want)
		})
	}
	if len(got) != len(inspectionProblems) {
		t.Errorf("%d problems, want %d:\n%s", len(got), len(inspectionProblems), listProblems(got))
	}
	for _, p := range got {
		if p.ID == "IP-1" || p.ID == "IP-2" || p.ID == "PL-TYPE" && !strings.Contains(p.Reason, "every") {
			t.Errorf("problem with a good item: %s", p)
		}
	}
	if _, err := Load(fsys); !errors.Is(err, ErrInvalid) {
		t.Errorf("Load error = %v, want the problems", err)
	}
}

// inspectionScene is testScene with an inspection point IP-1 and the
// given inspections.json ("" leaves it out).
func inspectionScene(inspections string) fstest.MapFS {
	return testScene(map[string]string{
		"inspection_points.geojson": layer(point(`"id":"IP-1","kind":"inspection_point","name":"泵","code":"CT-IP-1",` +
			`"checklist":"[{\"key\":\"ok\",\"zh\":\"正常\",\"kind\":\"bool\"}]"`)),
		InspectionsFile: inspections,
	})
}

func TestInspectionsOptional(t *testing.T) {
	s, err := Load(inspectionScene(""))
	if err != nil {
		t.Fatal(err)
	}
	if s.Inspections.Routes != nil || s.Inspections.Plans != nil {
		t.Errorf("inspections = %+v, want none", s.Inspections)
	}
	pts := ofKind(s, twin.KindInspectionPoint)
	if len(pts) != 1 {
		t.Fatalf("%d points", len(pts))
	}
	p, err := inspect.PointFromEntity(pts[0])
	if err != nil || len(p.Checklist) != 1 || p.RadiusM != inspect.DefaultRadiusM {
		t.Errorf("point %+v, %v: a checklist written as JSON text (QGIS) must load", p, err)
	}
}

// TestPlanDefaults: a plan that leaves out enabled, days and grace_min
// gets true, all and 30 minutes; written ones are kept.
func TestPlanDefaults(t *testing.T) {
	s, err := Load(inspectionScene(`{"routes":[{"id":"R","name":"线","points":["IP-1"]}],"plans":[` +
		`{"id":"A","name":"甲","route":"R","every":1,"unit":"day","assignee":"P-1","from":"2026-01-01"},` +
		`{"id":"B","name":"乙","route":"R","every":1,"unit":"day","assignee":"P-1","from":"2026-01-01","enabled":false,"days":"rest_days","grace_min":0}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Inspections.Plans[0], s.Inspections.Plans[1]
	if !a.Enabled || a.Days != inspect.DaysAll || a.GraceMin != inspect.DefaultGraceMin {
		t.Errorf("plan A = %+v, want the defaults", a)
	}
	if b.Enabled || b.Days != inspect.DaysRestDays || b.GraceMin != 0 {
		t.Errorf("plan B = %+v, want what it says", b)
	}
}

func TestInspectionsFileProblems(t *testing.T) {
	for _, tt := range []struct{ name, data, id, want string }{
		{"malformed", `{"routes": [}`, "", "malformed JSON at byte"},
		{"not an object", `[]`, "", "malformed JSON"},
		{"unknown member", `{"rounds": []}`, "", `unknown member "rounds"`},
		{"routes not a list", `{"routes": {"id": "R"}}`, "", "routes: want a list"},
		{"route not an object", `{"routes": [5]}`, "route 1", "want an object, got number"},
		{"plan id not text", `{"plans": [{"id": 7}]}`, "plan 1", "id: want string, got number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps := Validate(inspectionScene(tt.data))
			wantProblem(t, ps, tt.id, tt.want)
			for _, p := range ps {
				if p.File != InspectionsFile {
					t.Errorf("problem outside %s: %s", InspectionsFile, p)
				}
			}
		})
	}
}

// TestDemoInspections checks the demo's points, routes and plans against
// the W7 issue: ≥ 40 points at the equipment they check, ≥ 5 routes of
// 6–12 points, one in sequence, and plans for the shifts.
func TestDemoInspections(t *testing.T) {
	s := loadDemo(t)
	byID := index(s)
	points := map[string]*inspect.Point{}
	for _, e := range ofKind(s, twin.KindInspectionPoint) {
		p, err := inspect.PointFromEntity(e)
		if err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		points[p.ID] = p
		checkDemoPoint(t, byID, p)
	}
	if len(points) < 40 {
		t.Errorf("%d inspection points, want ≥ 40", len(points))
	}
	ins := s.Inspections
	if len(ins.Routes) < 5 {
		t.Errorf("%d routes, want ≥ 5", len(ins.Routes))
	}
	onRoute, sequenced := map[string]bool{}, false
	for _, r := range ins.Routes {
		if n := len(r.Points); n < 6 || n > 12 {
			t.Errorf("route %s has %d points, want 6–12", r.ID, n)
		}
		for _, id := range r.Points {
			onRoute[id] = true
		}
		sequenced = sequenced || r.Sequence
	}
	if !sequenced {
		t.Error("no route in sequence")
	}
	for id := range points {
		if !onRoute[id] {
			t.Errorf("point %s is on no route", id)
		}
	}
	checkDemoPlans(t, s, ins)
}

// checkDemoPoint: the code carries its check suffix, the point is within
// 5 m of what it checks (a tank's shell) and not inside it, indoor points
// have a floor their building has, and only points without a checklist
// are checked in by trajectory.
func checkDemoPoint(t *testing.T, byID map[string]*twin.Entity, p *inspect.Point) {
	t.Helper()
	head := "CT-" + p.ID
	if want := fmt.Sprintf("%s-%04X", head, crc32.ChecksumIEEE([]byte(head))&0xffff); p.Code != want {
		t.Errorf("%s: code %s, want %s", p.ID, p.Code, want)
	}
	if p.Auto != (len(p.Checklist) == 0) {
		t.Errorf("%s: auto_checkin %v with %d checklist items", p.ID, p.Auto, len(p.Checklist))
	}
	if p.Equipment != "" {
		eq := byID[p.Equipment]
		d := geo.DistanceM(p.Location, eq.Point()) - eq.Float("radius_m", 0)
		if d > 5.05 || d < 0.5 {
			t.Errorf("%s stands %.1f m from %s, want 0.5–5 m", p.ID, d, p.Equipment)
		}
		checkTankLimits(t, p, eq)
	}
	for b := byID[byID[p.ID].Parent]; b != nil && p.Floor > 0; b = byID[b.Parent] {
		if b.Kind == twin.KindBuilding {
			if floors := b.Float("floors", 0); float64(p.Floor) > floors {
				t.Errorf("%s on floor %d of %s, which has %v", p.ID, p.Floor, b.ID, floors)
			}
			return
		}
	}
	if p.Floor > 0 {
		t.Errorf("%s is on floor %d but in no building", p.ID, p.Floor)
	}
}

// checkTankLimits: a tank's level and pressure items hold its live values
// at start, so the demo does not open with findings.
func checkTankLimits(t *testing.T, p *inspect.Point, eq *twin.Entity) {
	t.Helper()
	if eq.Kind != twin.KindTank {
		return
	}
	seen := 0
	for _, it := range p.Checklist {
		prop := map[string]string{"level": "level_pct", "pressure": "pressure_kpa"}[it.Key]
		if prop == "" {
			continue
		}
		seen++
		v := eq.Float(prop, -1e9)
		if it.Min == nil || it.Max == nil || v < *it.Min || v > *it.Max {
			t.Errorf("%s: %s %v outside the checklist's %s limits", p.ID, eq.ID, v, it.Key)
		}
	}
	if seen != 2 {
		t.Errorf("%s: tank checklist without level and pressure readings", p.ID)
	}
}

// checkDemoPlans: every route has a plan, hour/day/week/month plans exist,
// day and night shifts are covered, and the demo user inspector is a
// 巡检员 assigned a plan of their own.
func checkDemoPlans(t *testing.T, s *Scene, ins Inspections) {
	t.Helper()
	byID := index(s)
	units, windows, planned := map[string]bool{}, map[string]bool{}, map[string]bool{}
	assigned := map[string]bool{}
	for _, p := range ins.Plans {
		units[p.Unit] = true
		planned[p.Route] = true
		assigned[p.Assignee] = true
		for _, w := range p.Windows {
			windows[w] = true
		}
		if p.GraceMin != 30 || p.From != "2026-01-01" || !p.Enabled {
			t.Errorf("plan %s: grace %v from %s enabled %v", p.ID, p.GraceMin, p.From, p.Enabled)
		}
	}
	for _, u := range []string{inspect.UnitHour, inspect.UnitDay, inspect.UnitWeek, inspect.UnitMonth} {
		if !units[u] {
			t.Errorf("no %s plan", u)
		}
	}
	if !windows["08:00-20:00"] || !windows["20:00-08:00"] {
		t.Errorf("shift windows %v, want the day and the night shift", windows)
	}
	for _, r := range ins.Routes {
		if !planned[r.ID] {
			t.Errorf("route %s has no plan", r.ID)
		}
	}
	for _, u := range s.Users {
		if u.Username != "inspector" {
			continue
		}
		if p := byID[u.PersonID]; p == nil || p.String("post") != "巡检员" || !assigned[u.PersonID] {
			t.Errorf("user inspector is %s (%v): want a 巡检员 with a plan", u.PersonID, p)
		}
	}
}

// TestFormatDocInspections: the inspections.json example of
// docs/scene-format.md is valid against the demo, and its inspection
// point examples compile.
func TestFormatDocInspections(t *testing.T) {
	doc, err := os.ReadFile("../docs/scene-format.md")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, b := range strings.Split(string(doc), "```json\n")[1:] {
		text := b[:strings.Index(b, "```")]
		switch {
		case strings.HasPrefix(text, "{\n\"routes\""):
			found++
			fsys := demoWith(t, InspectionsFile, text)
			if ps := Validate(fsys); len(ps) != 0 {
				t.Errorf("inspections.json example:\n%s", listProblems(ps))
			}
		case strings.Contains(text, `"kind": "inspection_point"`):
			found++
			var ps Problems
			e := parseFeature(report{&ps, "doc"}, rawFeature{raw: json.RawMessage(text)}, nil)
			if _, err := inspect.PointFromEntity(e); err != nil || len(ps) > 0 {
				t.Errorf("inspection point example: %v %v", err, ps)
			}
		}
	}
	if found < 2 {
		t.Errorf("%d examples found, want an inspection point and inspections.json", found)
	}
}

// demoWith returns the demo's files with one replaced.
func demoWith(t *testing.T, name, data string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(Demo(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Demo(), path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m[name] = &fstest.MapFile{Data: []byte(data)}
	return m
}

// FuzzInspections feeds inspections.json variants to the validator: it
// reports problems, never panics, and a scene that loads has only valid
// routes and plans.
func FuzzInspections(f *testing.F) {
	demo, err := fs.ReadFile(Demo(), InspectionsFile)
	if err != nil {
		f.Fatal(err)
	}
	fixture, err := os.ReadFile("testdata/inspections/inspections.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{string(demo), string(fixture), `{}`, `{"routes":null}`, `{"plans":[{"id":"P","every":1e309}]}`,
		`{"routes":[{"id":"R","name":"线","points":["IP-1"]}],"plans":[{"id":"A","name":"甲","route":"R","every":1,"unit":"day","assignee":"P-1","from":"2026-01-01"}]}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		s, err := Load(inspectionScene(data + " ")) // "" would drop the file
		if err != nil {
			return
		}
		for _, r := range s.Inspections.Routes {
			if r.Validate(nil) != nil {
				t.Errorf("loaded an invalid route %+v", r)
			}
		}
		for _, p := range s.Inspections.Plans {
			if p.Validate(nil) != nil {
				t.Errorf("loaded an invalid plan %+v", p)
			}
		}
	})
}
