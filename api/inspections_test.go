package api_test

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/inspect"
)

// withInspections wires a real inspection service over the harness's
// scene, store and alarms; *svc receives it.
func withInspections(svc **inspect.Service) func(*api.Options) {
	return func(o *api.Options) {
		s, err := inspect.NewService(inspect.Options{Store: o.Store, Scene: o.Scene, Alarms: o.Alarms.(alarm.Raiser), Clock: o.Clock,
			Logger: quietLog(), Location: time.FixedZone("CST", 8*3600)})
		if err != nil {
			panic(err)
		}
		o.Scene.Observe(s.Observe)
		o.Inspections, *svc = s, s
	}
}

// TestInspectionREST: a manager draws a point, a route and a daily plan
// over REST; the inspector's task appears; a check-in from afar is
// refused (422 too_far with its distance) and kept as an attempt; at the
// point for the dwell, with a photo, a failed reading raises a hidden
// danger, rectified by the inspector and accepted by the manager; the
// stats and progress count it; the point's code is never in a task.
func TestInspectionREST(t *testing.T) {
	var svc *inspect.Service
	h := newHarness(t, withInspections(&svc))
	ctx := context.Background()
	mgr, insp := h.login("manager"), h.login("inspector")
	pt := h.frame.Point(60, 40)
	feature := map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []float64{pt[0], pt[1]}},
		"properties": map[string]any{"id": "IP-T1", "name": "测试泵", "code": "QR-T1", "radius_m": 10,
			"checklist": []any{map[string]any{"key": "temp", "zh": "轴承温度", "kind": "number", "max": 80, "unit": "°C", "required": true},
				map[string]any{"key": "photo", "zh": "现场照片", "kind": "photo"}}}}
	wantError(t, h.do(http.MethodPost, "/api/v1/inspections/points", insp, feature), http.StatusForbidden, "forbidden")
	if r := h.do(http.MethodPost, "/api/v1/inspections/points", mgr, feature); r.status != http.StatusCreated {
		t.Fatalf("point: %d %s", r.status, r.body)
	}
	bad := map[string]any{"type": "Feature", "geometry": feature["geometry"], "properties": map[string]any{"name": "无码点"}}
	wantError(t, h.do(http.MethodPost, "/api/v1/inspections/points", mgr, bad), http.StatusBadRequest, "bad_request")
	twice := map[string]any{"type": "Feature", "geometry": feature["geometry"], "properties": map[string]any{"name": "重码点", "code": "QR-T1"}}
	wantError(t, h.do(http.MethodPost, "/api/v1/inspections/points", mgr, twice), http.StatusConflict, "conflict")
	if r := h.do(http.MethodPost, "/api/v1/inspections/routes", mgr, map[string]any{"id": "RT-T", "name": "测试路线", "points": []string{"IP-T1"}}); r.status != http.StatusCreated {
		t.Fatalf("route: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/inspections/routes", mgr, map[string]any{"name": "坏路线", "points": []string{"IP-NONE"}}), http.StatusBadRequest, "bad_request")
	plan := map[string]any{"id": "PL-T", "name": "每日巡检", "route": "RT-T", "every": 1, "unit": "day", "days": "all",
		"assignee": "P-002", "grace_min": 30, "from": "2026-01-01", "enabled": true}
	if r := h.do(http.MethodPost, "/api/v1/inspections/plans", mgr, plan); r.status != http.StatusCreated {
		t.Fatalf("plan: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/inspections/plans", mgr, plan), http.StatusConflict, "conflict")
	wantError(t, h.do(http.MethodPut, "/api/v1/inspections/plans/PL-NONE", mgr, plan), http.StatusBadRequest, "bad_request") // ids differ
	delete(plan, "id")
	wantError(t, h.do(http.MethodPut, "/api/v1/inspections/plans/PL-NONE", mgr, plan), http.StatusNotFound, "not_found")
	wantError(t, h.do(http.MethodDelete, "/api/v1/inspections/routes/RT-T", mgr, nil), http.StatusConflict, "in_use")
	wantError(t, h.do(http.MethodDelete, "/api/v1/inspections/points/IP-T1", mgr, nil), http.StatusConflict, "in_use") // on RT-T
	plan["name"] = "每日巡检（白班）"
	if r := h.do(http.MethodPut, "/api/v1/inspections/plans/PL-T", mgr, plan); r.status != 200 || !strings.Contains(string(r.body), "白班") {
		t.Fatalf("plan replaced: %d %s", r.status, r.body)
	}
	if err := svc.Step(ctx); err != nil {
		t.Fatal(err)
	}
	var tasks struct {
		Tasks []struct {
			ID        string
			RouteName string `json:"route_name"`
			Points    []map[string]any
		}
	}
	r := h.do(http.MethodGet, "/api/v1/inspections/tasks?mine=1", insp, nil)
	r.json(t, &tasks)
	if r.status != 200 || len(tasks.Tasks) != 1 || tasks.Tasks[0].RouteName != "测试路线" || tasks.Tasks[0].Points[0]["name"] != "测试泵" {
		t.Fatalf("my tasks: %d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), "QR-T1") {
		t.Error("a task carries the point's code")
	}
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{1}, 100)...)
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/api/v1/inspections/photos", bytes.NewReader(jpeg))
	req.Header.Set("Content-Type", "image/jpeg")
	req.Header.Set("Authorization", "Bearer "+insp)
	r = h.send(req)
	var photo struct{ ID string }
	r.json(t, &photo)
	if r.status != http.StatusCreated || photo.ID == "" {
		t.Fatalf("photo: %d %s", r.status, r.body)
	}
	if back := h.get("/api/v1/inspections/photos/" + photo.ID); back.status != 200 || !bytes.Equal(back.body, jpeg) || back.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("photo back: %d %q", back.status, back.header.Get("Content-Type"))
	}
	// From 50 m away: refused, with the distance.
	h.must(h.scene.Apply(twin.Move{ID: "P-002", Fix: twin.Fix{Point: h.frame.Point(110, 40), At: h.clock.Now()}, Battery: math.NaN()}))
	temp := func(v float64) []map[string]any {
		return []map[string]any{{"key": "temp", "value": v}, {"key": "photo", "photo": photo.ID}}
	}
	r = h.do(http.MethodPost, "/api/v1/inspections/checkins", insp, map[string]any{"point_id": "IP-T1", "code": "QR-T1", "results": temp(60)})
	var refusal struct {
		Error struct {
			Code    string
			Details map[string]any
		}
	}
	r.json(t, &refusal)
	if r.status != http.StatusUnprocessableEntity || refusal.Error.Code != "too_far" || math.Abs(refusal.Error.Details["distance_m"].(float64)-50) > 0.5 {
		t.Fatalf("from afar: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/inspections/checkins", h.login("admin"), map[string]any{"point_id": "IP-T1"}), http.StatusForbidden, "no_person")
	// At the point for 22 s, a fix every 2 s.
	for range 12 {
		h.clock.Add(2 * time.Second)
		h.must(h.scene.Apply(twin.Move{ID: "P-002", Fix: twin.Fix{Point: h.frame.Point(62, 40), At: h.clock.Now()}, Battery: math.NaN()}))
	}
	results := temp(92)
	r = h.do(http.MethodPost, "/api/v1/inspections/checkins", insp, map[string]any{"task_id": tasks.Tasks[0].ID, "point_id": "IP-T1", "code": "QR-T1", "results": results})
	var c struct {
		ID      string
		Status  int
		Dangers []string
	}
	r.json(t, &c)
	if r.status != http.StatusCreated || c.Status != inspect.RecordHazard || len(c.Dangers) != 1 {
		t.Fatalf("check-in: %d %s", r.status, r.body)
	}
	var attempts struct{ Attempts []struct{ Code string } }
	h.do(http.MethodGet, "/api/v1/inspections/attempts?person=P-002", mgr, nil).json(t, &attempts)
	if len(attempts.Attempts) != 1 || attempts.Attempts[0].Code != "too_far" {
		t.Errorf("attempts %+v", attempts)
	}
	// The hidden danger: on the map, rectified, accepted.
	id := c.Dangers[0]
	var d struct{ Status string }
	h.get("/api/v1/hidden-dangers/"+id).json(t, &d)
	if d.Status != "rectifying" {
		t.Errorf("danger %+v", d)
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/hidden-dangers/"+id+"/rectify", insp, nil), http.StatusBadRequest, "note_required")
	if r := h.do(http.MethodPost, "/api/v1/hidden-dangers/"+id+"/rectify", insp, map[string]any{"note": "更换轴承"}); r.status != 200 {
		t.Fatalf("rectify: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/hidden-dangers/"+id+"/accept", insp, map[string]any{"note": "ok"}), http.StatusForbidden, "forbidden")
	r = h.do(http.MethodPost, "/api/v1/hidden-dangers/"+id+"/accept", mgr, map[string]any{"note": "复查合格"})
	r.json(t, &d)
	if r.status != 200 || d.Status != "accepted" {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if e, ok := h.scene.Get(id); !ok || e.Props["status"] != "accepted" {
		t.Errorf("danger on the map: %v", e)
	}
	var stats struct {
		Rows []struct {
			Key  string
			Done int
		}
	}
	h.get("/api/v1/inspections/stats?by=person").json(t, &stats)
	if len(stats.Rows) != 1 || stats.Rows[0].Key != "P-002" || stats.Rows[0].Done != 1 {
		t.Errorf("stats %+v", stats)
	}
	wantError(t, h.get("/api/v1/inspections/stats?by=weather"), http.StatusBadRequest, "invalid_parameter")
	if e, _ := h.scene.Get("IP-T1"); e.State["status"] != "done" {
		t.Errorf("point on the map: %v", e.State)
	}
}
