package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chemtwin/chemtwin/twin"
)

func TestFenceCRUD(t *testing.T) {
	h := newHarness(t)
	mgr := h.login("manager")
	ring := func(x0, y0, x1, y1 float64) [][][2]float64 {
		p := h.rect(x0, y0, x1, y1)
		out := [][][2]float64{{}}
		for _, q := range p[0] {
			out[0] = append(out[0], [2]float64{q[0], q[1]})
		}
		return out
	}
	feature := func(props map[string]any) map[string]any {
		return map[string]any{"type": "Feature", "properties": props, "geometry": map[string]any{"type": "Polygon", "coordinates": ring(40, 40, 70, 70)}}
	}
	body := feature(map[string]any{"name": "检修作业区", "rule": "headcount", "max_persons": 3, "level": 2, "parent": "A-west"})

	wantError(t, h.do(http.MethodPost, "/api/v1/fences", "", body), 401, "unauthorized")
	wantError(t, h.do(http.MethodPost, "/api/v1/fences", h.login("operator"), body), 403, "forbidden")
	wantError(t, h.do(http.MethodPost, "/api/v1/fences", mgr, feature(map[string]any{"rule": "forbid"})), 400, "bad_request")
	wantError(t, h.do(http.MethodPost, "/api/v1/fences", mgr, feature(map[string]any{"rule": "lingering"})), 400, "bad_request") // no dwell_s
	wantError(t, h.do(http.MethodPost, "/api/v1/fences", mgr, feature(map[string]any{"rule": "forbidden", "kind": "area"})), 400, "bad_request")
	wantError(t, h.do(http.MethodPost, "/api/v1/fences", mgr, feature(map[string]any{"rule": "forbidden", "parent": "NOPE"})), 400, "bad_request")
	wantError(t, h.do(http.MethodPost, "/api/v1/fences", mgr, `{"type":`), 400, "invalid_json")

	r := h.do(http.MethodPost, "/api/v1/fences", mgr, body)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var doc struct {
		Properties map[string]any `json:"properties"`
	}
	r.json(t, &doc)
	id, _ := doc.Properties["id"].(string)
	e, ok := h.scene.Get(id)
	if id == "" || !ok || e.Kind != twin.KindFence || e.String("rule") != "headcount" || e.Parent != "A-west" {
		t.Fatalf("created fence %q: %+v", id, e)
	}
	edits, err := h.store.SceneEdits(t.Context())
	if err != nil || len(edits) != 1 || edits[0].ID != id || edits[0].By != "manager" || !json.Valid(edits[0].Feature) {
		t.Fatalf("stored edits %+v %v", edits, err)
	}
	body["properties"].(map[string]any)["id"] = id
	wantError(t, h.do(http.MethodPost, "/api/v1/fences", mgr, body), 409, "conflict")

	body["properties"].(map[string]any)["max_persons"] = 5
	if r := h.do(http.MethodPut, "/api/v1/fences/"+id, mgr, body); r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if e, _ := h.scene.Get(id); e.Float("max_persons", 0) != 5 {
		t.Fatalf("updated max_persons %v", e.Props["max_persons"])
	}
	wantError(t, h.do(http.MethodPut, "/api/v1/fences/OTHER", mgr, body), 400, "bad_request") // the body names another fence
	wantError(t, h.do(http.MethodPut, "/api/v1/fences/GD-1", mgr, feature(map[string]any{"rule": "forbidden"})), 404, "not_found")

	// A scene file's fence can be deleted too; the removal is stored.
	if r := h.do(http.MethodDelete, "/api/v1/fences/F-1", h.login("admin"), nil); r.status != 204 {
		t.Fatalf("delete F-1: %d %s", r.status, r.body)
	}
	if _, ok := h.scene.Get("F-1"); ok {
		t.Fatal("F-1 still in the scene")
	}
	wantError(t, h.do(http.MethodDelete, "/api/v1/fences/F-1", mgr, nil), 404, "not_found")
	edits, _ = h.store.SceneEdits(t.Context())
	removed := map[string]bool{}
	for _, e := range edits {
		removed[e.ID] = e.Removed
	}
	if len(edits) != 2 || !removed["F-1"] || removed[id] {
		t.Fatalf("edits after delete %+v", edits)
	}
	if n := len(h.audit("fence.create")) + len(h.audit("fence.update")) + len(h.audit("fence.delete")); n != 3 {
		t.Errorf("fence audit entries %d, want 3", n)
	}
}
