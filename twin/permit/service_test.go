package permit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// rig is a real scene (a fire-hazard unit, an office yard, the approver
// with a tag), a real SQLite store and alarm manager, and the service.
type rig struct {
	t     *testing.T
	frame *geo.Frame
	scene *twin.Scene
	db    *sqlite.DB
	alarm *alarm.Manager
	svc   *Service
	now   time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	g := &rig{t: t, frame: f, now: t0.Add(-5 * time.Minute)}
	g.scene = twin.New(twin.Options{SiteID: "demo", Frame: f, Clock: func() time.Time { return g.now }})
	rect := func(x0, y0, x1, y1 float64) orb.Geometry {
		return f.ToGeometry(orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}})
	}
	if err := g.scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "A-UNIT", Kind: twin.KindArea, Geometry: rect(0, 0, 100, 100), Props: map[string]any{"fire_zone": true}}},
		twin.Upsert{Entity: &twin.Entity{ID: "A-YARD", Kind: twin.KindArea, Geometry: rect(200, 0, 300, 100)}},
		twin.Upsert{Entity: &twin.Entity{ID: "PS-1", Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "T-1", Battery: math.NaN()}}},
		// P-1 welds, wires and drives cranes; P-2 guards.
		twin.Upsert{Entity: &twin.Entity{ID: "P-1", Kind: twin.KindPerson, Props: map[string]any{"certificates": []any{
			map[string]any{"type": "特种作业操作证", "name": "熔化焊接与热切割作业", "number": "TZ-1", "expires": "2030-01-01"},
			map[string]any{"type": "特种作业操作证", "name": "低压电工作业", "number": "TZ-2", "expires": "2030-01-01"},
			map[string]any{"type": "特种设备作业人员证", "name": "Q2 起重机司机", "number": "TS-3", "expires": "2030-01-01"},
		}}}},
		twin.Upsert{Entity: &twin.Entity{ID: "P-2", Kind: twin.KindPerson}},
	).Err(); err != nil {
		t.Fatal(err)
	}
	if g.db, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.db.Close() })
	clock := func() time.Time { return g.now }
	if g.alarm, err = alarm.NewManager(ctx, alarm.Options{Store: g.db, Clock: clock}); err != nil {
		t.Fatal(err)
	}
	if g.svc, err = NewService(Options{Store: g.db, Scene: g.scene, Alarms: g.alarm, Clock: clock}); err != nil {
		t.Fatal(err)
	}
	return g
}

// at is plant point (x, y) in lon/lat.
func (g *rig) at(x, y float64) orb.Point { return g.frame.Point(x, y) }

// walk puts the approver's tag at (x, y), age old.
func (g *rig) walk(x, y float64, age time.Duration) {
	g.t.Helper()
	if err := g.scene.Apply(twin.Move{ID: "PS-1", Fix: twin.Fix{Point: g.at(x, y), At: g.now.Add(-age)}, Battery: math.NaN()}).Err(); err != nil {
		g.t.Fatal(err)
	}
}

func (g *rig) do(id, by string, st Step) (*Permit, error) {
	return g.svc.Do(context.Background(), id, by, st)
}

// TestServiceHotWork drives a permit through the service: stored,
// mirrored into the scene, the approver's tag deciding the sign-off,
// a hard block raising permit_blocked with its PTW code.
func TestServiceHotWork(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	p, err := g.svc.Create(ctx, Create{Type: "hot_work", Level: "1", Geometry: g.at(50, 50), Start: t0, End: t0.Add(6 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"unit_head"}, Substance: "methane"}, "planner")
	if err != nil {
		t.Fatal(err)
	}
	if !p.FireArea || p.Status != "booked" || !strings.HasPrefix(p.ID, "PTW-") {
		t.Fatalf("created %+v", p)
	}
	e, ok := g.scene.Get(p.ID)
	if !ok || e.Kind != twin.KindPermit || e.Props["status"] != "booked" || e.Props["type_code"] != "02" || e.Props["status_code"] != 0 {
		t.Fatalf("scene entity %+v", e)
	}
	steps := []Step{{Action: "apply"}, {Action: "risk_analysis"}, {Action: "briefing"}}
	for n := range p.Measures {
		steps = append(steps, Step{Action: "confirm_measure", Measure: n + 1})
	}
	steps = append(steps, Step{Action: "gas_analysis", Gas: "methane", Value: 0.1, Unit: "%VOL", SampledAt: g.now.Add(-time.Minute)})
	for _, st := range steps {
		if _, err := g.do(p.ID, "P-2", st); err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
	}
	// Near, but the fix is two minutes old: not on site.
	g.walk(60, 55, 2*time.Minute)
	if _, err := g.do(p.ID, "unit_head", Step{Action: "approve", PersonID: "PS-1"}); !errors.Is(err, ErrBlocked) {
		t.Fatalf("stale fix: %v", err)
	}
	// The approver is 80 m away: a hard block, and its alarm (one per
	// permit and PTW code).
	g.walk(130, 50, 5*time.Second)
	_, err = g.do(p.ID, "unit_head", Step{Action: "approve", PersonID: "PS-1"})
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != "approver_not_on_site" || pe.PTW != "30" {
		t.Fatalf("far approver: %v", err)
	}
	open := g.alarm.Active()
	if len(open) != 1 || open[0].Type != alarm.PermitBlocked || open[0].Details["ptw_code"] != "30" || open[0].EntityID != p.ID {
		t.Fatalf("alarms %+v", open)
	}
	g.walk(60, 55, 3*time.Second) // 11 m from the work point
	p, err = g.do(p.ID, "unit_head", Step{Action: "approve", PersonID: "PS-1"})
	if err != nil || p.Status != "approved" {
		t.Fatalf("near approver: %v", err)
	}
	g.now = t0.Add(time.Minute)
	if p, err = g.do(p.ID, "P-2", Step{Action: "start"}); err != nil || p.Status != "in_progress" {
		t.Fatalf("start: %v", err)
	}
	// Stored with its log; the log records the approver's distance.
	back, err := g.svc.Get(ctx, p.ID)
	if err != nil || back.Status != "in_progress" || len(back.Log) != len(steps)+3 {
		t.Fatalf("stored: %+v, %v", back, err)
	}
	approve := back.Log[len(back.Log)-2]
	if approve.Action != "approve" || approve.Detail["on_site"] != true || math.Abs(approve.Detail["distance_m"].(float64)-11.2) > 0.2 {
		t.Errorf("approve entry %+v", approve)
	}
	if e, _ := g.scene.Get(p.ID); e.Props["status"] != "in_progress" || e.Props["status_code"] != 2 {
		t.Errorf("scene status %v", e.Props["status"])
	}
	list, err := g.svc.List(ctx, store.PermitFilter{Status: "in_progress", Day: t0.Truncate(24 * time.Hour)})
	if err != nil || len(list) != 1 || list[0].ID != p.ID {
		t.Errorf("today's work: %v, %v", list, err)
	}
	// The window passes: the permit expires.
	g.now = t0.Add(6 * time.Hour)
	if n, err := g.svc.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	if back, _ := g.svc.Get(ctx, p.ID); back.Status != "expired" || back.Log[len(back.Log)-1].By != "system" {
		t.Errorf("after expiry: %s", back.Status)
	}
}

// TestServiceRefusals: bad requests and steps are refused without a
// change; a tampered stored permit is refused on reading.
func TestServiceRefusals(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	ok := Create{Type: "temp_power", Geometry: g.at(250, 50), Start: t0, End: t0.Add(time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}
	p, err := g.svc.Create(ctx, ok, "planner")
	if err != nil || p.FireArea {
		t.Fatalf("temporary power in the yard: %+v, %v", p, err)
	}
	noArea := ok
	noArea.Geometry = nil
	if _, err := g.svc.Create(ctx, noArea, "planner"); !errors.Is(err, ErrRefused) {
		t.Errorf("no geometry: %v", err)
	}
	if _, err := g.do(p.ID, "x", Step{Action: "fly"}); !errors.Is(err, ErrRefused) {
		t.Errorf("unknown step: %v", err)
	}
	if _, err := g.do(p.ID, "x", Step{Action: "start"}); !errors.Is(err, ErrRefused) {
		t.Errorf("start a booked permit: %v", err)
	}
	if _, err := g.do(p.ID, "x", Step{Action: "gas_analysis", Gas: "unobtainium", Value: 1, Unit: "ppm", SampledAt: g.now}); !errors.Is(err, ErrRefused) {
		t.Errorf("unknown gas: %v", err)
	}
	if _, err := g.do("PTW-nope", "x", Step{Action: "apply"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown permit: %v", err)
	}
	if back, _ := g.svc.Get(ctx, p.ID); len(back.Log) != 1 || back.Status != "booked" {
		t.Errorf("refused steps changed the permit: %+v", back)
	}
	// Tamper with the stored document.
	rec, _ := g.db.GetPermit(ctx, p.ID)
	rec.Doc = []byte(strings.Replace(string(rec.Doc), `"by":"planner"`, `"by":"someone"`, 1))
	if err := g.db.PutPermit(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := g.svc.Get(ctx, p.ID); !errors.Is(err, ErrInvalid) {
		t.Errorf("tampered permit read: %v", err)
	}
}

// TestSimultaneous: hot work started within 30 m of running blind-plate
// work and of a venting point says so; far from both it does not.
func TestSimultaneous(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	methane, _ := g.svc.opts.Library.Get("methane")
	if err := g.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: "V-1", Kind: twin.KindEquipment, Geometry: g.at(75, 50),
		Props: map[string]any{"equipment_type": "vent"}}}).Err(); err != nil {
		t.Fatal(err)
	}
	g.now = t0
	req := Create{Type: "blind_plate", Level: "pull", Geometry: g.at(50, 50), Start: t0, End: t0.Add(4 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}
	bp, err := g.svc.Create(ctx, req, "planner")
	if err != nil {
		t.Fatal(err)
	}
	bp.Status = "in_progress" // its steps are TestServiceHotWork's
	if err := g.svc.put(ctx, bp, g.now); err != nil {
		t.Fatal(err)
	}
	startHot := func(x float64) *Permit {
		t.Helper()
		p, err := g.svc.Create(ctx, Create{Type: "hot_work", Level: "1", Geometry: g.at(x, 50), Start: t0, End: t0.Add(4 * time.Hour),
			Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}, "planner")
		if err != nil {
			t.Fatal(err)
		}
		p.Status = "approved"
		if _, err := g.svc.opts.Rules.AddGasAnalysis(p, methane, 0.1, "%VOL", g.now.Add(-time.Minute), "x", false); err != nil {
			t.Fatal(err)
		}
		if err := g.svc.put(ctx, p, g.now); err != nil {
			t.Fatal(err)
		}
		if p, err = g.do(p.ID, "P-2", Step{Action: "start"}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	near := startHot(60) // 10 m from the blind plate, 15 m from the vent
	if want := []string{"blind_plate_nearby:" + bp.ID, "vent_nearby:V-1"}; !slices.Equal(near.Warnings, want) {
		t.Errorf("near: %v, want %v", near.Warnings, want)
	}
	if last := near.Log[len(near.Log)-1]; last.Action != "start" || last.Detail["warnings"] == nil {
		t.Errorf("start entry %+v", last)
	}
	if far := startHot(200); len(far.Warnings) != 0 {
		t.Errorf("far: %v", far.Warnings)
	}
}

// TestServiceCertificates: the workers' certificates come from their
// person records and are checked at sign-off and again at the start: an
// instrument ticket does not let one weld (PTW 52), none at all is PTW 50,
// a lapsed one PTW 51 — through the last day of its validity it holds.
func TestServiceCertificates(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	cert := func(name, expires string) map[string]any {
		return map[string]any{"type": "特种作业操作证", "name": name, "number": "TZ-9", "expires": expires}
	}
	lastDay := t0.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	for _, c := range []struct {
		name  string
		certs []any
		code  string
	}{
		{"instrument ticket", []any{cert("化工自动化控制仪表作业", "2030-01-01")}, "certificate_mismatch"},
		{"none", nil, "certificate_missing"},
		{"lapsed", []any{cert("熔化焊接与热切割作业", "2020-01-01")}, "certificate_expired"},
		{"its last day", []any{cert("熔化焊接与热切割作业", lastDay)}, ""},
	} {
		if err := g.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: "P-9", Kind: twin.KindPerson, Props: map[string]any{"certificates": c.certs}}}).Err(); err != nil {
			t.Fatal(err)
		}
		p, err := g.svc.Create(ctx, Create{Type: "hot_work", Level: "2", Geometry: g.at(250, 50), Start: t0, End: t0.Add(2 * time.Hour),
			Workers: []string{"P-1", "P-9"}, Guardian: "P-2", Approvers: []string{"a"}}, "planner")
		if err != nil {
			t.Fatal(err)
		}
		g.prepare(p)
		g.now = g.now.Add(time.Second)
		g.walk(252, 50, time.Second)
		_, err = g.do(p.ID, "a", Step{Action: "approve", PersonID: "PS-1"})
		if _, cerr := g.do(p.ID, "planner", Step{Action: "cancel", Reason: "next case"}); cerr != nil {
			t.Fatal(cerr)
		}
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != c.code || pe.PTW == "" {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
		if back, _ := g.svc.Get(ctx, p.ID); len(back.Approvals) != 0 {
			t.Errorf("%s: signed although refused", c.name)
		}
	}
}

// TestPlaceLevel: the place decides the least hot-work level — 特级 in a
// major-hazard tank farm's dike and on running equipment in a fire zone,
// 一级 elsewhere in a fire zone, 二级 in the yard; booking lower is
// refused with level_too_low, and the permit says why its level holds.
func TestPlaceLevel(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	f := g.frame
	rect := func(x0, y0, x1, y1 float64) orb.Geometry {
		return f.ToGeometry(orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}})
	}
	if err := g.scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "A-DIKE", Kind: twin.KindArea, Geometry: rect(0, 200, 100, 300), Props: map[string]any{"fire_zone": true, "area_type": "storage"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "TK-1", Kind: twin.KindTank, Geometry: g.at(50, 250), Props: map[string]any{"dike": "A-DIKE"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "HS-1", Kind: twin.KindHazardSource, Geometry: rect(-10, 190, 110, 310)}},
		// A second dike no major hazard source covers.
		twin.Upsert{Entity: &twin.Entity{ID: "A-DIKE2", Kind: twin.KindArea, Geometry: rect(400, 200, 500, 300), Props: map[string]any{"area_type": "storage"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "TK-2", Kind: twin.KindTank, Geometry: g.at(450, 250), Props: map[string]any{"dike": "A-DIKE2"}}},
	).Err(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		at      orb.Point
		running bool
		want    string
		basis   string
	}{
		{"yard", g.at(250, 50), false, "2", ""},
		{"fire zone", g.at(50, 50), false, "1", "fire_zone:A-UNIT"},
		{"running equipment", g.at(50, 50), true, "special", "running_equipment:A-UNIT"},
		{"major-hazard dike", g.at(20, 220), false, "special", "major_hazard_dike:A-DIKE"},
		{"ordinary dike", g.at(420, 220), false, "2", ""},
	} {
		req := Create{Type: "hot_work", Level: "2", Geometry: c.at, Start: t0, End: t0.Add(4 * time.Hour), Workers: []string{"P-1"},
			Guardian: "P-2", Approvers: []string{"a"}, OnRunningEquipment: c.running}
		p, err := g.svc.Create(ctx, req, "planner")
		if c.want == "2" {
			if err != nil || len(p.LevelBasis) != 0 {
				t.Errorf("%s: %v %v", c.name, err, p)
			}
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != "level_too_low" {
			t.Errorf("%s: level 2 booked: %v", c.name, err)
		}
		req.Level = c.want
		if p, err = g.svc.Create(ctx, req, "planner"); err != nil || !slices.Contains(p.LevelBasis, c.basis) {
			t.Errorf("%s at %s: %v, basis %v (want %s)", c.name, c.want, err, p, c.basis)
		}
	}
}

// TestRelated: hot work inside a tank under a confined-space permit signs
// only with that permit named (PTW 62 otherwise); a related permit that
// does not exist or was cancelled is PTW 61.
func TestRelated(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	g.now = t0
	cs, err := g.svc.Create(ctx, Create{Type: "confined_space", Geometry: g.at(250, 50), Start: t0, End: t0.Add(8 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}, "planner")
	if err != nil {
		t.Fatal(err)
	}
	hot := func(related ...string) error {
		t.Helper()
		p, err := g.svc.Create(ctx, Create{Type: "hot_work", Level: "2", Geometry: g.at(251, 50), Start: t0, End: t0.Add(4 * time.Hour),
			Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}, Related: related}, "planner")
		if err != nil {
			t.Fatal(err)
		}
		g.prepare(p)
		g.now = g.now.Add(time.Second)
		g.walk(252, 50, 0)
		_, err = g.do(p.ID, "a", Step{Action: "approve", PersonID: "PS-1"})
		g.do(p.ID, "planner", Step{Action: "cancel", Reason: "next case"})
		return err
	}
	ptw := func(err error) string {
		var pe *Error
		if errors.As(err, &pe) {
			return pe.PTW
		}
		return fmt.Sprint(err)
	}
	if got := ptw(hot()); got != "62" {
		t.Errorf("confined space not named: %s", got)
	}
	if got := ptw(hot("PTW-nope")); got != "61" {
		t.Errorf("a related permit that does not exist: %s", got)
	}
	if err := hot(cs.ID); err != nil {
		t.Errorf("named: %v", err)
	}
	g.do(cs.ID, "planner", Step{Action: "cancel", Reason: "plan changed"})
	if got := ptw(hot(cs.ID)); got != "61" {
		t.Errorf("a cancelled related permit: %s", got)
	}
}

// TestSameDay: work is booked a day ahead; a booking for today is marked
// (same_day), and may say it is an emergency.
func TestSameDay(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	book := func(start time.Time, emergency bool) *Permit {
		t.Helper()
		p, err := g.svc.Create(ctx, Create{Type: "height", Level: "1", Geometry: g.at(250, 50), Start: start, End: start.Add(time.Hour),
			Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}, Emergency: emergency}, "planner")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	g.now = t0 // Monday 09:00
	if p := book(t0.Add(14*time.Hour+59*time.Minute), false); !p.SameDay || p.Emergency || p.Log[0].Detail["same_day"] != true {
		t.Errorf("today 23:59: %+v", p)
	}
	if p := book(t0.Add(15*time.Hour), false); p.SameDay {
		t.Errorf("tomorrow 00:00 marked same-day")
	}
	if p := book(t0.Add(time.Hour), true); !p.SameDay || !p.Emergency {
		t.Errorf("emergency: %+v", p)
	}
	if e, _ := g.scene.Get(book(t0.Add(2*time.Hour), false).ID); e.Props["same_day"] != true {
		t.Errorf("scene entity %v", e.Props)
	}
}

// TestReissueExpired: an expired permit is re-issued once — it stays
// expired and names its successor; a second re-issue is refused before
// any new permit is booked.
func TestReissueExpired(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	g.now = t0
	c := Create{Type: "height", Level: "1", Geometry: g.at(250, 50), Start: t0, End: t0.Add(time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"a"}}
	old, err := g.svc.Create(ctx, c, "planner")
	if err != nil {
		t.Fatal(err)
	}
	g.do(old.ID, "planner", Step{Action: "apply"})
	g.now = t0.Add(time.Hour)
	g.svc.ExpireDue(ctx)
	c.Start, c.End = g.now, g.now.Add(time.Hour)
	next, err := g.svc.Reissue(ctx, old.ID, c, "planner")
	if err != nil || next.ReissuedFrom != old.ID || !slices.Contains(next.Related, old.ID) {
		t.Fatalf("reissue: %+v, %v", next, err)
	}
	back, _ := g.svc.Get(ctx, old.ID)
	if back.Status != "expired" || back.ReissuedAs != next.ID || back.Log[len(back.Log)-1].Action != "reissued" {
		t.Errorf("the old permit: %s %s", back.Status, back.ReissuedAs)
	}
	before, _ := g.svc.List(ctx, store.PermitFilter{})
	if _, err := g.svc.Reissue(ctx, old.ID, c, "planner"); !errors.Is(err, ErrRefused) {
		t.Errorf("second re-issue: %v", err)
	}
	if after, _ := g.svc.List(ctx, store.PermitFilter{}); len(after) != len(before) {
		t.Errorf("a refused re-issue booked a permit: %d → %d", len(before), len(after))
	}
}
