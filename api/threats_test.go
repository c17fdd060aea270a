package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/twin/threat"
)

// withThreats wires a real threat service over the harness scene.
func withThreats() func(*api.Options) {
	return func(o *api.Options) {
		svc, err := threat.New(threat.Options{Scene: o.Scene, Clock: o.Clock, Logger: quietLog()})
		if err != nil {
			panic(err)
		}
		o.Threats = svc
	}
}

// TestScenarios: emergency staff plan a release, get its zones with the
// people in them, find it saved, and delete it; the rules on who may and
// what is a scenario hold.
func TestScenarios(t *testing.T) {
	h := newHarness(t, withThreats())
	src := h.frame.Point(0, 40) // west of the five people on y = 40
	req := map[string]any{
		"name": "液氨泄漏演练 drill", "lon": src[0], "lat": src[1], "substance": "ammonia",
		"release": map[string]any{"type": "direct", "rate_g_s": 200},
		"weather": map[string]any{"wind_speed": 3, "wind_from": 270, "stability": "D"},
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/scenarios", "", req), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.do(http.MethodPost, "/api/v1/scenarios", h.login("operator"), req), http.StatusForbidden, "forbidden")
	tok := h.login("emergency")
	r := h.do(http.MethodPost, "/api/v1/scenarios", tok, req)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var doc struct {
		ID, Name, By string
		Result       struct {
			Incident threat.Incident
			Zones    struct {
				Type     string
				Features []struct {
					ID         string
					Properties map[string]any
				}
			}
		}
	}
	r.json(t, &doc)
	if !strings.HasPrefix(doc.ID, "SC-") || doc.By != "emergency" || r.header.Get("Location") != "/api/v1/scenarios/"+doc.ID {
		t.Fatalf("doc %+v, location %q", doc, r.header.Get("Location"))
	}
	in := doc.Result.Incident
	if in.Substance != "ammonia" || in.Source.RateGS != 200 || len(in.Zones) == 0 || doc.Result.Zones.Type != "FeatureCollection" {
		t.Fatalf("incident %+v", in)
	}
	// Downwind of the release along y = 40: the nearest people are in the
	// red zone.
	var red []string
	for _, z := range in.Zones {
		if z.Level == 3 && z.Kind == "threat" {
			red = z.People
		}
	}
	if !slices.Contains(red, "P-001") {
		t.Errorf("red zone holds %v, want P-001 (20 m downwind)", red)
	}
	for _, f := range doc.Result.Zones.Features {
		if !strings.HasPrefix(f.ID, "WI-"+doc.ID+"-ammonia-") || f.Properties["origin"] != "scenario" {
			t.Errorf("feature %s %v", f.ID, f.Properties["origin"])
		}
	}
	// Saved: listed, and read back as computed.
	var list struct {
		Scenarios []struct{ ID, Name, By string }
	}
	h.get("/api/v1/scenarios").json(t, &list)
	if len(list.Scenarios) != 1 || list.Scenarios[0].ID != doc.ID || list.Scenarios[0].Name != "液氨泄漏演练 drill" {
		t.Fatalf("list %+v", list)
	}
	if g := h.get("/api/v1/scenarios/" + doc.ID); g.status != 200 || strings.TrimSpace(string(g.body)) != strings.TrimSpace(string(r.body)) {
		t.Errorf("get: %d, body differs from the creation's", g.status)
	}
	// Bad scenarios.
	bad := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{}
		for k, v := range req {
			m[k] = v
		}
		edit(m)
		return m
	}
	for name, body := range map[string]any{
		"zero rate": bad(func(m map[string]any) { m["release"] = map[string]any{"type": "direct", "rate_g_s": 0} }),
		"no name":   bad(func(m map[string]any) { m["name"] = "" }),
		"id given":  bad(func(m map[string]any) { m["id"] = "mine" }),
		"no place":  bad(func(m map[string]any) { delete(m, "lon"); delete(m, "lat") }),
		"bad stability": bad(func(m map[string]any) {
			m["weather"] = map[string]any{"wind_speed": 3, "wind_from": 270, "stability": "Z"}
		}),
		"unknown source": bad(func(m map[string]any) { m["source_id"] = "NOPE" }),
	} {
		if r := h.do(http.MethodPost, "/api/v1/scenarios", tok, body); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/scenarios", tok, `{"name": "x", "release": {"type": "direct", "rate_g_s": 1}, "colour": 1}`), http.StatusBadRequest, "invalid_json")
	wantError(t, h.get("/api/v1/scenarios?limit=0"), http.StatusBadRequest, "invalid_limit")
	// Delete.
	wantError(t, h.do(http.MethodDelete, "/api/v1/scenarios/"+doc.ID, h.login("operator"), nil), http.StatusForbidden, "forbidden")
	if d := h.do(http.MethodDelete, "/api/v1/scenarios/"+doc.ID, tok, nil); d.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", d.status, d.body)
	}
	wantError(t, h.get("/api/v1/scenarios/"+doc.ID), http.StatusNotFound, "not_found")
	wantError(t, h.do(http.MethodDelete, "/api/v1/scenarios/"+doc.ID, tok, nil), http.StatusNotFound, "not_found")
}

// TestThreats: the live incidents, none while no gas alarm is open; 503
// without a threat service.
func TestThreats(t *testing.T) {
	h := newHarness(t, withThreats())
	var out struct{ Incidents []threat.Incident }
	if r := h.get("/api/v1/threats"); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	} else if r.json(t, &out); out.Incidents == nil || len(out.Incidents) != 0 {
		t.Errorf("incidents %+v", out.Incidents)
	}
	bare := newHarness(t)
	wantError(t, bare.get("/api/v1/threats"), http.StatusServiceUnavailable, "unavailable")
	body := `{"name": "x", "lon": 106.6, "lat": 38.1, "substance": "ammonia", "release": {"type": "direct", "rate_g_s": 1}}`
	wantError(t, bare.do(http.MethodPost, "/api/v1/scenarios", bare.login("admin"), body), http.StatusServiceUnavailable, "unavailable")
}

// TestSubstances: the library the server models with, with its sources.
func TestSubstances(t *testing.T) {
	h := newHarness(t)
	var out struct {
		Version    string
		Substances []struct {
			ID     string `json:"id"`
			NameZh string `json:"name_zh"`
			MW     struct {
				Value  float64
				Source string
			} `json:"mw_g_mol"`
		}
	}
	r := h.get("/api/v1/substances")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r.json(t, &out)
	ids := map[string]bool{}
	for _, s := range out.Substances {
		ids[s.ID] = s.NameZh != "" && s.MW.Value > 0 && s.MW.Source != ""
	}
	if out.Version == "" || len(out.Substances) < 14 || !ids["ammonia"] || !ids["methanol"] {
		t.Errorf("version %q, %d substances, %v", out.Version, len(out.Substances), ids)
	}
	wantError(t, h.get("/api/v1/substances?x=1"), http.StatusBadRequest, "invalid_parameter")
}
