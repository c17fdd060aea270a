package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/evac"
)

// withEvacuation wires a real emergency service over the harness's scene
// and store; *svc receives it, notices to tags land in *told.
func withEvacuation(svc **evac.Service, told *[]string) func(*api.Options) {
	return func(o *api.Options) {
		s, err := evac.NewService(evac.Options{Scene: o.Scene, Store: o.Store, Clock: o.Clock, Logger: quietLog(),
			Location: time.FixedZone("CST", 8*3600),
			Notify: func(tag string, v any) error {
				*told = append(*told, fmt.Sprintf("%s:%s", tag, v.(map[string]any)["kind"]))
				return nil
			}})
		if err != nil {
			panic(err)
		}
		o.Scene.Observe(s.Observe)
		o.Evacuation, *svc = s, s
	}
}

// TestEvacuationREST: emergency staff draw a hazard over the walkway
// between the people and the east muster point; everyone is routed west
// around it; the order tells every tag, a second is refused while it
// stands; the roll call counts who arrived, in JSON and CSV; an inspector
// may read but not plan.
func TestEvacuationREST(t *testing.T) {
	var svc *evac.Service
	var told []string
	h := newHarness(t, withEvacuation(&svc, &told))
	f := h.frame
	line := func(id string, pts ...orb.Point) twin.Change {
		ls := orb.LineString{}
		for _, p := range pts {
			ls = append(ls, f.Point(p[0], p[1]))
		}
		return twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindWalkway, Parent: "demo", Geometry: ls}}
	}
	h.must(h.scene.Apply(
		line("WW-40", orb.Point{0, 40}, orb.Point{300, 40}),
		line("WW-0", orb.Point{0, 40}, orb.Point{0, 150}),
		line("WW-300", orb.Point{300, 40}, orb.Point{300, 150}),
		twin.Upsert{Entity: &twin.Entity{ID: "MP-W", Kind: twin.KindMusterPoint, Parent: "demo", Name: "西集合点", Geometry: f.Point(0, 150), Props: map[string]any{"capacity": 50.0, "radius_m": 10.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "MP-E", Kind: twin.KindMusterPoint, Parent: "demo", Name: "东集合点", Geometry: f.Point(300, 150), Props: map[string]any{"capacity": 50.0, "radius_m": 10.0}}},
	))
	now := h.clock.Now()
	for i, x := range []float64{20, 60, 90, 120, 140} {
		h.must(h.scene.Apply(twin.Move{ID: fmt.Sprintf("P-%03d", i+1), Fix: twin.Fix{Point: f.Point(x, 40), At: now.Add(-time.Second)}, Battery: 80}))
	}
	h.must(h.scene.Apply(twin.Move{ID: "P-005", Fix: twin.Fix{Point: f.Point(300, 148), At: now}, Battery: 80})) // at MP-E already
	emg, insp := h.login("emergency"), h.login("inspector")
	hazard := map[string]any{"type": "Feature", "properties": map[string]any{"id": "H-1", "name": "泄漏"},
		"geometry": geojson.NewGeometry(h.rect(160, 20, 200, 60))}
	body := map[string]any{"name": "演练", "hazards": []any{hazard}}

	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/plans", insp, body), http.StatusForbidden, "forbidden")
	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/plans", emg, map[string]any{"hazards": []any{}}), http.StatusBadRequest, "bad_request")
	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/plans", emg, map[string]any{"use_threat_zone": true}), http.StatusBadRequest, "bad_request")
	r := h.do(http.MethodPost, "/api/v1/evacuation/plans", emg, body)
	if r.status != http.StatusCreated {
		t.Fatalf("plan: %d %s", r.status, r.body)
	}
	var plan struct {
		ID     string `json:"id"`
		Routed int    `json:"routed"`
		Routes struct {
			Features []struct {
				Geometry   struct{ Coordinates [][2]float64 }
				Properties struct {
					Person string  `json:"person_id"`
					Muster string  `json:"muster_id"`
					Length float64 `json:"length_m"`
					Eta    float64 `json:"eta_s"`
				}
			}
		}
		Unreachable []any `json:"unreachable"`
		Musters     []struct {
			ID       string
			Capacity int
			Assigned int
			Status   string
		} `json:"muster_points"`
		Hazards struct{ Features []any }
	}
	if err := json.Unmarshal(r.body, &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Routed != 5 || len(plan.Unreachable) != 0 || len(plan.Hazards.Features) != 1 {
		t.Fatalf("plan %s", r.body)
	}
	got := map[string]string{}
	for _, rt := range plan.Routes.Features {
		p := rt.Properties
		got[p.Person] = p.Muster
		if p.Person == "P-001" && (p.Length < 129 || p.Length > 131 || p.Eta < 100) {
			t.Errorf("P-001's route: %+v", p)
		}
	}
	// P-004 and P-005's nearer way east (x 140 → 300) crosses the hazard at x 160–200: west
	if fmt.Sprint(got) != "map[P-001:MP-W P-002:MP-W P-003:MP-W P-004:MP-W P-005:MP-E]" {
		t.Errorf("musters %v", got)
	}
	if fmt.Sprintf("%+v", plan.Musters) != "[{ID:MP-E Capacity:50 Assigned:1 Status:safe} {ID:MP-W Capacity:50 Assigned:4 Status:safe}]" {
		t.Errorf("muster points %+v", plan.Musters)
	}
	if r := h.do(http.MethodGet, "/api/v1/evacuation/plans/"+plan.ID, "", nil); r.status != 200 || !strings.Contains(string(r.body), `"routed":5`) {
		t.Errorf("GET plan: %d %.200s", r.status, r.body)
	}
	if r := h.do(http.MethodGet, "/api/v1/evacuation/plans", "", nil); r.status != 200 || !strings.Contains(string(r.body), plan.ID) {
		t.Errorf("GET plans: %d %.200s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodGet, "/api/v1/evacuation/plans/EVP-NONE", "", nil), http.StatusNotFound, "not_found")
	// A closure of the west walkway: re-planned, P-001…P-004 are cut off.
	body["closures"] = []any{map[string]any{"type": "Feature", "properties": map[string]any{"sources": []string{"WW-0"}}, "geometry": nil}}
	r = h.do(http.MethodPut, "/api/v1/evacuation/plans/"+plan.ID, emg, body)
	if r.status != 200 || !strings.Contains(string(r.body), `"cut_off":4`) || !strings.Contains(string(r.body), `"rev":2`) {
		t.Fatalf("PUT plan: %d %.600s", r.status, r.body)
	}

	// The order
	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/orders", insp, map[string]any{"plan_id": plan.ID}), http.StatusForbidden, "forbidden")
	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/orders", emg, map[string]any{"plan_id": "EVP-NONE"}), http.StatusNotFound, "not_found")
	r = h.do(http.MethodPost, "/api/v1/evacuation/orders", emg, map[string]any{"plan_id": plan.ID, "message": "演练：全厂撤离"})
	if r.status != http.StatusCreated {
		t.Fatalf("order: %d %s", r.status, r.body)
	}
	var order evac.OrderView
	if err := json.Unmarshal(r.body, &order); err != nil {
		t.Fatal(err)
	}
	if order.Sent != 5 || order.Acked != 0 || !order.Active || order.Message != "演练：全厂撤离" || len(told) != 5 {
		t.Fatalf("order %+v told %v", order, told)
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/orders", emg, map[string]any{"plan_id": plan.ID}), http.StatusConflict, "conflict")
	if r := h.do(http.MethodGet, "/api/v1/evacuation/orders/"+order.ID, "", nil); r.status != 200 || !strings.Contains(string(r.body), `"pending":[{"person_id":"P-001"`) {
		t.Errorf("GET order: %d %.300s", r.status, r.body)
	}

	// The roll call: P-005 at MP-E; the others inside.
	r = h.do(http.MethodGet, "/api/v1/muster", "", nil)
	var rc evac.RollCall
	if err := json.Unmarshal(r.body, &rc); err != nil || r.status != 200 {
		t.Fatalf("muster: %d %s", r.status, r.body)
	}
	if rc.Totals.Arrived != 1 || rc.Totals.Inside != 4 || !rc.Since.Equal(order.At) {
		t.Errorf("roll call %+v since %v", rc.Totals, rc.Since)
	}
	r = h.do(http.MethodGet, "/api/v1/muster?format=csv", "", nil)
	if lines := strings.Split(strings.TrimSpace(string(r.body)), "\n"); r.status != 200 || len(lines) < 6 || !strings.HasPrefix(lines[0], "\ufeffperson_id,name") ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Errorf("muster CSV: %d %q", r.status, r.body)
	}
	wantError(t, h.do(http.MethodGet, "/api/v1/muster?format=xml", "", nil), http.StatusBadRequest, "invalid_parameter")

	// All clear
	r = h.do(http.MethodPost, "/api/v1/evacuation/orders/"+order.ID+"/end", emg, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"active":false`) {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/orders/"+order.ID+"/end", emg, nil), http.StatusConflict, "conflict")
	if r := h.do(http.MethodGet, "/api/v1/evacuation/orders", "", nil); r.status != 200 || !strings.Contains(string(r.body), order.ID) {
		t.Errorf("GET orders: %d %.200s", r.status, r.body)
	}
	if n := strings.Count(strings.Join(told, " "), "evacuation_end"); n != 5 {
		t.Errorf("all-clear told %d tags: %v", n, told)
	}
}

// Without the emergency service (no plant frame) its routes answer 503,
// after authentication for the mutating ones.
func TestEvacuationUnavailable(t *testing.T) {
	h := newHarness(t)
	wantError(t, h.do(http.MethodGet, "/api/v1/muster", "", nil), http.StatusServiceUnavailable, "unavailable")
	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/plans", "", map[string]any{"use_threat_zones": true}), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.do(http.MethodPost, "/api/v1/evacuation/plans", h.login("emergency"), map[string]any{"use_threat_zones": true}), http.StatusServiceUnavailable, "unavailable")
}
