package api_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/gather"
)

func TestAlarmClose(t *testing.T) {
	h := newHarness(t)
	a := h.raise(alarm.FenceIntrusion, "P-001", 20, 40, t0.Add(-time.Minute))
	path := "/api/v1/alarms/" + a.ID + "/close"
	wantError(t, h.do(http.MethodPost, path, "", nil), 401, "unauthorized")
	wantError(t, h.do(http.MethodPost, path, h.login("inspector"), nil), 403, "forbidden")
	r := h.do(http.MethodPost, path, h.login("emergency"), map[string]any{"note": "已确认，人员已撤离"})
	var closed alarm.Alarm
	r.json(t, &closed)
	if r.status != 200 || closed.State != alarm.Cleared || closed.Details[alarm.DetailClosedBy] != "emergency" || closed.AckedBy != "emergency" {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	if au := h.audit("alarm.close"); len(au) != 1 || au[0].Actor != "emergency" || au[0].Target != a.ID {
		t.Fatalf("audit %+v", au)
	}
	wantError(t, h.do(http.MethodPost, path, h.login("manager"), nil), 409, "conflict")
	wantError(t, h.do(http.MethodPost, "/api/v1/alarms/AL-nope/close", h.login("manager"), nil), 404, "not_found")
}

func TestSilences(t *testing.T) {
	h := newHarness(t)
	mgr := h.login("manager")
	body := map[string]any{"types": []string{"fence_intrusion", "sos"}, "area_ids": []string{"A-west"},
		"to": t0.Add(8 * time.Hour), "reason": "大修期间 turnaround"}
	wantError(t, h.do(http.MethodPost, "/api/v1/silences", h.login("operator"), body), 403, "forbidden")
	wantError(t, h.do(http.MethodPost, "/api/v1/silences", mgr, map[string]any{"types": []string{"nope"}, "to": t0.Add(time.Hour)}), 400, "bad_request")
	wantError(t, h.do(http.MethodPost, "/api/v1/silences", mgr, map[string]any{"to": t0.Add(-time.Hour)}), 400, "bad_request")
	wantError(t, h.do(http.MethodPost, "/api/v1/silences", mgr, map[string]any{"to": t0.Add(60 * 24 * time.Hour)}), 400, "bad_request")
	// a window that has already ended (from and to both in the past)
	wantError(t, h.do(http.MethodPost, "/api/v1/silences", mgr, map[string]any{"from": t0.Add(-2 * time.Hour), "to": t0.Add(-time.Hour)}), 400, "bad_request")
	r := h.do(http.MethodPost, "/api/v1/silences", mgr, body)
	var si alarm.Silence
	r.json(t, &si)
	if r.status != 201 || si.ID == "" || si.By != "manager" || !si.From.Equal(t0) {
		t.Fatalf("add silence: %d %s", r.status, r.body)
	}
	// An intrusion in the silenced area is recorded but marked; an SOS is
	// never silenced; an intrusion elsewhere is not covered.
	in := h.raise(alarm.FenceIntrusion, "P-001", 20, 40, t0)
	sos := h.raise(alarm.SOS, "P-002", 60, 40, t0)
	if in.Details[alarm.DetailSilencedBy] != si.ID || sos.Details[alarm.DetailSilencedBy] != nil {
		t.Fatalf("silenced_by: intrusion %v, sos %v", in.Details, sos.Details)
	}
	var list struct {
		Silences []alarm.Silence `json:"silences"`
	}
	h.get("/api/v1/silences").json(t, &list)
	if len(list.Silences) != 1 || list.Silences[0].ID != si.ID {
		t.Fatalf("silences %+v", list)
	}
	if r := h.do(http.MethodDelete, "/api/v1/silences/"+si.ID, mgr, nil); r.status != 204 {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodDelete, "/api/v1/silences/"+si.ID, mgr, nil), 404, "not_found")
	add, rm := h.audit("silence.add"), h.audit("silence.remove")
	if len(add) != 1 || add[0].Actor != "manager" || add[0].Target != si.ID || add[0].Detail["reason"] != "大修期间 turnaround" {
		t.Errorf("silence.add audit %+v", add)
	}
	if len(rm) != 1 || rm[0].Actor != "manager" || rm[0].Target != si.ID {
		t.Errorf("silence.remove audit %+v", rm)
	}
}

// TestSilencesPersist: a silence set over the API is in the store, so an
// alarm engine started over the same store (a restart) has it and applies
// it; one removed over the API is gone from the store too. Both steps are
// in the audit log with who took them.
func TestSilencesPersist(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	restart := func() *alarm.Manager {
		m, err := alarm.NewManager(ctx, alarm.Options{Store: h.store, Clock: h.clock.Now, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	body := map[string]any{"types": []string{"low_battery"}, "area_ids": []string{"A-west"},
		"from": t0.Add(-time.Minute), "to": t0.Add(2 * time.Hour), "reason": "更换定位卡电池"}
	r := h.do(http.MethodPost, "/api/v1/silences", h.login("admin"), body)
	var si alarm.Silence
	r.json(t, &si)
	if r.status != 201 {
		t.Fatalf("add silence: %d %s", r.status, r.body)
	}
	stored, err := h.store.ActiveSilences(ctx, t0)
	if err != nil || len(stored) != 1 || !reflect.DeepEqual(stored[0], si) {
		t.Fatalf("stored silences %+v %v, want %+v", stored, err, si)
	}
	again := restart()
	if got := again.Silences(); len(got) != 1 || !reflect.DeepEqual(got[0], si) {
		t.Fatalf("after restart: %+v", got)
	}
	a, _, err := again.Raise(ctx, alarm.Raise{Type: alarm.LowBattery, EntityID: "P-001", AreaID: "A-west", Level: alarm.LevelLow})
	if err != nil || a.Details[alarm.DetailSilencedBy] != si.ID {
		t.Fatalf("raise after restart: %v %v", a.Details, err)
	}

	if r := h.do(http.MethodDelete, "/api/v1/silences/"+si.ID, h.login("manager"), nil); r.status != 204 {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	if stored, err := h.store.ActiveSilences(ctx, t0); err != nil || len(stored) != 0 {
		t.Fatalf("stored after removal %+v %v", stored, err)
	}
	if got := restart().Silences(); len(got) != 0 {
		t.Fatalf("removed silence back after restart: %+v", got)
	}
	add, rm := h.audit("silence.add"), h.audit("silence.remove")
	if len(add) != 1 || add[0].Actor != "admin" || len(rm) != 1 || rm[0].Actor != "manager" || rm[0].Target != si.ID {
		t.Errorf("audit add %+v remove %+v", add, rm)
	}
}

// TestGatheringConfirm drives a real gathering detector with fixes: four
// people within 15 m for over a minute make an orange gathering, which
// the API lists and refuses to close until they have dispersed.
func TestGatheringConfirm(t *testing.T) {
	var gs *gather.Service
	h := newHarness(t, func(o *api.Options) {
		var err error
		gs, err = gather.New(gather.Options{Scene: o.Scene, Alarms: o.Alarms.(*alarm.Manager), Logger: quietLog(), Clock: o.Clock, TickEvery: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		o.Gatherings = gs
	})
	h.scene.Observe(gs.Observe)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { gs.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	people := []string{"P-001", "P-002", "P-003", "P-004"}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	moveAll := func(s int, spread float64) {
		for i, id := range people {
			h.must(h.scene.Apply(twin.Move{ID: id, Fix: twin.Fix{Point: h.frame.Point(50+spread*float64(i), 60), At: at(s)}, Battery: 80}))
		}
	}
	for s := 0; s <= 70; s += 2 {
		moveAll(s, 3)
	}
	var a alarm.Alarm
	eventually(t, "orange gathering alarm", func() bool {
		for _, x := range h.alarms.Active() {
			if x.Type == alarm.Gathering {
				a = x
				return x.Level == alarm.LevelMedium
			}
		}
		return false
	})
	var list struct {
		Gatherings []struct {
			ID      string   `json:"id"`
			Count   int      `json:"count"`
			Colour  string   `json:"colour"`
			Members []string `json:"members"`
			Lon     float64  `json:"lon"`
		} `json:"gatherings"`
	}
	h.get("/api/v1/gatherings").json(t, &list)
	if len(list.Gatherings) != 1 || list.Gatherings[0].Count != 4 || list.Gatherings[0].Colour != "orange" || list.Gatherings[0].Lon == 0 {
		t.Fatalf("gatherings %+v", list)
	}
	path := "/api/v1/alarms/" + a.ID + "/close"
	wantError(t, h.do(http.MethodPost, path, h.login("emergency"), nil), 409, "conflict")
	for s := 72; s <= 100; s += 2 { // 60 m apart: dispersed after the off-delay
		moveAll(s, 60)
	}
	eventually(t, "dispersed", func() bool {
		gs := gs.Gatherings()
		return len(gs) == 1 && gs[0].Dispersed
	})
	r := h.do(http.MethodPost, path, h.login("emergency"), map[string]any{"note": "现场已疏散"})
	if r.status != 200 {
		t.Fatalf("close after dispersal: %d %s", r.status, r.body)
	}
	if got, _ := h.alarms.Get(t.Context(), a.ID); got.State != alarm.Cleared {
		t.Fatalf("gathering alarm %s after close", got.State)
	}
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
