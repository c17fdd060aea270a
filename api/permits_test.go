package api_test

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/permit"
)

// withPermits wires a real permit service over the harness's scene, store
// and alarm manager.
func withPermits(h **harness) func(*api.Options) {
	return func(o *api.Options) {
		svc, err := permit.NewService(permit.Options{Store: o.Store, Scene: o.Scene, Clock: o.Clock, Logger: quietLog()})
		if err != nil {
			panic(err)
		}
		o.Permits = svc
	}
}

type permitDoc struct {
	ID         string
	Type       string
	Level      string
	Status     string
	StatusCode int    `json:"status_code"`
	TypeCode   string `json:"type_code"`
	Measures   []struct {
		N         int
		Confirmed *struct{ By string }
	}
	GasAnalyses []struct {
		Verdict struct{ Pass bool }
	} `json:"gas_analyses"`
	Log []struct{ Action, By, Hash string }
}

// TestPermitREST: a permit for work at height booked, prepared and signed
// off over REST, the operator's tag deciding the approval; the state and
// hard-block refusals answer with their codes; the day's list finds it.
func TestPermitREST(t *testing.T) {
	var hp *harness
	h := newHarness(t, withPermits(&hp))
	now := h.clock.Now()
	pt := h.frame.Point(25, 40) // 5 m east of P-001, the operator's person
	body := map[string]any{"type": "height", "level": "2", "geometry": map[string]any{"type": "Point", "coordinates": []float64{pt[0], pt[1]}},
		"start": now.Add(-time.Minute), "end": now.Add(4 * time.Hour), "workers": []string{"P-002"}, "guardian": "P-003", "approvers": []string{"operator"}}
	wantError(t, h.do(http.MethodPost, "/api/v1/permits", "", body), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.do(http.MethodPost, "/api/v1/permits", h.login("inspector"), body), http.StatusForbidden, "forbidden")
	tok := h.login("manager")
	r := h.do(http.MethodPost, "/api/v1/permits", tok, body)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var p permitDoc
	r.json(t, &p)
	if p.Status != "booked" || p.StatusCode != 0 || p.TypeCode != "22" || len(p.Measures) != 8 || r.header.Get("Location") != "/api/v1/permits/"+p.ID {
		t.Fatalf("created %+v", p)
	}
	step := func(path, token string, body any) response {
		return h.do(http.MethodPost, "/api/v1/permits/"+p.ID+path, token, body)
	}
	wantError(t, step("/start", tok, nil), http.StatusConflict, "invalid_state")
	for _, path := range []string{"/apply", "/risk-analysis", "/briefing"} {
		if r := step(path, tok, nil); r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
	}
	op := h.login("operator")
	// P-001's last fix is minutes old: not on site.
	wantError(t, step("/approve", op, nil), http.StatusConflict, "approver_not_on_site")
	h.must(h.scene.Apply(twin.Move{ID: "P-001", Fix: twin.Fix{Point: h.frame.Point(20, 40), At: now}, Battery: math.NaN()}))
	wantError(t, step("/approve", op, nil), http.StatusConflict, "measures_unconfirmed")
	for n := 1; n <= len(p.Measures); n++ {
		if r := step(fmt.Sprintf("/measures/%d/confirm", n), tok, nil); r.status != 200 {
			t.Fatalf("measure %d: %d %s", n, r.status, r.body)
		}
	}
	wantError(t, step("/measures/9/confirm", tok, nil), http.StatusNotFound, "measure_not_found")
	wantError(t, step("/measures/x/confirm", tok, nil), http.StatusNotFound, "measure_not_found")
	wantError(t, step("/approve", tok, nil), http.StatusConflict, "not_an_approver")
	// Two minutes later the fix is stale again; a new one opens the right.
	h.clock.Add(2 * time.Minute)
	wantError(t, step("/approve", op, nil), http.StatusConflict, "approver_not_on_site")
	h.must(h.scene.Apply(twin.Move{ID: "P-001", Fix: twin.Fix{Point: h.frame.Point(20, 40), At: h.clock.Now()}, Battery: math.NaN()}))
	r = step("/approve", op, nil)
	if r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	r.json(t, &p)
	if p.Status != "approved" || p.StatusCode != 1 {
		t.Fatalf("approved: %+v", p)
	}
	for _, c := range []struct {
		path, status string
		code         int
	}{{"/start", "in_progress", 2}, {"/suspend", "suspended", 6}, {"/resume", "in_progress", 2}, {"/close", "accepted", 3}} {
		r := step(c.path, tok, map[string]string{"reason": "lunch"})
		r.json(t, &p)
		if r.status != 200 || p.Status != c.status || p.StatusCode != c.code {
			t.Fatalf("%s: %d %s", c.path, r.status, r.body)
		}
	}
	// Read back: the log, every step hash-chained, its head in the audit.
	var got permitDoc
	h.get("/api/v1/permits/"+p.ID).json(t, &got)
	if len(got.Log) != 4+len(p.Measures)+5 || got.Log[0].Action != "create" || got.Log[len(got.Log)-1].Action != "close" {
		t.Errorf("log %+v", got.Log)
	}
	var list struct{ Permits []permitDoc }
	h.get("/api/v1/permits?date="+now.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)+"&type=height").json(t, &list)
	if len(list.Permits) != 1 || list.Permits[0].ID != p.ID {
		t.Errorf("today's height work: %+v", list)
	}
	h.get("/api/v1/permits?status=booked").json(t, &list)
	if len(list.Permits) != 0 {
		t.Errorf("booked: %+v", list)
	}
	wantError(t, h.get("/api/v1/permits?status=done"), http.StatusBadRequest, "invalid_parameter")
	wantError(t, h.get("/api/v1/permits?date=tomorrow"), http.StatusBadRequest, "invalid_parameter")
	wantError(t, h.get("/api/v1/permits/PTW-nope"), http.StatusNotFound, "not_found")
}

// TestPermitGasREST: hot work in the methanol unit needs a gas analysis:
// its absence is a hard block (409 gas_analysis_missing, PTW 01); an
// analysis is recorded with its verdict; bad requests are 400.
func TestPermitGasREST(t *testing.T) {
	var hp *harness
	h := newHarness(t, withPermits(&hp))
	now := h.clock.Now()
	tok := h.login("manager")
	pt := h.frame.Point(25, 40)
	body := map[string]any{"type": "hot_work", "level": "2", "geometry": map[string]any{"type": "Point", "coordinates": []float64{pt[0], pt[1]}},
		"start": now, "end": now.Add(4 * time.Hour), "workers": []string{"P-002"}, "guardian": "P-003", "approvers": []string{"operator"}}
	for name, edit := range map[string]func(m map[string]any){
		"unknown type":  func(m map[string]any) { m["type"] = "welding" },
		"no geometry":   func(m map[string]any) { delete(m, "geometry") },
		"too long":      func(m map[string]any) { m["end"] = now.Add(80 * time.Hour) },
		"guardian also": func(m map[string]any) { m["guardian"] = "P-002" },
	} {
		m := map[string]any{}
		for k, v := range body {
			m[k] = v
		}
		edit(m)
		if r := h.do(http.MethodPost, "/api/v1/permits", tok, m); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	pull := map[string]any{}
	for k, v := range body {
		pull[k] = v
	}
	pull["type"], pull["level"] = "blind_plate", "pull+plug"
	r := h.do(http.MethodPost, "/api/v1/permits", tok, pull)
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), "PTW 20") {
		t.Errorf("pull and plug: %d %s", r.status, r.body)
	}
	r = h.do(http.MethodPost, "/api/v1/permits", tok, body)
	var p permitDoc
	r.json(t, &p)
	id := p.ID
	for _, path := range []string{"/apply", "/risk-analysis", "/briefing"} {
		h.do(http.MethodPost, "/api/v1/permits/"+id+path, tok, nil)
	}
	for n := 1; n <= len(p.Measures); n++ {
		h.do(http.MethodPost, fmt.Sprintf("/api/v1/permits/%s/measures/%d/confirm", id, n), tok, nil)
	}
	h.must(h.scene.Apply(twin.Move{ID: "P-001", Fix: twin.Fix{Point: h.frame.Point(20, 40), At: now}, Battery: math.NaN()}))
	op := h.login("operator")
	r = h.do(http.MethodPost, "/api/v1/permits/"+id+"/approve", op, nil)
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `"gas_analysis_missing"`) || !strings.Contains(string(r.body), "PTW 01") {
		t.Fatalf("approve without gas: %d %s", r.status, r.body)
	}
	gas := map[string]any{"gas": "methanol", "value": 12, "unit": "ppm", "sampled_at": now.Add(-2 * time.Minute)}
	r = h.do(http.MethodPost, "/api/v1/permits/"+id+"/gas-analyses", tok, gas)
	r.json(t, &p)
	if r.status != http.StatusCreated || len(p.GasAnalyses) != 1 || !p.GasAnalyses[0].Verdict.Pass {
		t.Fatalf("gas analysis: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodPost, "/api/v1/permits/"+id+"/gas-analyses", tok, map[string]any{"gas": "methanol"}), http.StatusBadRequest, "invalid_gas_analysis")
	wantError(t, h.do(http.MethodPost, "/api/v1/permits/"+id+"/gas-analyses", tok, map[string]any{"gas": "x", "value": 1, "unit": "ppm", "sampled_at": now}), http.StatusBadRequest, "invalid_gas_analysis")
	// The welder's certificate is on their person record or nowhere.
	r = h.do(http.MethodPost, "/api/v1/permits/"+id+"/approve", op, nil)
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `"certificate_missing"`) || !strings.Contains(string(r.body), "PTW 50") {
		t.Fatalf("approve, welder uncertified: %d %s", r.status, r.body)
	}
	welder, _ := h.scene.Get("P-002")
	welder.Props = map[string]any{"certificates": []any{map[string]any{"type": "特种作业操作证", "name": "熔化焊接与热切割作业", "number": "T1", "expires": "2099-12-31"}}}
	h.must(h.scene.Apply(twin.Upsert{Entity: welder}))
	// An inspector may not sign, whatever the list says.
	wantError(t, h.do(http.MethodPost, "/api/v1/permits/"+id+"/approve", h.login("inspector"), nil), http.StatusForbidden, "forbidden")
	if r := h.do(http.MethodPost, "/api/v1/permits/"+id+"/approve", op, nil); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	bare := newHarness(t)
	wantError(t, bare.get("/api/v1/permits"), http.StatusServiceUnavailable, "unavailable")
}

// TestPermitConfinedREST: a confined-space entry over REST — the permit
// with its live checks (the guardian's distance, the headcount), the entry
// register (201 per entry; the guardian refused), a re-issue voiding the
// permit and linking both, and the rule tables the forms are built from.
func TestPermitConfinedREST(t *testing.T) {
	var hp *harness
	h := newHarness(t, withPermits(&hp))
	now := h.clock.Now()
	pt := h.frame.Point(25, 40) // 5 m east of P-001 (the operator, who guards)
	body := map[string]any{"type": "confined_space", "geometry": map[string]any{"type": "Point", "coordinates": []float64{pt[0], pt[1]}},
		"start": now.Add(-time.Minute), "end": now.Add(8 * time.Hour), "workers": []string{"P-002"}, "guardian": "P-001", "approvers": []string{"operator"}}
	tok := h.login("manager")
	var p permitDoc
	r := h.do(http.MethodPost, "/api/v1/permits", tok, body)
	r.json(t, &p)
	step := func(path string, body any) response {
		return h.do(http.MethodPost, "/api/v1/permits/"+p.ID+path, tok, body)
	}
	for _, path := range []string{"/apply", "/risk-analysis", "/briefing"} {
		step(path, nil)
	}
	for n := 1; n <= len(p.Measures); n++ {
		step(fmt.Sprintf("/measures/%d/confirm", n), nil)
	}
	if r := step("/gas-analyses", map[string]any{"gas": "oxygen", "value": 20.8, "unit": "%VOL", "sampled_at": now.Add(-time.Minute)}); r.status != http.StatusCreated {
		t.Fatalf("gas: %d %s", r.status, r.body)
	}
	h.must(h.scene.Apply(twin.Move{ID: "P-001", Fix: twin.Fix{Point: h.frame.Point(20, 40), At: now}, Battery: math.NaN()}))
	if r := h.do(http.MethodPost, "/api/v1/permits/"+p.ID+"/approve", h.login("operator"), nil); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if r := step("/start", nil); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	wantError(t, step("/register", map[string]any{"kind": "person", "id": "P-001", "direction": "in"}), http.StatusConflict, "guardian_stays_outside")
	wantError(t, step("/register", map[string]any{"kind": "ghost", "id": "P-002", "direction": "in"}), http.StatusBadRequest, "invalid_request")
	if r := step("/register", map[string]any{"kind": "person", "id": "P-002", "direction": "in"}); r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var got struct {
		Register []struct{ Kind, ID, Direction string }
		Live     *struct {
			Guardian struct {
				ID        string
				DistanceM *float64 `json:"distance_m"`
				OnPost    bool     `json:"on_post"`
			}
			Headcount struct{ Inside, Allowed int }
			Inside    struct{ People []string }
			NextDue   *time.Time `json:"next_analysis_due"`
		}
	}
	h.get("/api/v1/permits/"+p.ID).json(t, &got)
	if len(got.Register) != 1 || got.Live == nil || got.Live.Guardian.ID != "P-001" || !got.Live.Guardian.OnPost ||
		got.Live.Guardian.DistanceM == nil || *got.Live.Guardian.DistanceM != 5 || got.Live.Headcount.Allowed != 2 ||
		len(got.Live.Inside.People) != 1 || got.Live.NextDue == nil {
		t.Errorf("permit with live checks: %+v %+v", got.Register, got.Live)
	}
	// The work changes: suspend and re-issue; the old one is void.
	step("/suspend", map[string]string{"reason": "scope changed"})
	r = step("/reissue", body)
	var next struct {
		ID, Status   string
		ReissuedFrom string `json:"reissued_from"`
		Related      []string
	}
	r.json(t, &next)
	if r.status != http.StatusCreated || next.Status != "booked" || next.ReissuedFrom != p.ID || len(next.Related) != 1 {
		t.Fatalf("reissue: %d %s", r.status, r.body)
	}
	var old struct {
		Status     string
		StatusCode int    `json:"status_code"`
		ReissuedAs string `json:"reissued_as"`
		Live       any
	}
	h.get("/api/v1/permits/"+p.ID).json(t, &old)
	if old.Status != "void" || old.StatusCode != 4 || old.ReissuedAs != next.ID || old.Live != nil {
		t.Errorf("the old permit: %+v", old)
	}
	wantError(t, step("/reissue", body), http.StatusConflict, "invalid_state")
	var rules struct {
		Version string
		Types   []struct{ Key string }
	}
	h.get("/api/v1/permits/rules").json(t, &rules)
	if rules.Version == "" || len(rules.Types) != 8 {
		t.Errorf("rules: %+v", rules)
	}
}

// TestPermitForms: the printable permit (HTML, its form title, the work's
// description, the names of its people, an escaped hostile description,
// English on request) and the exchange export (JSON and CSV; the permit
// with its AQ codes; an inspector may export, an anonymous caller may not).
func TestPermitForms(t *testing.T) {
	var hp *harness
	h := newHarness(t, withPermits(&hp))
	now := h.clock.Now()
	pt := h.frame.Point(25, 40)
	body := map[string]any{"type": "height", "level": "2", "content": "更换管廊照明灯具 <script>alert(1)</script>",
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{pt[0], pt[1]}},
		"start":    now.Add(-time.Minute), "end": now.Add(4 * time.Hour), "workers": []string{"P-002"}, "guardian": "P-003", "approvers": []string{"operator"}}
	var p permitDoc
	h.do(http.MethodPost, "/api/v1/permits", h.login("manager"), body).json(t, &p)
	r := h.get("/api/v1/permits/" + p.ID + "/print")
	page := string(r.body)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(page, "高处安全作业票") ||
		!strings.Contains(page, "更换管廊照明灯具") || strings.Contains(page, "<script>alert") || !strings.Contains(page, p.ID) {
		t.Errorf("print: %d %s", r.status, r.header)
	}
	if r := h.get("/api/v1/permits/" + p.ID + "/print?lang=en"); r.status != 200 || !strings.Contains(string(r.body), "Work at height") {
		t.Errorf("print in English: %d", r.status)
	}
	wantError(t, h.get("/api/v1/permits/"+p.ID+"/print?lang=fr"), http.StatusBadRequest, "invalid_parameter")
	wantError(t, h.get("/api/v1/permits/PTW-nope/print"), http.StatusNotFound, "not_found")

	day := now.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	wantError(t, h.get("/api/v1/permits/export"), http.StatusUnauthorized, "unauthorized")
	insp := h.login("inspector")
	var doc struct {
		Standard string
		Permits  []struct {
			ID         string
			TypeCode   string `json:"type_code"`
			StatusCode int    `json:"status_code"`
			Content    string
		}
	}
	r = h.do(http.MethodGet, "/api/v1/permits/export?from="+day+"&to="+day, insp, nil)
	r.json(t, &doc)
	if r.status != 200 || len(doc.Permits) != 1 || doc.Permits[0].ID != p.ID || doc.Permits[0].TypeCode != "22" || !strings.HasPrefix(doc.Permits[0].Content, "更换") {
		t.Errorf("export: %d %s", r.status, r.body)
	}
	r = h.do(http.MethodGet, "/api/v1/permits/export?format=csv", insp, nil)
	if lines := strings.Split(strings.TrimSpace(string(r.body)), "\n"); r.status != 200 || len(lines) != 2 || !strings.HasPrefix(lines[0], "\ufeff") {
		t.Errorf("csv: %d %q", r.status, r.body)
	}
	wantError(t, h.do(http.MethodGet, "/api/v1/permits/export?from=2026-01-02&to=2026-01-01", insp, nil), http.StatusBadRequest, "invalid_parameter")
	wantError(t, h.do(http.MethodGet, "/api/v1/permits/export?format=xml", insp, nil), http.StatusBadRequest, "invalid_parameter")
}
