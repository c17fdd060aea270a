package gather_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/gather"
)

var t0 = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

type rig struct {
	t      *testing.T
	scene  *twin.Scene
	frame  *geo.Frame
	alarms *alarm.Manager
	svc    *gather.Service
	mu     sync.Mutex
	notes  []gather.Notify
}

// newRig wires a real scene, a real alarm manager on SQLite and the
// service, the way service.go wires them.
func newRig(t *testing.T) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	r := &rig{t: t, frame: f, scene: twin.New(twin.Options{SiteID: "demo", Frame: f})}
	res := r.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: "A-MEOH", Kind: twin.KindArea, Name: "甲醇生产区",
		Geometry: f.ToGeometry(orb.Polygon{{{-100, -100}, {100, -100}, {100, 100}, {-100, 100}, {-100, -100}}})}})
	for i := range 4 {
		res.Errs = append(res.Errs, r.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: fmt.Sprintf("P%d", i), Kind: twin.KindPerson,
			Mobile: &twin.Mobile{Tag: fmt.Sprintf("T%d", i), Battery: math.NaN()}}}).Errs...)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return t0 } // time advances by fixes only
	r.alarms, err = alarm.NewManager(ctx, alarm.Options{Store: db, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	r.svc, err = gather.New(gather.Options{Scene: r.scene, Alarms: r.alarms, Clock: clock, Notify: func(n gather.Notify) {
		r.mu.Lock()
		r.notes = append(r.notes, n)
		r.mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	r.scene.Observe(r.svc.Observe)
	r.alarms.Observe(r.svc.ObserveAlarm)
	done := make(chan error, 1)
	go func() { done <- r.svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		db.Close()
	})
	return r
}

// walk reports the four people at plant positions every 2 s over dur.
func (r *rig) walk(from time.Time, dur time.Duration, at func(i int) (x, y float64)) time.Time {
	for ts := from; !ts.After(from.Add(dur)); ts = ts.Add(2 * time.Second) {
		var ch []twin.Change
		for i := range 4 {
			x, y := at(i)
			ch = append(ch, twin.Move{ID: fmt.Sprintf("P%d", i), Fix: twin.Fix{Point: r.frame.Point(x, y), At: ts}, Battery: math.NaN()})
		}
		if err := r.scene.Apply(ch...).Err(); err != nil {
			r.t.Fatal(err)
		}
	}
	return from.Add(dur)
}

// await polls until cond holds; the work happens on the service goroutine.
func (r *rig) await(what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (r *rig) gathering() (alarm.Alarm, bool) {
	for _, a := range r.alarms.Active() {
		if a.Type == alarm.Gathering {
			return a, true
		}
	}
	return alarm.Alarm{}, false
}

func TestServiceLifecycle(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	together := func(i int) (float64, float64) { return 5 * math.Cos(float64(i)), 5 * math.Sin(float64(i)) }
	now := r.walk(t0, 62*time.Second, together)
	r.await("the orange alarm", func() bool { _, ok := r.gathering(); return ok })
	a, _ := r.gathering()
	if a.Level != 2 || a.Details["colour"] != "orange" || a.Details["count"] != 4 || a.AreaID != "A-MEOH" || a.EntityID == "" {
		t.Fatalf("alarm %+v", a)
	}
	r.await("4 notifications", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return len(r.notes) == 4 })
	r.mu.Lock()
	for _, n := range r.notes {
		if n.Tag != "T"+n.PersonID[1:] || n.GatheringID != a.EntityID || n.Level != 2 || n.At.After(now) {
			t.Errorf("notify %+v", n)
		}
	}
	r.mu.Unlock()
	if _, err := r.svc.Confirm(ctx, a.EntityID, "safety", now); !errors.Is(err, gather.ErrStillGathered) {
		t.Fatalf("confirm while gathered: %v", err)
	}

	// A level-1 gas alarm 30 m away: evacuate.
	if _, _, err := r.alarms.Raise(ctx, alarm.Raise{Type: alarm.GasLevel1, EntityID: "GD-1", Level: alarm.LevelMedium,
		Lon: r.frame.Point(30, 0)[0], Lat: r.frame.Point(30, 0)[1]}); err != nil {
		t.Fatal(err)
	}
	r.await("the evacuation", func() bool { a, _ := r.gathering(); return a.Details["evacuate"] == true })
	if a, _ = r.gathering(); a.Level != 3 {
		t.Fatalf("escalated %+v", a)
	}

	// Everyone leaves; after the off-delay it waits for a named confirmation.
	now = r.walk(now.Add(2*time.Second), 20*time.Second, func(i int) (float64, float64) { return 60 * float64(i), 80 })
	r.await("dispersal", func() bool { a, _ := r.gathering(); return a.Details["dispersed"] == true })
	g, err := r.svc.Confirm(ctx, a.EntityID, "safety", now)
	if err != nil || g.ConfirmedBy != "safety" {
		t.Fatalf("confirm = %+v %v", g, err)
	}
	if _, open := r.gathering(); open {
		t.Fatal("alarm still open after confirmation")
	}
	stored, err := r.alarms.Get(ctx, a.ID)
	if err != nil || stored.State != alarm.Cleared || stored.Details["confirmed_by"] != "safety" {
		t.Fatalf("stored %+v %v", stored, err)
	}
}

func TestServiceRejectsBadConfig(t *testing.T) {
	if _, err := gather.New(gather.Options{}); err == nil {
		t.Fatal("no scene accepted")
	}
	s := twin.New(twin.Options{})
	if _, err := gather.New(gather.Options{Scene: s, Alarms: nopAlarms{}}); err == nil {
		t.Fatal("no frame accepted")
	}
}

type nopAlarms struct{}

func (nopAlarms) Raise(context.Context, alarm.Raise) (alarm.Alarm, bool, error) {
	return alarm.Alarm{}, false, nil
}
func (nopAlarms) Clear(context.Context, string, time.Time) (alarm.Alarm, bool, error) {
	return alarm.Alarm{}, false, nil
}
