package permit_test

import (
	"context"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/internal/mqtttest"
	"github.com/chemtwin/chemtwin/internal/mqtttest/pipeline"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/permit"
	"github.com/chemtwin/chemtwin/twin/rules"
)

// The live watch of W6 item 4 through the real MQTT path (W6 item 8):
// positions and detector readings published by a paho client to a real
// broker (the embedded one, and mosquitto), taken in by ingest, turned
// into detector states by the rules engine, and watched by the permit
// service — every component on one injected clock, so that the 60 s of
// the guardian rule are fake seconds, never wall-clock sleeps.

// mqttT0 is a Monday 09:00 in the site's zone (UTC+8): no hot-work
// upgrade (GB 30871-2022 §5.2: night, rest days and holidays upgrade).
var mqttT0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestWatchMqtt(t *testing.T) {
	t.Run("embedded", func(t *testing.T) { testWatchMqtt(t, pipeline.Embedded(t)) })
	t.Run("mosquitto", func(t *testing.T) {
		testWatchMqtt(t, mqtttest.Mosquitto(t))
	})
}

func quiet() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.DiscardHandler)
}

// mqttRig is a running pipeline: permit service and rules engine ← scene
// ← ingest ← broker ← publisher, with a SQLite store and an alarm manager.
type mqttRig struct {
	t      *testing.T
	clk    *pipeline.Clock
	pipe   *pipeline.Pipe
	frame  *geo.Frame
	site   string
	scene  *twin.Scene
	alarms *alarm.Manager
	svc    *permit.Service
}

// The plant (metres in the plant frame): a fire-hazard unit (0,0)–(100,100);
// the hot work at (50,50) (fence 15 m, sampling radius 10 m); methane
// detectors 5 m (GD-NEAR) and 12 m (GD-FAR: inside the fence, outside the
// sampling radius) from it and an oxygen detector 6 m from it.
var (
	workXY = [2]float64{50, 50}
	// people: id → tag.
	people = map[string]string{
		"PS-W1": "T-W1", "PS-W2": "T-W2", // workers (certified welders)
		"PS-G": "T-G", // guardian (监护人)
		"PS-A": "T-A", // the approver's person
		"PS-X": "T-X", // someone not on the permit
	}
)

func newMqttRig(t *testing.T, url string) *mqttRig {
	t.Helper()
	// The store closes last: the cleanup below stops the goroutines first.
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "permit.db"), sqlite.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	run := pipeline.Runner(t)
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A site of its own: mosquitto is shared with other tests.
	r := &mqttRig{t: t, clk: pipeline.NewClock(mqttT0), frame: f, site: pipeline.RandomSite("permit")}
	r.scene = twin.New(twin.Options{SiteID: r.site, Frame: f, Clock: r.clk.Now})
	rect := func(x0, y0, x1, y1 float64) orb.Geometry {
		return f.ToGeometry(orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}})
	}
	welder := []any{map[string]any{"type": "特种作业操作证", "name": "熔化焊接与热切割作业", "number": "TZ1101202300001", "expires": "2030-01-01"}}
	changes := []twin.Change{
		twin.Upsert{Entity: &twin.Entity{ID: "A-UNIT", Kind: twin.KindArea, Geometry: rect(0, 0, 100, 100), Props: map[string]any{"fire_zone": true}}},
		twin.Upsert{Entity: &twin.Entity{ID: "GD-NEAR", Kind: twin.KindGasDetector, Geometry: r.at(55, 50),
			Props: map[string]any{"gas": "CH4", "unit": "%LEL", "range": []any{0.0, 100.0}}}},
		twin.Upsert{Entity: &twin.Entity{ID: "GD-FAR", Kind: twin.KindGasDetector, Geometry: r.at(50, 62),
			Props: map[string]any{"gas": "CH4", "unit": "%LEL", "range": []any{0.0, 100.0}}}},
		twin.Upsert{Entity: &twin.Entity{ID: "GD-O2", Kind: twin.KindGasDetector, Geometry: r.at(50, 56),
			Props: map[string]any{"gas": "O2", "detector_type": "oxygen", "unit": "%VOL", "range": []any{0.0, 30.0}}}},
	}
	for _, id := range slices.Sorted(maps.Keys(people)) {
		props := map[string]any{}
		if id == "PS-W1" || id == "PS-W2" {
			props["certificates"] = welder
		}
		changes = append(changes, twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindPerson, Props: props,
			Mobile: &twin.Mobile{Tag: people[id], Battery: math.NaN()}}})
	}
	if err := r.scene.Apply(changes...).Err(); err != nil {
		t.Fatal(err)
	}
	if r.alarms, err = alarm.NewManager(ctx, alarm.Options{Store: db, Clock: r.clk.Now, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	// The rules engine turns a detector's reading into its `state`
	// (level1/level2…), as the service wires it (scene → rules.Observe).
	eng, err := rules.New(rules.Options{Scene: r.scene, Alarms: r.alarms, Logger: quiet(), Clock: r.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	r.scene.Observe(eng.Observe)
	run(eng.Run)
	if r.svc, err = permit.NewService(permit.Options{Store: db, Scene: r.scene, Alarms: r.alarms, Clock: r.clk.Now,
		Logger: quiet(), Location: mqttT0.Location()}); err != nil {
		t.Fatal(err)
	}
	r.pipe = pipeline.Start(t, url, r.scene, r.clk, run)
	return r
}

// at is plant point (x, y) in lon/lat.
func (r *mqttRig) at(x, y float64) orb.Point { return r.frame.Point(x, y) }

// place publishes tag's position at plant (x, y) and waits until the
// scene holds it.
func (r *mqttRig) place(tag string, x, y float64) {
	r.t.Helper()
	r.pipe.Place(tag, x, y)
}

// read publishes a detector reading and waits until the scene holds it
// (with state set, until the rules engine has stepped the detector to it).
func (r *mqttRig) read(id string, value float64, unit, state string) {
	r.t.Helper()
	r.pipe.Read(id, value, unit, state)
}

func (r *mqttRig) do(id, by string, st permit.Step) *permit.Permit {
	r.t.Helper()
	p, err := r.svc.Do(context.Background(), id, by, st)
	if err != nil {
		r.t.Fatalf("%s by %s: %v", st.Action, by, err)
	}
	return p
}

func (r *mqttRig) watch() {
	r.t.Helper()
	if err := r.svc.Watch(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

// live is the permit's live view (what the permit card shows).
func (r *mqttRig) live(id string) *permit.Live {
	r.t.Helper()
	lv, err := r.svc.Live(context.Background(), id)
	if err != nil || lv == nil {
		r.t.Fatalf("live view of %s: %v, %v", id, lv, err)
	}
	return lv
}

func (r *mqttRig) get(id string) *permit.Permit {
	r.t.Helper()
	p, err := r.svc.Get(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// watchTypes are the alarms of the live watch.
var watchTypes = []alarm.Type{alarm.PermitGuardianAbsent, alarm.PermitOvercrowded, alarm.PermitGasExceeded, alarm.PermitExpired}

// open returns the live-watch alarms open on permit id, by type.
func (r *mqttRig) open(id string) map[alarm.Type]alarm.Alarm {
	out := map[alarm.Type]alarm.Alarm{}
	for _, a := range r.alarms.Active() {
		if a.EntityID == id && slices.Contains(watchTypes, a.Type) {
			out[a.Type] = a
		}
	}
	return out
}

// testWatchMqtt drives a hot-work permit to in progress with the
// service's steps, its approver placed over MQTT, then every live watch.
func testWatchMqtt(t *testing.T, url string) {
	r := newMqttRig(t, url)
	ctx := context.Background()

	// Everyone reports: the crew at the work, the stranger and the
	// approver away; the detectors read clean air.
	r.place("T-W1", 52, 50)
	r.place("T-W2", 48, 51)
	r.place("T-G", 55, 50)
	r.place("T-X", 150, 50)
	r.place("T-A", 120, 50)
	r.read("GD-NEAR", 0, "%LEL", "normal")
	r.read("GD-FAR", 0, "%LEL", "normal")
	r.read("GD-O2", 20.9, "%VOL", "normal")

	// Book and prepare the work.
	p, err := r.svc.Create(ctx, permit.Create{Type: "hot_work", Level: "1", Geometry: r.at(workXY[0], workXY[1]),
		Start: mqttT0, End: mqttT0.Add(2 * time.Hour), Workers: []string{"PS-W1", "PS-W2"}, Guardian: "PS-G",
		Approvers: []string{"safety_officer"}, Substance: "methane"}, "planner")
	if err != nil {
		t.Fatal(err)
	}
	if !p.FireArea || p.Level != "1" || p.Status != "booked" {
		t.Fatalf("booked %+v", p)
	}
	steps := []permit.Step{{Action: "apply"}, {Action: "risk_analysis"}, {Action: "briefing"}}
	for n := range p.Measures {
		steps = append(steps, permit.Step{Action: "confirm_measure", Measure: n + 1})
	}
	for _, st := range steps {
		r.do(p.ID, "planner", st)
	}
	r.clk.Add(time.Minute)
	r.do(p.ID, "analyst", permit.Step{Action: "gas_analysis", Gas: "methane", Value: 0.1, Unit: "%VOL", SampledAt: r.clk.Now().Add(-time.Minute)})
	// The approver's tag 70 m from the work: no approval right (PTW 30).
	r.place("T-A", 120, 50)
	if _, err := r.svc.Do(ctx, p.ID, "safety_officer", permit.Step{Action: "approve", PersonID: "PS-A"}); err == nil {
		t.Fatal("approved from 70 m away")
	}
	// 22 m away (within the 30 m approval radius, outside the 15 m fence).
	r.place("T-A", 72, 50)
	if p = r.do(p.ID, "safety_officer", permit.Step{Action: "approve", PersonID: "PS-A"}); p.Status != "approved" {
		t.Fatalf("after the approval: %s", p.Status)
	}
	if p = r.do(p.ID, "PS-G", permit.Step{Action: "start"}); p.Status != "in_progress" {
		t.Fatalf("after start: %s", p.Status)
	}

	// In place: nothing. The crew report again at the fake time.
	r.place("T-W1", 52, 50)
	r.place("T-W2", 48, 51)
	r.place("T-G", 55, 50)
	r.watch()
	if a := r.open(p.ID); len(a) != 0 {
		t.Fatalf("quiet work raised %v", a)
	}

	t.Run("guardian off post", func(t *testing.T) {
		// 65 m from the work, far outside the 15 m fence.
		r.place("T-G", 50, 115)
		t0 := r.clk.Now()
		r.watch()
		if a := r.open(p.ID); len(a) != 0 {
			t.Fatalf("alarm at once: %v", a)
		}
		r.clk.Add(30 * time.Second)
		r.place("T-G", 50, 115)
		r.watch()
		if _, ok := r.open(p.ID)[alarm.PermitGuardianAbsent]; ok {
			t.Fatalf("alarm after %v off post", r.clk.Now().Sub(t0))
		}
		r.clk.Add(31 * time.Second)
		r.place("T-G", 50, 115)
		r.watch()
		a, ok := r.open(p.ID)[alarm.PermitGuardianAbsent]
		d, _ := a.Details["distance_m"].(float64)
		if !ok || a.Details["ptw_code"] != "31" || a.Details["guardian"] != "PS-G" || a.Level != alarm.LevelHigh || math.Abs(d-65) > 0.5 {
			t.Fatalf("after %v off post: %+v", r.clk.Now().Sub(t0), r.open(p.ID))
		}
		back := r.get(p.ID)
		if back.Status != "in_progress" || countLog(back, "flag_stop") != 1 {
			t.Fatalf("stop flag: %s, %d flag_stop entries", back.Status, countLog(back, "flag_stop"))
		}
		if last := back.Log[len(back.Log)-1]; last.Action != "flag_stop" || last.By != "system" || last.Detail["reason"] != "guardian_absent" {
			t.Errorf("stop flag entry %+v", last)
		}
		if lv := r.live(p.ID); lv.Guardian.OnPost || !lv.Guardian.StopFlagged || lv.Guardian.AwaySince == nil || !lv.Guardian.AwaySince.Equal(t0) {
			t.Errorf("live guardian %+v", lv.Guardian)
		}
		// Still away a second later: one flag per absence.
		r.clk.Add(time.Second)
		r.place("T-G", 50, 115)
		r.watch()
		if n := countLog(r.get(p.ID), "flag_stop"); n != 1 {
			t.Errorf("%d flag_stop entries for one absence", n)
		}
		// Back on post: cleared.
		r.place("T-G", 55, 50)
		r.watch()
		if a, ok := r.open(p.ID)[alarm.PermitGuardianAbsent]; ok {
			t.Fatalf("the guardian is back, the alarm stayed: %+v", a)
		}
	})

	t.Run("stranger", func(t *testing.T) {
		// PS-X and a visitor whose tag is in no registry (ingest makes
		// them an unregistered person, tag-T-VIS) walk into the fence.
		r.place("T-X", 50, 45)
		r.place("T-VIS", 45, 50)
		r.place("T-G", 55, 50)
		r.watch()
		a, ok := r.open(p.ID)[alarm.PermitOvercrowded]
		if !ok || !slices.Equal(a.Details["people"].([]any), []any{"PS-X", "tag-T-VIS"}) {
			t.Fatalf("strangers inside: %+v", r.open(p.ID))
		}
		if _, ok := r.open(p.ID)[alarm.PermitGuardianAbsent]; ok {
			t.Error("guardian alarm with the guardian on post")
		}
		if hc := r.live(p.ID).Headcount; !slices.Equal(hc.Strangers, []string{"PS-X", "tag-T-VIS"}) || hc.Allowed != 3 {
			t.Errorf("live headcount %+v", hc)
		}
		r.place("T-X", 150, 50)
		r.watch()
		if a, ok := r.open(p.ID)[alarm.PermitOvercrowded]; !ok || !slices.Equal(a.Details["people"].([]any), []any{"tag-T-VIS"}) {
			t.Fatalf("one stranger left: %+v", r.open(p.ID))
		}
		r.place("T-VIS", 150, 60)
		r.watch()
		if a, ok := r.open(p.ID)[alarm.PermitOvercrowded]; ok {
			t.Fatalf("the strangers left, the alarm stayed: %+v", a)
		}
	})

	t.Run("gas", func(t *testing.T) {
		r.place("T-G", 55, 50)
		// 30 %LEL methane, level 1 by the rules engine, 12 m from the
		// work: outside the 10 m sampling radius, no suspension.
		r.read("GD-FAR", 30, "%LEL", "level1")
		r.watch()
		if back := r.get(p.ID); back.Status != "in_progress" {
			t.Fatalf("a detector 12 m away suspended the work: %s %q", back.Status, back.Reason)
		}
		if a, ok := r.open(p.ID)[alarm.PermitGasExceeded]; ok {
			t.Fatalf("a detector 12 m away: %+v", a)
		}
		var near []string
		for _, g := range r.live(p.ID).Gas {
			near = append(near, g.DetectorID)
		}
		if !slices.Equal(near, []string{"GD-NEAR", "GD-O2"}) {
			t.Errorf("detectors within the sampling radius: %v", near)
		}
		// 12 %LEL (0.6 %vol methane) 5 m away: under level 1 but above
		// the 0.5 %vol pass rule (GB 30871-2022, LEL ≥ 4 %vol; clause: verify).
		r.read("GD-NEAR", 12, "%LEL", "normal")
		r.watch()
		a, ok := r.open(p.ID)[alarm.PermitGasExceeded]
		if !ok || a.Details["detector_id"] != "GD-NEAR" || a.Details["rule"] != "lel_ge_split" || a.Level != alarm.LevelHigh {
			t.Fatalf("12 %%LEL 5 m away: %+v", r.open(p.ID))
		}
		back := r.get(p.ID)
		if back.Status != "suspended" || back.Reason != "gas_exceeded" {
			t.Fatalf("after the gas: %s %q", back.Status, back.Reason)
		}
		if last := back.Log[len(back.Log)-1]; last.Action != "suspend" || last.By != "system" {
			t.Errorf("suspension entry %+v", last)
		}
		// Clean again, a new analysis, resumed.
		r.read("GD-NEAR", 1, "%LEL", "normal")
		r.clk.Add(time.Minute)
		r.do(p.ID, "analyst", permit.Step{Action: "gas_analysis", Gas: "methane", Value: 0.05, Unit: "%VOL", SampledAt: r.clk.Now()})
		r.do(p.ID, "PS-G", permit.Step{Action: "resume"})
		r.place("T-G", 55, 50)
		r.watch()
		if a, ok := r.open(p.ID)[alarm.PermitGasExceeded]; ok || r.get(p.ID).Status != "in_progress" {
			t.Fatalf("resumed in clean air: %s, %+v", r.get(p.ID).Status, a)
		}
		// Oxygen 18 %VOL 6 m away: no pass-rule check of a detector's
		// oxygen (deficiency is the engine's level 2, GB/T 50493-2019
		// §5.5), so only the detector state the rules engine derived
		// from the reading can stop the work here.
		r.read("GD-O2", 18, "%VOL", "level2")
		r.watch()
		a, ok = r.open(p.ID)[alarm.PermitGasExceeded]
		if !ok || a.Details["detector_id"] != "GD-O2" || a.Details["rule"] != "detector_alarm" || a.Details["state"] != "level2" {
			t.Fatalf("oxygen deficiency 6 m away: %+v", r.open(p.ID))
		}
		if back := r.get(p.ID); back.Status != "suspended" || back.Reason != "gas_exceeded" {
			t.Fatalf("after the oxygen alarm: %s %q", back.Status, back.Reason)
		}
		// The alarm stays while the oxygen is low, on the stopped work
		// too, and clears when the air is back.
		r.watch()
		if _, ok := r.open(p.ID)[alarm.PermitGasExceeded]; !ok {
			t.Error("gas alarm cleared on the stopped work while the oxygen is still low")
		}
		r.read("GD-O2", 20.9, "%VOL", "normal")
		r.watch()
		if a, ok := r.open(p.ID)[alarm.PermitGasExceeded]; ok {
			t.Errorf("gas alarm stayed in clean air: %+v", a)
		}
		r.clk.Add(time.Minute)
		r.do(p.ID, "analyst", permit.Step{Action: "gas_analysis", Gas: "methane", Value: 0.05, Unit: "%VOL", SampledAt: r.clk.Now()})
		r.do(p.ID, "PS-G", permit.Step{Action: "resume"})
	})

	t.Run("expiry", func(t *testing.T) {
		if back := r.get(p.ID); back.Status != "in_progress" {
			t.Fatalf("before the end: %s", back.Status)
		}
		if n, err := r.svc.ExpireDue(ctx); err != nil || n != 0 {
			t.Fatalf("expired %d before the end: %v", n, err)
		}
		r.clk.Add(p.End.Sub(r.clk.Now()) + time.Second)
		if n, err := r.svc.ExpireDue(ctx); err != nil || n != 1 {
			t.Fatalf("expired %d, %v", n, err)
		}
		back := r.get(p.ID)
		if back.Status != "expired" || back.Log[len(back.Log)-1].By != "system" {
			t.Fatalf("after the end: %s", back.Status)
		}
		if a, ok := r.open(p.ID)[alarm.PermitExpired]; !ok || a.Details["ptw_code"] != "10" {
			t.Fatalf("expiry alarm: %+v", r.open(p.ID))
		}
		// Expired work is no longer watched: the guardian, silent for
		// over a minute now, raises nothing.
		r.watch()
		r.clk.Add(61 * time.Second)
		r.watch()
		if a, ok := r.open(p.ID)[alarm.PermitGuardianAbsent]; ok {
			t.Errorf("guardian alarm on expired work: %+v", a)
		}
	})

	// A confined space beside the oxygen cell: the readings the detectors
	// at the work publish over MQTT are recorded every 2 h as the
	// permit's gas analyses (GB 30871-2022 §6), and the entry register
	// keeps the guardian outside.
	t.Run("confined space readings", func(t *testing.T) {
		r.read("GD-FAR", 0, "%LEL", "normal") // 9 m from the manhole: clean air again
		now := r.clk.Now()
		cs, err := r.svc.Create(ctx, permit.Create{Type: "confined_space", Geometry: r.at(50, 53), Start: now, End: now.Add(8 * time.Hour),
			Workers: []string{"PS-W1"}, Guardian: "PS-G", Approvers: []string{"safety_officer"}}, "planner")
		if err != nil {
			t.Fatal(err)
		}
		steps := []permit.Step{{Action: "apply"}, {Action: "risk_analysis"}, {Action: "briefing"}}
		for n := range cs.Measures {
			steps = append(steps, permit.Step{Action: "confirm_measure", Measure: n + 1})
		}
		steps = append(steps, permit.Step{Action: "gas_analysis", Gas: "oxygen", Value: 20.9, Unit: "%VOL", SampledAt: now})
		for _, st := range steps {
			r.do(cs.ID, "planner", st)
		}
		r.place("T-A", 60, 53)
		r.do(cs.ID, "safety_officer", permit.Step{Action: "approve", PersonID: "PS-A"})
		r.do(cs.ID, "PS-G", permit.Step{Action: "start"})
		if _, err := r.svc.Do(ctx, cs.ID, "PS-G", permit.Step{Action: "register", Kind: "person", Subject: "PS-G", Direction: "in"}); err == nil {
			t.Error("the guardian went in")
		}
		r.do(cs.ID, "PS-G", permit.Step{Action: "register", Kind: "person", Subject: "PS-W1", Direction: "in"})
		// Two hours on, everyone reporting, the cells reading.
		r.clk.Add(2 * time.Hour)
		r.place("T-W1", 50, 53)
		r.place("T-G", 52, 53)
		r.read("GD-O2", 20.6, "%VOL", "normal")
		r.read("GD-NEAR", 1, "%LEL", "normal")
		r.watch()
		back := r.get(cs.ID)
		by := map[string]permit.GasAnalysis{}
		for _, a := range back.GasAnalyses {
			by[a.By] = a
		}
		if a := by["detector:GD-O2"]; a.Gas != "oxygen" || a.Value != 20.6 || !a.Verdict.Pass {
			t.Errorf("oxygen record %+v", a)
		}
		if a := by["detector:GD-NEAR"]; a.Gas != "methane" || a.Value != 1 || !a.Verdict.Pass {
			t.Errorf("methane record %+v", a)
		}
		lv := r.live(cs.ID)
		if lv.NextAnalysisPTW != "05" || lv.NextAnalysisDue == nil || !lv.NextAnalysisDue.After(r.clk.Now()) ||
			lv.Inside == nil || !slices.Equal(lv.Inside.People, []string{"PS-W1"}) {
			t.Errorf("live: next %v %s, inside %+v", lv.NextAnalysisDue, lv.NextAnalysisPTW, lv.Inside)
		}
		if a := r.open(cs.ID); len(a) != 0 {
			t.Errorf("alarms on the entry: %v", a)
		}
	})
}

func countLog(p *permit.Permit, action string) int {
	n := 0
	for _, e := range p.Log {
		if e.Action == action {
			n++
		}
	}
	return n
}
