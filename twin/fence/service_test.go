package fence_test

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/fence"
)

func demoTwin(t *testing.T) *twin.Scene {
	t.Helper()
	s, err := scenes.Load(scenes.Demo())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := s.Twin(twin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestDemoFencesCompile(t *testing.T) {
	ts := demoTwin(t)
	var ents []*twin.Entity
	ts.View(func(tx twin.Tx) {
		tx.Kind(twin.KindFence, func(e *twin.Entity) bool { ents = append(ents, e.Clone()); return true })
	})
	set, err := fence.Compile(ents, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != len(ents) || set.Len() < 13 {
		t.Fatalf("%d of %d demo fences compiled", set.Len(), len(ents))
	}
	rules := map[fence.Rule]bool{}
	for _, f := range set.Fences() {
		rules[f.Rule] = true
	}
	for _, r := range fence.Rules {
		if !rules[r] {
			t.Errorf("the demo has no %s fence", r)
		}
	}
	if f := set.Get("FN-B1-F5"); f == nil || !f.HasFloor || f.Floor != 5 {
		t.Errorf("FN-B1-F5: %+v", f)
	}
	if f := set.Get("FN-FGW-NIGHT"); f == nil || !f.Window.Set || f.Window.From != 18*60 || f.Window.To != 8*60 {
		t.Errorf("FN-FGW-NIGHT: %+v", f)
	}
}

// TestServiceRaisesThroughTheAlarmManager wires the service like the
// server does: the scene's results go to Observe, Run raises through a
// real alarm manager on SQLite.
func TestServiceRaisesThroughTheAlarmManager(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	alarms, err := alarm.NewManager(ctx, alarm.Options{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	ts := demoTwin(t)
	reg := prometheus.NewRegistry()
	svc, err := fence.NewService(fence.ServiceOptions{Scene: ts, Alarms: alarms, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := svc.Set(); cfg.Len() < 13 {
		t.Fatalf("service compiled %d fences", cfg.Len())
	}
	ts.Observe(svc.Observe)
	done := make(chan struct{})
	go func() { svc.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	sub, _ := ts.Get("FN-SUB")
	inside := geo.Centroid(sub.Geometry)
	start := time.Now().Add(-time.Minute)
	// The plant manager (not an electrician) walks into the substation.
	for i := range 3 {
		fix := twin.Fix{Point: inside, At: start.Add(time.Duration(2*i) * time.Second)}
		if err := ts.Apply(twin.Move{ID: "PS-0001", Fix: fix, Battery: math.NaN()}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	key := "fence_intrusion:PS-0001:FN-SUB"
	waitFor(t, func() bool { return alarms.IsOpen(key) })
	a := alarms.Active()[0]
	if a.Type != alarm.FenceIntrusion || a.EntityID != "PS-0001" || a.Level != 2 || a.AreaID == "" || a.Details["fence_id"] != "FN-SUB" {
		t.Fatalf("alarm %+v", a)
	}
	// Removing the fence over the scene clears its alarm.
	if err := ts.Apply(twin.Remove{ID: "FN-SUB"}).Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return !alarms.IsOpen(key) && svc.Set().Get("FN-SUB") == nil })

	// Replace installs a set from elsewhere (REST edits).
	poly := geo.Circle(inside, 30, 16)
	f, err := fence.Parse(&twin.Entity{ID: "FN-NEW", Kind: twin.KindFence, Geometry: poly, Props: map[string]any{"rule": "forbidden"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := fence.NewSet([]*fence.Fence{f}, 0)
	svc.Replace(set)
	waitFor(t, func() bool { return svc.Set().Get("FN-NEW") != nil })

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(mfs))
	for i, m := range mfs {
		names[i] = m.GetName()
	}
	if !slices.Contains(names, "chemtwin_fence_fixes_total") {
		t.Fatal("fence metrics not registered")
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
