package rules_test

import (
	"context"
	"math"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/rules"
)

var t0 = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

type rig struct {
	scene  *twin.Scene
	alarms *alarm.Manager
	frame  *geo.Frame
	engine *rules.Engine
	nowNs  atomic.Int64 // the injected clock, set by tests
}

func (r *rig) now() time.Time     { return time.Unix(0, r.nowNs.Load()).UTC() }
func (r *rig) setNow(t time.Time) { r.nowNs.Store(t.UnixNano()) }

// newRig builds a plant with an area, a combustible and an oxygen detector,
// a camera and a person, wired like the service wires them: the engine
// observes the scene and runs in its own goroutine. tune adjusts the
// engine's options.
func newRig(t *testing.T, tune ...func(*rules.Options)) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f, _ := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	r := &rig{frame: f}
	r.setNow(t0)
	r.scene = twin.New(twin.Options{SiteID: "demo", Frame: f})
	area := f.ToGeometry(orb.Polygon{{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}})
	res := r.scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "A-MEOH", Kind: twin.KindArea, Name: "甲醇生产区", Geometry: area, Props: map[string]any{"name_en": "Methanol production"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "GD-1", Kind: twin.KindGasDetector, Parent: "A-MEOH", Name: "GD-1", Geometry: f.Point(10, 10),
			Props: map[string]any{"gas": "CH3OH", "unit": "%LEL", "detector_type": "combustible", "range": []any{0.0, 100.0}, "alarm1": 25.0, "alarm2": 50.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "GD-O2", Kind: twin.KindGasDetector, Parent: "A-MEOH", Geometry: f.Point(20, 10),
			Props: map[string]any{"gas": "O2", "unit": "%VOL", "detector_type": "oxygen", "range": []any{0.0, 25.0}, "alarm1": 19.5, "alarm2": 23.5}}},
		twin.Upsert{Entity: &twin.Entity{ID: "CAM-1", Kind: twin.KindCamera, Parent: "A-MEOH", Geometry: f.Point(30, 10)}},
		twin.Upsert{Entity: &twin.Entity{ID: "P1", Kind: twin.KindPerson, Name: "张伟", Mobile: &twin.Mobile{Tag: "T1", Battery: math.NaN()}}},
	)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	r.alarms, err = alarm.NewManager(ctx, alarm.Options{Store: db, Clock: r.now})
	if err != nil {
		t.Fatal(err)
	}
	opts := rules.Options{Scene: r.scene, Alarms: r.alarms, Clock: r.now, VideoHold: time.Minute}
	for _, f := range tune {
		f(&opts)
	}
	r.engine, err = rules.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r.scene.Observe(r.engine.Observe)
	done := make(chan struct{})
	go func() { r.engine.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// openTypes waits until the open alarms are exactly want (the engine runs
// asynchronously), failing after a generous deadline.
func (r *rig) waitOpen(t *testing.T, want ...alarm.Type) []alarm.Alarm {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		act := r.alarms.Active()
		got := map[alarm.Type]bool{}
		for _, a := range act {
			got[a.Type] = true
		}
		ok := len(got) == len(want)
		for _, w := range want {
			ok = ok && got[w]
		}
		if ok {
			return act
		}
		if time.Now().After(deadline) {
			t.Fatalf("open alarms %v, want %v", got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *rig) reading(id string, v float64, at time.Time) {
	r.scene.Apply(twin.SetState{ID: id, At: at, State: map[string]any{"value": v, "unit": "%LEL"}})
}

func (r *rig) detectorState(t *testing.T, id, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e, _ := r.scene.Get(id)
		if e.State["state"] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s state = %v, want %s", id, e.State["state"], want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestGasLevelsRaiseAndClear(t *testing.T) {
	r := newRig(t)
	r.reading("GD-1", 2, t0)
	r.detectorState(t, "GD-1", "normal")
	r.reading("GD-1", 30, t0.Add(time.Second))
	act := r.waitOpen(t, alarm.GasLevel1)
	if act[0].AreaID != "A-MEOH" || act[0].Details["value"] != 30.0 || act[0].Message == "" || act[0].MessageEn == "" {
		t.Fatalf("alarm = %+v", act[0])
	}
	r.detectorState(t, "GD-1", "level1")
	r.reading("GD-1", 55, t0.Add(2*time.Second))
	r.waitOpen(t, alarm.GasLevel2)
	r.detectorState(t, "GD-1", "level2")
	r.reading("GD-1", 1, t0.Add(3*time.Second))
	r.waitOpen(t)
	r.detectorState(t, "GD-1", "normal")
	cleared, _ := r.alarms.List(context.Background(), alarm.Filter{State: alarm.Cleared})
	if len(cleared) != 2 {
		t.Fatalf("%d cleared alarms, want 2", len(cleared))
	}
}

func TestOxygenDeficiencyAndFault(t *testing.T) {
	r := newRig(t)
	r.scene.Apply(twin.SetState{ID: "GD-O2", At: t0, State: map[string]any{"value": 18.0, "unit": "%VOL"}})
	r.waitOpen(t, alarm.GasLevel2)
	r.scene.Apply(twin.SetState{ID: "GD-O2", At: t0.Add(time.Second), State: map[string]any{"value": 20.9, "fault": "E03"}})
	r.waitOpen(t, alarm.DetectorFault)
	r.scene.Apply(twin.SetState{ID: "GD-O2", At: t0.Add(2 * time.Second), State: map[string]any{"value": 20.9, "fault": nil}})
	r.waitOpen(t)
}

func TestSOSAndLowBattery(t *testing.T) {
	r := newRig(t)
	yes, no := true, false
	move := func(sec int, bat float64, sos *bool) {
		r.scene.Apply(twin.Move{Tag: "T1", Fix: twin.Fix{Point: r.frame.Point(50, 50), At: t0.Add(time.Duration(sec) * time.Second)}, Battery: bat, SOS: sos})
	}
	move(0, 80, &no)
	move(2, 80, &yes)
	act := r.waitOpen(t, alarm.SOS)
	if act[0].Level != alarm.LevelHigh || act[0].AreaID != "A-MEOH" || act[0].EntityID != "P1" {
		t.Fatalf("sos alarm = %+v", act[0])
	}
	move(4, 19, &no)
	r.waitOpen(t, alarm.LowBattery)
	move(6, 22, nil) // inside the 5-point hysteresis: stays low
	time.Sleep(50 * time.Millisecond)
	r.waitOpen(t, alarm.LowBattery)
	move(8, 26, nil)
	r.waitOpen(t)
}

func TestVideoEventRaisesAndExpires(t *testing.T) {
	r := newRig(t)
	r.scene.Apply(twin.SetState{ID: "CAM-1", At: t0, State: map[string]any{"last_event": "no_helmet", "confidence": 0.91}})
	act := r.waitOpen(t, alarm.VideoEvent)
	if act[0].Details["event"] != "no_helmet" {
		t.Fatalf("video alarm = %+v", act[0])
	}
	r.setNow(t0.Add(2 * time.Minute)) // the engine's 1 s tick clears it
	deadline := time.Now().Add(5 * time.Second)
	for r.alarms.IsOpen(act[0].Key) {
		if time.Now().After(deadline) {
			t.Fatal("video alarm never expired")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOfflineTagsAndDetectors(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "GATE", Kind: twin.KindGate, Geometry: r.frame.ToGeometry(orb.Polygon{{{200, 0}, {210, 0}, {210, 10}, {200, 10}, {200, 0}}})}},
		twin.Upsert{Entity: &twin.Entity{ID: "P2", Kind: twin.KindPerson, Name: "李娜", Mobile: &twin.Mobile{Tag: "T2", Battery: math.NaN()}}},
		twin.Upsert{Entity: &twin.Entity{ID: "P3", Kind: twin.KindPerson, Name: "王强", Mobile: &twin.Mobile{Tag: "T3", Battery: math.NaN()}}},
	)
	move := func(tag string, x, y float64, at time.Time) {
		if err := r.scene.Apply(twin.Move{Tag: tag, Fix: twin.Fix{Point: r.frame.Point(x, y), At: at}, Battery: math.NaN()}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	move("T1", 50, 50, t0)   // in the plant
	move("T2", 195, 5, t0)   // last seen at the gate: left
	r.reading("GD-1", 3, t0) // reports once, then falls silent
	r.engine.ScanOffline(ctx, t0.Add(59*time.Second))
	r.waitOpen(t) // 59 s: nothing yet; P3 never reported at all
	r.engine.ScanOffline(ctx, t0.Add(60*time.Second))
	act := r.waitOpen(t, alarm.TagOffline, alarm.DetectorOffline)
	for _, a := range act {
		switch a.Type {
		case alarm.TagOffline:
			if a.EntityID != "P1" || a.AreaID != "A-MEOH" || a.Details["tag"] != "T1" {
				t.Errorf("tag_offline = %+v", a)
			}
		case alarm.DetectorOffline:
			if a.EntityID != "GD-1" || a.AreaID != "A-MEOH" {
				t.Errorf("detector_offline = %+v", a)
			}
		}
	}
	if len(act) != 2 {
		t.Fatalf("%d alarms, want P1's and GD-1's only: %+v", len(act), act)
	}
	r.engine.ScanOffline(ctx, t0.Add(65*time.Second)) // still silent: the same alarms
	if n := len(r.alarms.Active()); n != 2 {
		t.Fatalf("a second scan opened more alarms: %d", n)
	}
	move("T1", 52, 50, t0.Add(66*time.Second))
	r.reading("GD-1", 4, t0.Add(66*time.Second))
	r.engine.ScanOffline(ctx, t0.Add(67*time.Second))
	r.waitOpen(t)
}

func TestOfflineVerdict(t *testing.T) {
	for _, c := range []struct {
		last time.Time
		now  time.Duration
		want bool
	}{
		{time.Time{}, time.Hour, false}, // never reported: not on site
		{t0, 59 * time.Second, false},
		{t0, 60 * time.Second, true},
		{t0, -time.Second, false}, // a clock behind the report
	} {
		if got := rules.OfflineVerdict(c.last, t0.Add(c.now), time.Minute); got != c.want {
			t.Errorf("OfflineVerdict(%v, t0+%v) = %v", c.last, c.now, got)
		}
	}
}
