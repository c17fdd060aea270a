package sim

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/geo"
	gevac "github.com/chemtwin/chemtwin/geo/evac"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/twin"
)

// Muster points of the evacuation tests: by the main gate and west of the
// ring road, on the cross road.
type testMuster struct {
	id string
	p  [2]float64
	r  float64
}

var testMusters = []testMuster{
	{"mp-gate", [2]float64{0, -195}, 15},
	{"mp-west", [2]float64{-210, -20}, 12},
}

// musterScene is smallPlant with the muster points.
func musterScene(t testing.TB) *twin.Scene {
	t.Helper()
	s := smallPlant.build(t)
	f := s.Frame()
	var ch []twin.Change
	for _, m := range testMusters {
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: m.id, Kind: twin.KindMusterPoint, Geometry: f.FastPoint(m.p[0], m.p[1]),
			Props: map[string]any{"radius_m": m.r}}})
	}
	if err := s.Apply(ch...).Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// evacRun is a simulation of musterScene stepped by hand, with the
// planner twin/evac uses on the same network.
type evacRun struct {
	t       *testing.T
	scene   *twin.Scene
	sim     *Sim
	reg     *prometheus.Registry
	planner *gevac.Planner
	now     time.Time
	out     []sent
}

func newEvacRun(t *testing.T, seed uint64) *evacRun {
	t.Helper()
	sc := musterScene(t)
	reg := prometheus.NewRegistry()
	s, err := New(sc, Options{Seed: seed, Start: testStart, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	g, err := route.FromScene(sc)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := gevac.NewPlanner(g, gevac.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &evacRun{t: t, scene: sc, sim: s, reg: reg, planner: pl, now: testStart}
	r.sim.Step(r.now)
	return r
}

// run steps the simulation d further in 1 s steps.
func (r *evacRun) run(d time.Duration) {
	end := r.now.Add(d)
	for r.now.Before(end) {
		r.now = r.now.Add(time.Second)
		for _, m := range r.sim.Step(r.now) {
			r.out = append(r.out, sent{r.now, m})
		}
	}
}

func (r *evacRun) sec() float64 { return r.sim.m.sec(r.now.UnixMilli()) }

// truth returns where the person with tag is now.
func (r *evacRun) truth(tag string) pos {
	return r.sim.ev.people[tag].position(r.sec())
}

// plan routes the people with tags from where they truly are now to the
// muster points (only those in musters when given), as twin/evac would.
func (r *evacRun) plan(tags []string, musters ...string) *gevac.Plan {
	r.t.Helper()
	var in gevac.Input
	for _, m := range testMusters {
		if len(musters) == 0 || slices.Contains(musters, m.id) {
			in.Musters = append(in.Musters, gevac.MusterPoint{ID: m.id, P: m.p, RadiusM: m.r})
		}
	}
	for _, tag := range tags {
		ps := r.truth(tag)
		floor, _ := r.sim.m.floorZ(ps)
		in.People = append(in.People, gevac.Person{ID: tag, P: ps.p, Floor: floor})
	}
	p, err := r.planner.Plan(context.Background(), in)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// notice writes route i of plan as twin/evac's Service.tell does.
func (r *evacRun) notice(order string, p *gevac.Plan, i int, update bool) []byte {
	r.t.Helper()
	return writeNotice(r.t, r.scene.Frame(), r.now, order, p, i, update, testMusterAt)
}

// testMusterAt is where the test muster points stand, plant metres.
var testMusterAt = func() map[string][2]float64 {
	at := map[string][2]float64{}
	for _, m := range testMusters {
		at[m.id] = m.p
	}
	return at
}()

// writeNotice writes route i of plan as twin/evac's Service.tell does, at
// time now; musterAt places the muster points.
func writeNotice(t testing.TB, f *geo.Frame, now time.Time, order string, p *gevac.Plan, i int, update bool, musterAt map[string][2]float64) []byte {
	t.Helper()
	rt := p.Routes[i]
	n := map[string]any{"kind": "evacuation", "order_id": order, "plan_id": "EVP-1", "person_id": rt.PersonID,
		"message": "请立即撤离", "message_en": "Evacuate now", "at": now, "update": update}
	if rt.Reason == "" {
		m := p.Musters[rt.Muster]
		at := musterAt[m.ID]
		ll := f.FastPoint(at[0], at[1])
		n["muster_id"], n["muster_name"], n["muster_lon"], n["muster_lat"] = m.ID, m.ID, ll[0], ll[1]
		n["length_m"], n["eta_s"], n["over_capacity"] = rt.LengthM, rt.EtaS, false
		path, err := p.Path(i)
		if err != nil {
			t.Fatal(err)
		}
		var line [][2]float64
		for _, q := range path.Points {
			ll := f.FastPoint(q[0], q[1])
			line = append(line, [2]float64{ll[0], ll[1]})
		}
		n["route"] = line
	} else {
		n["reason"] = string(rt.Reason)
	}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (r *evacRun) send(tag string, payload []byte) {
	r.t.Helper()
	if err := r.sim.Notice("chemtwin/plant/tags/"+tag+"/notify", payload); err != nil {
		r.t.Fatalf("notice to %s: %v", tag, err)
	}
}

func (r *evacRun) end(order string, tags []string) {
	b, _ := json.Marshal(map[string]any{"kind": "evacuation_end", "order_id": order, "at": r.now, "message": "撤离解除", "message_en": "All clear"})
	for _, tag := range tags {
		r.send(tag, b)
	}
}

// acks returns the acknowledgements sent since message from, by tag, as
// ingest reads them.
func (r *evacRun) acks(from int) map[string][]ingest.Ack {
	r.t.Helper()
	out := map[string][]ingest.Ack{}
	for _, s := range r.out[from:] {
		top, err := ingest.ParseTopic("plant", s.msg.Topic)
		if err != nil {
			r.t.Fatal(err)
		}
		if top.Kind != ingest.KindAck {
			continue
		}
		a, err := ingest.ParseAck(s.msg.Payload, ingest.Env{Now: s.at})
		if err != nil {
			r.t.Fatalf("%s %s: %v", s.msg.Topic, s.msg.Payload, err)
		}
		if s.msg.QoS != 1 {
			r.t.Errorf("ack with QoS %d", s.msg.QoS)
		}
		out[top.ID] = append(out[top.ID], a)
	}
	return out
}

// track returns the published positions of tag since message from, in
// plant metres, with their ts.
func (r *evacRun) track(tag string, from int) (pts [][2]float64, at []time.Time) {
	r.t.Helper()
	for _, s := range r.out[from:] {
		if kind, id := topicID(s.msg.Topic); kind != "position" || id != tag {
			continue
		}
		p, err := ingest.ParsePosition(s.msg.Payload, ingest.Env{Now: s.at})
		if err != nil {
			r.t.Fatal(err)
		}
		pts = append(pts, plantPoint(r.scene.Frame(), p.Fix.Point))
		at = append(at, p.Fix.At)
	}
	return pts, at
}

func (r *evacRun) counted(result string) float64 {
	return counterValueOf(r.t, r.reg, "chemtwin_sim_notices_total", "result", result)
}

func counterValueOf(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func dist(a, b [2]float64) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

// noiseM bounds a published position's error: bias and jitter clipped at
// 3σ on each axis (tag.go).
var noiseM = 3 * (personBiasM + personJitterM) * math.Sqrt2

// peopleTags returns the tags of smallPlant's people.
func (r *evacRun) peopleTags() []string {
	var tags []string
	for tag := range r.sim.ev.people {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	return tags
}

// The whole plant is told to evacuate: the wearers acknowledge 5–40 s
// later (but the few whose tag is in a pocket), walk their route, arrive
// within the muster point's radius about their ETA after they leave, wait
// there, and after the all-clear go back to their routine, most of them to
// their post area.
func TestEvacuationOrder(t *testing.T) {
	r := newEvacRun(t, 11)
	r.run(3 * time.Minute)
	tags := r.peopleTags()
	plan := r.plan(tags)
	told, start := r.now, len(r.out)
	for i := range plan.Routes {
		if plan.Routes[i].Reason != "" {
			t.Fatalf("%s has no route: %s", plan.Routes[i].PersonID, plan.Routes[i].Reason)
		}
		r.send(plan.Routes[i].PersonID, r.notice("EVO-1", plan, i, false))
	}
	if n := r.counted("evacuation"); n != float64(len(tags)) {
		t.Fatalf("%v evacuation notices counted, want %d", n, len(tags))
	}
	r.run(10 * time.Minute)

	acks := r.acks(start)
	for tag, as := range acks {
		if len(as) != 1 || as[0].Ref != "EVO-1" {
			t.Errorf("%s acknowledged %v, want EVO-1 once", tag, as)
			continue
		}
		if d := as[0].At.Sub(told).Seconds(); d < reactMinS || d > reactMaxS {
			t.Errorf("%s acknowledged %.1f s after the notice, want %v–%v s", tag, d, reactMinS, reactMaxS)
		}
	}
	if len(acks) < len(tags)*8/10 {
		t.Errorf("%d of %d acknowledged", len(acks), len(tags))
	}
	for i, rt := range plan.Routes {
		tag := rt.PersonID
		p := r.sim.ev.people[tag]
		lead := p
		if p.escort != nil {
			lead = p.escort
		}
		w := lead.ev.walk
		left := w.tr.t[0] // when they left, simulation seconds
		if a, ok := acks[tag]; ok && p.escort == nil {
			if d := left - r.sim.m.sec(a[0].At.UnixMilli()); math.Abs(d) > 0.001 {
				t.Errorf("%s left %.3f s after acknowledging", tag, d)
			}
		} else if !ok && p.escort == nil && !(left-r.sim.m.sec(told.UnixMilli()) >= pocketMinS) {
			t.Errorf("%s did not acknowledge but left %.1f s after the notice", tag, left-r.sim.m.sec(told.UnixMilli()))
		}
		// The escorted follow their escort, to the escort's muster point.
		lr := plan.Routes[indexOf(plan, lead.tag.id)]
		m := testMusters[0]
		if lr.MusterID != m.id {
			m = testMusters[1]
		}
		pts, at := r.track(tag, start)
		arrived := -1
		for k, q := range pts {
			if dist(q, m.p) <= m.r {
				arrived = k
				break
			}
		}
		if arrived < 0 {
			t.Errorf("%s (route %d) never reached %s: last at %v, %.0f m away", tag, i, m.id, pts[len(pts)-1], dist(pts[len(pts)-1], m.p))
			continue
		}
		// Due: leaving plus the ETA, give or take the walk across the
		// radius, the escort's offset and the noise, and how far the
		// wearer went on with their work before they left.
		planned, err := plan.Path(indexOf(plan, lead.tag.id))
		if err != nil {
			t.Fatal(err)
		}
		due := left + lr.EtaS
		got := r.sim.m.sec(at[arrived].UnixMilli())
		slack := (m.r+noiseM+2+dist(w.tr.path.Points[0], planned.Points[0]))/evacWalkMS + 2
		if got < due-slack || got > due+slack {
			t.Errorf("%s reached %s at %.0f s, due %.0f ± %.0f s (left %.0f s, ETA %.0f s)", tag, m.id, got, due, slack, left, lr.EtaS)
		}
		for k := arrived; k < len(pts); k++ {
			if d := dist(pts[k], m.p); d > m.r {
				t.Errorf("%s left the muster point's radius while waiting: %.1f m at %v", tag, d, at[k])
				break
			}
		}
	}
	if t.Failed() {
		return
	}

	r.end("EVO-1", tags)
	if n := r.counted("evacuation_end"); n != float64(len(tags)) {
		t.Fatalf("%v all-clears counted, want %d", n, len(tags))
	}
	back := len(r.out)
	r.run(20 * time.Minute)
	if a := r.acks(back); len(a) != 0 {
		t.Errorf("acknowledgements after the all-clear: %v", a)
	}
	home := 0
	for _, tag := range tags {
		p := r.sim.ev.people[tag]
		if p.ev != nil {
			t.Errorf("%s still evacuating 20 min after the all-clear", tag)
		}
		ps := r.truth(tag)
		if dist(ps.p, testMusters[0].p) < testMusters[0].r || dist(ps.p, testMusters[1].p) < testMusters[1].r {
			t.Errorf("%s still at a muster point 20 min after the all-clear", tag)
		}
		if p.escort == nil && p.at == destHome {
			home++
		}
	}
	if alone := len(tags) - 3; home < alone*8/10 { // smallPlant has 3 visitors
		t.Errorf("%d of %d back at their post area", home, alone)
	}
}

func indexOf(p *gevac.Plan, id string) int {
	for i, r := range p.Routes {
		if r.PersonID == id {
			return i
		}
	}
	return -1
}

// A person told to shelter in place (no route) stops where they are when
// they react and stays there until the all-clear; then they work on.
func TestEvacuationShelterInPlace(t *testing.T) {
	r := newEvacRun(t, 4)
	r.run(2 * time.Minute)
	const tag = "T0000"
	b, _ := json.Marshal(map[string]any{"kind": "evacuation", "order_id": "EVO-2", "person_id": "p-000", "reason": "cut_off",
		"over_capacity": false, "update": false, "message": "就地避险", "message_en": "Shelter in place", "at": r.now})
	r.send(tag, b)
	told := r.sec()
	r.run(125 * time.Second) // past any reaction
	p := r.sim.ev.people[tag]
	if p.ev == nil || p.ev.walk == nil || p.ev.walk.tr != nil {
		t.Fatalf("not sheltering: %+v", p.ev)
	}
	if react := p.ev.walk.hold; react.moving || react.speed != 0 {
		t.Errorf("sheltering person moves: %+v", react)
	}
	stay, from := r.truth(tag), len(r.out)
	for range 300 {
		r.run(time.Second)
		if ps := r.truth(tag); ps.p != stay.p || ps.level != stay.level {
			t.Fatalf("moved from %v to %v at %.0f s, sheltering", stay.p, ps.p, r.sec()-told)
		}
	}
	pts, _ := r.track(tag, from)
	if len(pts) < 140 {
		t.Errorf("%d positions in 300 s", len(pts))
	}
	for _, q := range pts {
		if d := dist(q, stay.p); d > noiseM {
			t.Errorf("published %.1f m from where they shelter", d)
		}
	}
	r.end("EVO-2", []string{tag})
	r.run(30 * time.Minute)
	if p.ev != nil {
		t.Fatal("still sheltering after the all-clear")
	}
	if moved := dist(r.truth(tag).p, stay.p); moved < 1 {
		t.Errorf("back at work, yet %.1f m from the shelter after 30 min", moved)
	}
}

// An update sends a person on the way to another muster point from where
// they are; they acknowledge the order once.
func TestEvacuationUpdate(t *testing.T) {
	r := newEvacRun(t, 9)
	r.run(2 * time.Minute)
	const tag = "T0001" // p-001, posted in the storage area
	first := r.plan([]string{tag}, "mp-gate")
	r.send(tag, r.notice("EVO-3", first, 0, false))
	start := len(r.out)
	r.run(time.Minute) // reacted (unless in a pocket) and on the way
	p := r.sim.ev.people[tag]
	if p.ev == nil {
		t.Fatal("not evacuating")
	}
	second := r.plan([]string{tag}, "mp-west")
	if second.Routes[0].Reason != "" {
		t.Fatalf("no route to mp-west: %s", second.Routes[0].Reason)
	}
	r.send(tag, r.notice("EVO-3", second, 0, true))
	r.run(15 * time.Minute)
	if ps := r.truth(tag); dist(ps.p, testMusters[1].p) > testMusters[1].r {
		t.Errorf("after the update %s is %.0f m from mp-west (r %.0f m)", tag, dist(ps.p, testMusters[1].p), testMusters[1].r)
	}
	if ps := r.truth(tag); dist(ps.p, testMusters[0].p) < testMusters[0].r {
		t.Error("still at mp-gate after the update")
	}
	if n := len(r.acks(start)[tag]); n > 1 {
		t.Errorf("%d acknowledgements of one order", n)
	}
	// A notice older than the update changes nothing.
	stale := first
	r.now = r.now.Add(-time.Hour) // its at
	payload := r.notice("EVO-3", stale, 0, true)
	r.now = r.now.Add(time.Hour)
	ignored := r.counted("ignored")
	r.send(tag, payload)
	if r.counted("ignored") != ignored+1 {
		t.Error("a stale notice was not ignored")
	}
}

// Notices for vehicles, for tags the simulator does not run and of other
// kinds change nothing: the stream is the one without them.
func TestEvacuationIgnored(t *testing.T) {
	a, b := newEvacRun(t, 2), newEvacRun(t, 2)
	a.run(time.Minute)
	b.run(time.Minute)
	order, _ := json.Marshal(map[string]any{"kind": "evacuation", "order_id": "EVO-4", "reason": "cut_off"})
	for _, tag := range []string{"V000", "V003", "NOBODY"} {
		b.send(tag, order)
	}
	b.send("T0002", []byte(`{"kind":"gathering","gathering_id":"G-1","level":2,"message":"请疏散"}`))
	b.send("T0002", []byte(`{"kind":"sos_reply","route":"not an array"}`))
	if n := b.counted("ignored"); n != 5 {
		t.Errorf("%v notices counted as ignored, want 5", n)
	}
	a.run(10 * time.Minute)
	b.run(10 * time.Minute)
	if !sameMessages(a.out, b.out) {
		t.Error("ignored notices changed the stream")
	}
}

// The response to the notices is a function of the seed and of the Step
// after which each came.
func TestEvacuationDeterminism(t *testing.T) {
	run := func() []sent {
		r := newEvacRun(t, 21)
		r.run(90 * time.Second)
		tags := r.peopleTags()
		plan := r.plan(tags)
		for i := range plan.Routes {
			r.send(plan.Routes[i].PersonID, r.notice("EVO-5", plan, i, false))
		}
		r.run(5 * time.Minute)
		r.end("EVO-5", tags)
		r.run(5 * time.Minute)
		return r.out
	}
	a, b := run(), run()
	if !sameMessages(a, b) {
		t.Fatal("same seed and notices, different messages")
	}
}

// The all-clear before the wearer has noticed the order: they never leave
// and never acknowledge.
func TestEvacuationEndBeforeReaction(t *testing.T) {
	a, b := newEvacRun(t, 3), newEvacRun(t, 3)
	a.run(time.Minute)
	b.run(time.Minute)
	const tag = "T0003"
	a.truth(tag) // as b.plan does
	plan := b.plan([]string{tag})
	b.send(tag, b.notice("EVO-6", plan, 0, false))
	b.end("EVO-6", []string{tag})
	b.send(tag, b.notice("EVO-6", plan, 0, true)) // late: ignored
	if b.sim.ev.people[tag].ev != nil {
		t.Fatal("still evacuating")
	}
	a.run(5 * time.Minute)
	b.run(5 * time.Minute)
	if !sameMessages(a.out, b.out) {
		t.Error("a cancelled order changed the stream")
	}
}

func TestNoticeErrors(t *testing.T) {
	sc := musterScene(t)
	reg := prometheus.NewRegistry()
	s, err := New(sc, Options{Start: testStart, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ok := []byte(`{"kind":"evacuation","order_id":"EVO-7","reason":"cut_off"}`)
	if err := s.Notice("chemtwin/plant/tags/T0000/notify", ok); !errors.Is(err, ErrNotStarted) {
		t.Errorf("before the first Step: %v, want ErrNotStarted", err)
	}
	s.Step(testStart)
	for _, bad := range []string{
		``, `null`, `[]`, `"evacuation"`, `{"kind":"evacuation"}`, `{"kind":"evacuation","order_id":""}`,
		`{"kind":"evacuation","order_id":"a#b"}`, `{"kind":"evacuation","order_id":5}`,
		`{"kind":"evacuation","order_id":"E","route":[[106.6]]}`, `{"kind":"evacuation","order_id":"E","route":[[200,38]]}`,
		`{"kind":"evacuation","order_id":"E","route":[[106.6,38.1],"x"]}`, `{"kind":"evacuation","order_id":"E","route":[[106.6,38.1,0,0]]}`,
		`{"kind":"evacuation","order_id":"E","muster_lon":106.6}`, `{"kind":"evacuation","order_id":"E","muster_lon":106.6,"muster_lat":95}`,
		`{"kind":"evacuation","order_id":"E","route":[[0,0],[0.1,0]]}`, // not at this plant
		`{"kind":"evacuation","order_id":"E","at":"yesterday"}`, `{"kind":"evacuation","order_id":"E","at":true}`,
		`{"kind":"evacuation_end","order_id":"` + strings.Repeat("x", 129) + `"}`, `{"kind":"evacuation","order_id":"E"`,
		`{"kind":"evacuation","order_id":"E","update":"yes"}`,
	} {
		if err := s.Notice("chemtwin/plant/tags/T0000/notify", []byte(bad)); !errors.Is(err, ErrNotice) {
			t.Errorf("%s: %v, want ErrNotice", bad, err)
		}
	}
	if err := s.Notice("chemtwin/plant/tags/T0000/notify", make([]byte, maxNoticeBytes+1)); !errors.Is(err, ErrNotice) {
		t.Errorf("oversize: %v", err)
	}
	for _, topic := range []string{"chemtwin/other/tags/T0000/notify", "chemtwin/plant/tags/T0000/position", "chemtwin/plant/tags//notify"} {
		if err := s.Notice(topic, ok); err != nil {
			t.Errorf("%s: %v", topic, err)
		}
	}
	if n := counterValueOf(t, reg, "chemtwin_sim_notices_total", "result", "malformed"); n != 21 {
		t.Errorf("%v malformed counted, want 21", n)
	}
	if err := s.Notice("chemtwin/plant/tags/T0000/notify", ok); err != nil {
		t.Errorf("good notice: %v", err)
	}
	if s.ev.people["T0000"].ev == nil {
		t.Error("the good notice was not taken")
	}
}

func TestParseNotice(t *testing.T) {
	n, err := parseNotice([]byte(`{"kind":"evacuation","order_id":"EVO-1","plan_id":"P","person_id":"p","muster_id":"mp",
		"muster_name":"1#","muster_lon":106.6,"muster_lat":38.1,"length_m":12.5,"eta_s":10.5,
		"route":[[106.6001,38.1001],[106.6,38.1,0]],"over_capacity":false,"update":true,"message":"m","message_en":"m",
		"at":"2025-07-15T08:00:00.5+08:00","extra":{"x":[1,2]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := notice{kind: "evacuation", order: "EVO-1", muster: "mp", musterLL: [2]float64{106.6, 38.1}, hasLL: true,
		route: [][2]float64{{106.6001, 38.1001}, {106.6, 38.1}}, update: true,
		at: time.Date(2025, 7, 15, 0, 0, 0, 500e6, time.UTC)}
	if n.kind != want.kind || n.order != want.order || n.muster != want.muster || n.musterLL != want.musterLL || !n.hasLL ||
		len(n.route) != 2 || n.route[1] != want.route[1] || !n.update || !n.at.Equal(want.at) {
		t.Errorf("got %+v\nwant %+v", n, want)
	}
	n, err = parseNotice([]byte(`{"kind":"evacuation_end","order_id":"EVO-1","at":1752537600000}`))
	if err != nil || n.kind != noticeEnd || n.at.UnixMilli() != 1752537600000 {
		t.Errorf("all-clear: %+v, %v", n, err)
	}
	if _, err := parseNotice([]byte(`{"kind":"gathering","route":5}`)); !errors.Is(err, errIgnored) {
		t.Errorf("gathering: %v", err)
	}
}

// FuzzNotice feeds arbitrary payloads to the notice parser and to a
// running simulation: no panic, an error or a well-formed notice, and the
// simulation goes on publishing valid messages.
func FuzzNotice(f *testing.F) {
	for _, s := range []string{
		`{"kind":"evacuation","order_id":"EVO-1","muster_id":"mp-gate","muster_lon":106.6,"muster_lat":38.0982,"route":[[106.599,38.1],[106.6,38.099],[106.6,38.0982]],"update":false,"at":"2025-07-15T08:00:00Z"}`,
		`{"kind":"evacuation","order_id":"EVO-1","muster_id":"mp-west","route":[[106.5976,38.0998]],"update":true}`,
		`{"kind":"evacuation","order_id":"EVO-2","reason":"cut_off","over_capacity":false}`,
		`{"kind":"evacuation_end","order_id":"EVO-1","at":1752537600000}`,
		`{"kind":"gathering","gathering_id":"G"}`,
		`{"kind":"evacuation","order_id":"E","route":[[1e308,-1e308]]}`,
		`{"kind":"evacuation","order_id":"E","route":[]}`,
		`not json`, `{}`, `{"kind":null}`,
	} {
		f.Add("T0000", []byte(s))
	}
	f.Add("V000", []byte(`{"kind":"evacuation","order_id":"E","reason":"no_network"}`))
	sc := musterScene(f)
	s, err := New(sc, Options{Seed: 1, Start: testStart})
	if err != nil {
		f.Fatal(err)
	}
	now := testStart
	s.Step(now)
	f.Fuzz(func(t *testing.T, tag string, payload []byte) {
		n, err := parseNotice(payload)
		if err == nil {
			if checkNoticeID(n.order) != nil || n.kind != noticeEvacuation && n.kind != noticeEnd {
				t.Fatalf("accepted %+v", n)
			}
			for _, q := range n.route {
				if !validLonLat(q[0], q[1]) {
					t.Fatalf("accepted route point %v", q)
				}
			}
		}
		if err := s.Notice("chemtwin/plant/tags/"+tag+"/notify", payload); err != nil && !errors.Is(err, ErrNotice) {
			t.Fatalf("notice: %v", err)
		}
		now = now.Add(7 * time.Second)
		for _, m := range s.Step(now) {
			if !json.Valid(m.Payload) {
				t.Fatalf("%s: invalid payload %s", m.Topic, m.Payload)
			}
			if kind, _ := topicID(m.Topic); kind == "position" {
				var p positionMsg
				decodeStrict(t, m.Payload, &p)
				if math.IsNaN(*p.Lon) || math.Abs(*p.Lon-testOrigin[0]) > 1 || math.Abs(*p.Lat-testOrigin[1]) > 1 {
					t.Fatalf("position off the plant: %s", m.Payload)
				}
			}
		}
	})
}
