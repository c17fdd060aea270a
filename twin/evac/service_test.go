package evac

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
)

// site is a plant of walkways on a 50 m grid over 400 × 300 m, muster
// points MP-W (west, x 25, capacity 3) and MP-E (east, x 375), and people
// along the middle row; the clock is settable.
type site struct {
	*plant
	mu  sync.Mutex
	now time.Time
	db  *sqlite.DB
}

func newSite(t *testing.T) *site {
	t.Helper()
	st := &site{plant: newPlant(t), now: t0}
	f := st.f
	var ch []twin.Change
	line := func(id string, pts ...[2]float64) {
		ls := make(orb.LineString, len(pts))
		for i, p := range pts {
			ls[i] = orb.Point(p)
		}
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindWalkway, Parent: "demo", Geometry: f.ToGeometry(ls)}})
	}
	for y := 25.0; y <= 275; y += 50 {
		line(fmt.Sprintf("WW-H%.0f", y), [2]float64{25, y}, [2]float64{375, y})
	}
	for x := 25.0; x <= 375; x += 50 {
		line(fmt.Sprintf("WW-V%.0f", x), [2]float64{x, 25}, [2]float64{x, 275})
	}
	ch = append(ch,
		twin.Remove{ID: "MP-A"}, twin.Remove{ID: "MP-B"},
		twin.Upsert{Entity: &twin.Entity{ID: "MP-W", Kind: twin.KindMusterPoint, Parent: "demo", Name: "西集合点", Geometry: f.Point(25, 125),
			Props: map[string]any{"radius_m": 15.0, "capacity": 3.0, "name_en": "West"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "MP-E", Kind: twin.KindMusterPoint, Parent: "demo", Name: "东集合点", Geometry: f.Point(375, 125),
			Props: map[string]any{"radius_m": 15.0, "capacity": 100.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "WS-1", Kind: twin.KindWeatherStation, Parent: "demo", Geometry: f.Point(200, 290)}},
	)
	if err := st.scene.Apply(ch...).Err(); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st.db = db
	return st
}

func (st *site) clock() time.Time {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.now
}

// told collects notices by tag.
type told struct {
	mu   sync.Mutex
	tags map[string][]map[string]any
	ws   []map[string]any
}

func (tl *told) notify(tag string, v any) error {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.tags == nil {
		tl.tags = map[string][]map[string]any{}
	}
	tl.tags[tag] = append(tl.tags[tag], v.(map[string]any))
	return nil
}

func (tl *told) publish(v any) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.ws = append(tl.ws, v.(map[string]any))
}

func (tl *told) last(tag string) map[string]any {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	ns := tl.tags[tag]
	if len(ns) == 0 {
		return nil
	}
	return ns[len(ns)-1]
}

func (st *site) service(t *testing.T, tl *told) *Service {
	t.Helper()
	s, err := NewService(Options{Scene: st.scene, Store: st.db, Clock: st.clock, Notify: tl.notify, Publish: tl.publish, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	st.scene.Observe(s.Observe)
	return s
}

// hazardReq is a request with a hazard square over x 180–270, y 100–150
// (the middle row between the people and the east).
func (st *site) hazardReq(t *testing.T, extra string) Request {
	t.Helper()
	sq := st.f.ToGeometry(orb.Polygon{{{180, 100}, {270, 100}, {270, 150}, {180, 150}, {180, 100}}}).(orb.Polygon)
	coords, _ := json.Marshal(sq)
	req, err := ParseRequest([]byte(`{"name":"罐区泄漏","hazards":[{"type":"Feature","properties":{"id":"H1","name":"泄漏区"},"geometry":{"type":"Polygon","coordinates":`+string(coords)+`}}]`+extra+`}`), st.f)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestServicePlanOrderAcks(t *testing.T) {
	st := newSite(t)
	tl := &told{}
	s := st.service(t, tl)
	ctx := context.Background()
	// P1 and P2 west of the hazard, P6 inside it, P7 east of it; P4 at
	// MP-E already; P5 gone out of the plant.
	st.fix(t, "P1", 125, 125, 0, t0)
	st.fix(t, "P2", 100, 175, 0, t0)
	st.fix(t, "P6", 225, 125, 0, t0)
	st.fix(t, "P7", 300, 125, 0, t0)
	st.fix(t, "P4", 370, 120, 0, t0)
	st.fix(t, "P5", 450, 150, 0, t0)

	p, err := s.CreatePlan(ctx, st.hazardReq(t, ""), "emergency")
	if err != nil {
		t.Fatal(err)
	}
	v := s.View(p)
	if v.People != 5 || v.Routed != 5 || len(v.Unreachable) != 0 || v.Wind != nil {
		t.Fatalf("plan %+v", v.Summary)
	}
	hazard := st.f.ToGeometry(orb.Polygon{{{180, 100}, {270, 100}, {270, 150}, {180, 150}, {180, 100}}}).(orb.Polygon)
	routes := map[string]map[string]any{}
	for _, f := range v.Routes.Features {
		id := f.Properties["person_id"].(string)
		routes[id] = f.Properties
		line := f.Geometry.(orb.LineString)
		inside := planar.PolygonContains(hazard, line[0])
		for k := 1; k < len(line); k++ { // every vertex after the first is out of the hazard for those who start out
			if !inside && planar.PolygonContains(hazard, line[k]) {
				t.Errorf("%s's route enters the hazard at %v", id, line[k])
			}
		}
		if got, want := f.Properties["starts_inside"].(bool), id == "P6"; got != want {
			t.Errorf("%s starts_inside %v", id, got)
		}
	}
	for id, want := range map[string]string{"P1": "MP-W", "P2": "MP-W", "P7": "MP-E", "P4": "MP-E"} {
		if routes[id]["muster_id"] != want {
			t.Errorf("%s to %v, want %s", id, routes[id]["muster_id"], want)
		}
	}
	if l := routes["P1"]["length_m"].(float64); math.Abs(l-100) > 1 || math.Abs(routes["P1"]["eta_s"].(float64)-l/1.19) > 1 {
		t.Errorf("P1: %v m in %v s, want 100 m at 1.19 m/s", l, routes["P1"]["eta_s"])
	}
	if len(tl.ws) != 1 || tl.ws[0]["kind"] != "evacuation_plan" {
		t.Errorf("viewers told %v", tl.ws)
	}

	// The order tells every tag; the second order is refused while it stands.
	o, err := s.Order(ctx, p.ID, "", "", "emergency")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Order(ctx, p.ID, "", "", "emergency"); !errors.Is(err, ErrConflict) {
		t.Errorf("second order: %v", err)
	}
	n := tl.last("T1")
	if n["kind"] != "evacuation" || n["order_id"] != o.ID || n["muster_id"] != "MP-W" || n["message"] != DefaultMessage || len(n["route"].(orb.LineString)) < 2 {
		t.Errorf("T1 told %v", n)
	}
	if tl.last("T5") != nil {
		t.Error("a person out of the plant was told to evacuate")
	}
	ov, _ := s.GetOrder(o.ID)
	if ov.Sent != 5 || ov.Acked != 0 || len(ov.Pending) != 5 || !ov.Active {
		t.Fatalf("order %+v", ov)
	}

	// Acknowledgements through Run: once per person, from the tag told.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- s.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	s.Ack("T1", o.ID, t0.Add(3*time.Second))
	s.Ack("T1", o.ID, t0.Add(9*time.Second)) // again: the first counts
	s.Ack("T7", o.ID, t0.Add(4*time.Second))
	s.Ack("T5", o.ID, t0.Add(4*time.Second)) // not told
	s.Ack("T2", "EVO-NONE", t0)              // another notice
	waitFor(t, "two acknowledgements", func() bool { v, _ := s.GetOrder(o.ID); return v.Acked == 2 })
	ov, _ = s.GetOrder(o.ID)
	if ov.Acks[0].Person != "P1" || !ov.Acks[0].At.Equal(t0.Add(3*time.Second)) || ov.Acks[1].Person != "P7" || len(ov.Pending) != 3 {
		t.Errorf("acks %+v pending %+v", ov.Acks, ov.Pending)
	}

	// A new hazard over the west muster point: the live plan re-plans (the
	// scene moved on), MP-W is unsafe, P1 and P2 are re-told to go east.
	req := st.hazardReq(t, `,"closures":[{"type":"Feature","properties":{"id":"C1"},"geometry":{"type":"Polygon","coordinates":`+
		polyJSON(st.f, 0, 100, 60, 150)+`}}]`)
	p2, err := s.UpdatePlan(ctx, p.ID, req, "emergency")
	if err != nil {
		t.Fatal(err)
	}
	sum := p2.Summary()
	if sum.Rev != 2 || sum.Musters[1].ID != "MP-W" || sum.Musters[1].Status != "in_closure" || sum.Musters[1].Assigned != 0 {
		t.Fatalf("re-plan %+v", sum)
	}
	if n := tl.last("T1"); n["muster_id"] != "MP-E" || n["update"] != true {
		t.Errorf("T1 re-told %v", n)
	}
	ov, _ = s.GetOrder(o.ID)
	if ov.Sent != 5 || ov.Acked != 2 {
		t.Errorf("after the re-plan %+v", ov)
	}

	// The all-clear: every tag told, the order ends.
	if _, err := s.EndOrder(ctx, o.ID, "manager"); err != nil {
		t.Fatal(err)
	}
	if n := tl.last("T7"); n["kind"] != "evacuation_end" {
		t.Errorf("T7 told %v", n)
	}
	if _, err := s.EndOrder(ctx, o.ID, "manager"); !errors.Is(err, ErrConflict) {
		t.Errorf("ended twice: %v", err)
	}
	if _, ok := s.Active(); ok {
		t.Error("an order still stands")
	}
}

// The live plan follows the scene: people moving and a threat zone
// appearing re-plan it on the next Step, once per change.
func TestServiceLiveReplan(t *testing.T) {
	st := newSite(t)
	tl := &told{}
	s := st.service(t, tl)
	ctx := context.Background()
	st.fix(t, "P1", 125, 125, 0, t0)
	req, err := ParseRequest([]byte(`{"use_threat_zones":true}`), st.f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreatePlan(ctx, req, "emergency")
	if err != nil {
		t.Fatal(err)
	}
	if v := s.View(p); v.Routed != 1 || v.Musters[1].Assigned != 1 || v.Wind != nil {
		t.Fatalf("plan %+v", v.Summary)
	}
	if err := s.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Step(ctx); err != nil { // nothing changed since
		t.Fatal(err)
	}
	if p, _ := s.GetPlan(p.ID); p.Rev != 2 {
		t.Fatalf("rev %d after two steps, want 2 (one re-plan: the scene changed once, when the plan was made)", p.Rev)
	}
	// A threat zone over the west, the wind from the east carrying it
	// west: MP-W is in it, P1 goes east, upwind.
	zone := st.f.ToGeometry(orb.Polygon{{{0, 0}, {110, 0}, {110, 300}, {0, 300}, {0, 0}}})
	if err := st.scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "TZ-1-red", Kind: twin.KindThreatZone, Parent: "demo", Name: "红区", Geometry: zone,
			Props: map[string]any{"zone": "threat", "level": 3.0}}},
		twin.SetState{ID: "WS-1", At: t0, State: map[string]any{"wind_speed": 3.0, "wind_from": 90.0}},
	).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Step(ctx); err != nil {
		t.Fatal(err)
	}
	p, _ = s.GetPlan(p.ID)
	v := s.View(p)
	if p.Rev != 3 || v.Wind == nil || v.Wind.Source != "station:WS-1" || v.Wind.FromDeg != 90 || fmt.Sprint(v.ThreatZones) != "[TZ-1-red]" {
		t.Fatalf("after the zone: rev %d %+v", p.Rev, v.Summary)
	}
	if v.Musters[1].Status != "in_hazard" || v.Routes.Features[0].Properties["muster_id"] != "MP-E" {
		t.Errorf("musters %+v route %v", v.Musters, v.Routes.Features[0].Properties)
	}
	if len(v.Hazards.Features) != 1 || v.Hazards.Features[0].Properties["source"] != "threat_zone" {
		t.Errorf("hazards %+v", v.Hazards.Features)
	}
	// An hour on, a plan no order holds is no longer live.
	st.mu.Lock()
	st.now = st.now.Add(LiveFor + time.Minute)
	st.mu.Unlock()
	st.fix(t, "P1", 130, 125, 0, t0.Add(LiveFor+time.Minute))
	if err := s.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.GetPlan(p.ID); p.Rev != 3 {
		t.Errorf("an hour-old plan re-planned: rev %d", p.Rev)
	}
	kinds := map[any]int{}
	for _, m := range tl.ws {
		kinds[m["kind"]]++
	}
	if kinds["evacuation_plan"] != 3 {
		t.Errorf("viewers told %v", kinds)
	}
}

// A standing order survives a restart: the orders and acknowledgements
// come back from the store and the order's plan is made again from its
// request.
func TestServiceRestart(t *testing.T) {
	st := newSite(t)
	ctx := context.Background()
	st.fix(t, "P1", 125, 125, 0, t0)
	st.fix(t, "P2", 100, 175, 0, t0)
	s := st.service(t, &told{})
	p, err := s.CreatePlan(ctx, st.hazardReq(t, ""), "emergency")
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Order(ctx, p.ID, "3号罐泄漏，全厂撤离", "", "emergency")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.recordAcks(ctx, []ack{{"T2", o.ID, t0.Add(time.Second)}}); err != nil {
		t.Fatal(err)
	}

	again := st.service(t, &told{})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- again.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the standing order loaded", func() bool { _, ok := again.Active(); return ok })
	ov, _ := again.Active()
	if ov.ID != o.ID || ov.Message != "3号罐泄漏，全厂撤离" || ov.MessageEn != "3号罐泄漏，全厂撤离" || ov.Sent != 2 || ov.Acked != 1 || ov.Acks[0].Person != "P2" {
		t.Fatalf("order after restart %+v", ov)
	}
	waitFor(t, "the plan re-made", func() bool { _, err := again.GetPlan(p.ID); return err == nil })
	q, _ := again.GetPlan(p.ID)
	if v := again.View(q); v.Routed != 2 || len(v.Hazards.Features) != 1 || v.Name != "罐区泄漏" {
		t.Errorf("plan after restart %+v", v.Summary)
	}
	if rc := again.RollCall(); !rc.Since.Equal(o.At) {
		t.Errorf("roll call since %v, want the order's %v", rc.Since, o.At)
	}
}

func polyJSON(f *geo.Frame, x0, y0, x1, y1 float64) string {
	b, _ := json.Marshal(f.ToGeometry(orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}))
	return string(b)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// When every safe muster point a person can reach is full, the plan
// says no_capacity (the commander must open more room) and the person is
// still told the way to the nearest safe one, over its capacity.
func TestServiceOverCapacity(t *testing.T) {
	st := newSite(t)
	tl := &told{}
	s := st.service(t, tl)
	ctx := context.Background()
	for i, id := range []string{"P1", "P2", "P3", "P6"} {
		st.fix(t, id, 75+float64(i), 125, 0, t0)
	}
	// The east is closed off by a barrier across the whole plant at x 200.
	req, err := ParseRequest([]byte(`{"closures":[{"type":"LineString","coordinates":`+lineJSON(st.f, 200, 0, 200, 300)+`}]}`), st.f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreatePlan(ctx, req, "emergency")
	if err != nil {
		t.Fatal(err)
	}
	v := s.View(p)
	if v.Routed != 3 || len(v.Unreachable) != 1 || v.Reasons["no_capacity"] != 1 || v.Musters[1].Assigned != 3 {
		t.Fatalf("plan %+v", v.Summary)
	}
	u := v.Unreachable[0]
	if u.Reason != "no_capacity" || u.Fallback == nil || u.Fallback.MusterID != "MP-W" || u.Fallback.LengthM < 40 || !strings.Contains(string(u.Fallback.Geometry), "LineString") {
		t.Fatalf("unreachable %+v fallback %+v", u, u.Fallback)
	}
	if _, err := s.Order(ctx, p.ID, "", "", "emergency"); err != nil {
		t.Fatal(err)
	}
	tag := map[string]string{"P1": "T1", "P2": "T2", "P3": "T3", "P6": "T6"}[u.Person]
	if n := tl.last(tag); n["over_capacity"] != true || n["muster_id"] != "MP-W" || n["route"] == nil || !strings.Contains(n["message"].(string), "已满") {
		t.Errorf("%s told %v", tag, n)
	}
}

func lineJSON(f *geo.Frame, x0, y0, x1, y1 float64) string {
	b, _ := json.Marshal(f.ToGeometry(orb.LineString{{x0, y0}, {x1, y1}}))
	return string(b)
}

// A closure may name a gate: its footprint is closed. P1, west of the
// middle, goes east when the gate on the west walkway shuts.
func TestServiceGateClosure(t *testing.T) {
	st := newSite(t)
	s := st.service(t, &told{})
	ctx := context.Background()
	if err := st.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: "GT-W", Kind: twin.KindGate, Parent: "demo", Name: "西门",
		Geometry: st.f.ToGeometry(orb.Polygon{{{40, 115}, {60, 115}, {60, 135}, {40, 135}, {40, 115}}})}}).Err(); err != nil {
		t.Fatal(err)
	}
	st.fix(t, "P1", 160, 125, 0, t0)
	muster := func(body string) string {
		req, err := ParseRequest([]byte(body), st.f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.CreatePlan(ctx, req, "emergency")
		if err != nil {
			t.Fatal(err)
		}
		v := s.View(p)
		if len(v.Routes.Features) != 1 {
			t.Fatalf("plan %+v", v.Summary)
		}
		return v.Routes.Features[0].Properties["muster_id"].(string)
	}
	far := `{"hazards":[{"type":"Polygon","coordinates":` + polyJSON(st.f, 390, 290, 399, 299) + `}]}`
	if m := muster(far); m != "MP-W" {
		t.Fatalf("P1 to %s with the gate open, want MP-W (135 m against 215 m)", m)
	}
	if m := muster(`{"closures":[{"type":"Feature","properties":{"sources":["GT-W"]},"geometry":null}]}`); m != "MP-E" {
		t.Errorf("P1 to %s with the west gate shut, want MP-E", m)
	}
}
