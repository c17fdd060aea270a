package stream

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Positions of the three people of most tests.
var (
	inWest    = orb.Point{121.0003, 31.0003} // p0000: west area, in westBBox
	inEast    = orb.Point{121.0023, 31.0003} // p0001: east area, outside
	northEast = orb.Point{121.0017, 31.0012} // p0002: open ground, outside
)

func threePeople(t testing.TB) *plant {
	p := newPlant(t)
	pos := []orb.Point{inWest, inEast, northEast}
	p.addPeople(t, 3, func(i int) orb.Point { return pos[i] })
	return p
}

func testAlarm(id string) alarm.Alarm {
	return alarm.Alarm{ID: id, Type: alarm.SOS, Level: alarm.LevelHigh, State: alarm.Active,
		EntityID: "p0000", Lon: inWest[0], Lat: inWest[1], RaisedAt: t0,
		Message: "人员求救", MessageEn: "SOS from a person"}
}

func TestSnapshot(t *testing.T) {
	p := threePeople(t) // and a person without a fix yet
	p.apply(t, twin.Upsert{Entity: &twin.Entity{ID: "p0009", Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "t9", Battery: math.NaN()}}})
	th := startHub(t, p, Options{ActiveAlarms: func() []alarm.Alarm {
		return []alarm.Alarm{testAlarm("a1")}
	}}, false)
	bbox, _ := json.Marshal(westBBox)
	tests := []struct {
		name   string
		msg    string
		layers map[string][]string // layer → feature ids
		alarms int                 // -1: no alarms member
	}{
		{"whole plant", `{"type":"subscribe","layers":["people"]}`,
			map[string][]string{"people": {"p0000", "p0001", "p0002", "p0009"}}, -1},
		{"bbox", `{"type":"subscribe","layers":["people","areas","gas_detectors"],"bbox":` + string(bbox) + `}`,
			map[string][]string{"people": {"p0000"}, "areas": {"area-w"}, "gas_detectors": {"gd-w"}}, -1},
		{"duplicate layers", `{"type":"subscribe","layers":["areas","areas"]}`,
			map[string][]string{"areas": {"area-e", "area-w"}}, -1},
		{"alarms only", `{"type":"subscribe","layers":["alarms"]}`, map[string][]string{}, 1},
		{"people and alarms", `{"type":"subscribe","layers":["alarms","people"],"bbox":` + string(bbox) + `}`,
			map[string][]string{"people": {"p0000"}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := th.dial(t, dialOpts{})
			snap := subscribe(t, conn, tc.msg)
			if snap.Rev != th.plant.scene.Rev() {
				t.Errorf("rev %d, want %d", snap.Rev, th.plant.scene.Rev())
			}
			if snap.TS == 0 {
				t.Error("snapshot without ts")
			}
			got := make(map[string][]string)
			for l, fc := range snap.Layers {
				if fc.Type != "FeatureCollection" {
					t.Errorf("layer %s: type %q", l, fc.Type)
				}
				got[l] = featureIDs(t, fc.Features)
			}
			if !equalLayers(got, tc.layers) {
				t.Errorf("layers %v, want %v", got, tc.layers)
			}
			if tc.alarms < 0 && snap.Alarms != nil {
				t.Errorf("alarms %v in a snapshot without the alarms layer", snap.Alarms)
			}
			if tc.alarms >= 0 && len(snap.Alarms) != tc.alarms {
				t.Errorf("%d alarms, want %d", len(snap.Alarms), tc.alarms)
			}
		})
	}
}

func equalLayers(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestLiveFrames follows one bbox client through moves inside, out of and
// into its bbox, state changes in and out of it, and a removal, checking
// that its live seq has no gaps.
func TestLiveFrames(t *testing.T) {
	p := threePeople(t)
	th := startHub(t, p, Options{}, false)
	conn := th.dial(t, dialOpts{})
	bbox, _ := json.Marshal(westBBox)
	snap := subscribe(t, conn, `{"type":"subscribe","layers":["people","gas_detectors"],"bbox":`+string(bbox)+`}`)
	seq := snap.Seq
	next := func(ok func(frame) bool) (frame, []frame) {
		t.Helper()
		f, before := readUntil(t, conn, ok)
		for _, g := range append(before, f) {
			if g.Seq != seq+1 {
				t.Fatalf("%s frame seq %d after %d", g.Type, g.Seq, seq)
			}
			seq = g.Seq
		}
		return f, before
	}
	hasItem := func(id string) func(frame) bool {
		return func(f frame) bool {
			return f.Type == framePositions && slices.ContainsFunc(f.items(t), func(it item) bool { return it.id == id })
		}
	}

	t.Run("move inside", func(t *testing.T) {
		p.move(t, "p0000", orb.Point{121.000412345678, 31.000487654321})
		f, _ := next(hasItem("p0000"))
		it := f.items(t)[0]
		if it.lon != 121.0004123 || it.lat != 31.0004877 || it.z != 1.5 || it.floor != 0 {
			t.Errorf("item %+v: want lon/lat rounded to 1e-7", it)
		}
		if it.tsMS != p.clock.UnixMilli() || f.Rev != p.scene.Rev() {
			t.Errorf("ts %d rev %d, want %d %d", it.tsMS, f.Rev, p.clock.UnixMilli(), p.scene.Rev())
		}
	})
	t.Run("state in and out of bbox", func(t *testing.T) {
		p.apply(t, twin.SetState{ID: "gd-e", State: map[string]any{"value": 9.0}})
		p.apply(t, twin.SetState{ID: "gd-w", State: map[string]any{"value": 3.0}})
		f, before := next(func(f frame) bool { return f.Type == frameDelta })
		for _, g := range append(before, f) {
			if ids := featureIDs(t, g.Upserts); !slices.Equal(ids, []string{"gd-w"}) {
				t.Errorf("upserts %v, want only gd-w", ids)
			}
		}
		feat, _ := geojson.UnmarshalFeature(f.Upserts[0])
		if feat.Properties["value"] != 3.0 {
			t.Errorf("gd-w properties %v", feat.Properties)
		}
	})
	t.Run("leave bbox", func(t *testing.T) {
		p.move(t, "p0000", inEast)
		f, _ := next(hasItem("p0000"))
		if it := f.items(t)[0]; it.lon != inEast[0] {
			t.Errorf("leaving item %+v, want the position outside", it)
		}
	})
	t.Run("enter bbox without upsert", func(t *testing.T) {
		p.move(t, "p0002", orb.Point{121.0012, 31.0012}) // open ground to open ground
		f, _ := next(func(f frame) bool { return f.Type == frameDelta })
		if ids := featureIDs(t, f.Upserts); !slices.Equal(ids, []string{"p0002"}) {
			t.Fatalf("upserts %v, want p0002 with its properties", ids)
		}
		feat, _ := geojson.UnmarshalFeature(f.Upserts[0])
		if feat.Properties["department"] != "ops" || feat.Point() != (orb.Point{121.0012, 31.0012}) {
			t.Errorf("entering feature %v %v", feat.Geometry, feat.Properties)
		}
	})
	t.Run("enter bbox with area change", func(t *testing.T) {
		p.move(t, "p0001", orb.Point{121.0008, 31.0008})
		f, _ := next(hasItem("p0001"))
		if f.Type != framePositions {
			t.Fatal("no positions item")
		}
	})
	t.Run("remove", func(t *testing.T) {
		p.apply(t, twin.Remove{ID: "p0002"})
		f, _ := next(func(f frame) bool { return f.Type == frameDelta && len(f.Removes) > 0 })
		if f.Removes[0].ID != "p0002" || f.Removes[0].Layer != "people" {
			t.Errorf("removes %+v", f.Removes)
		}
	})
}

// TestLayerFilter checks that a client sees only its layers: the first
// frame after an unrelated change is the one for its own layer.
func TestLayerFilter(t *testing.T) {
	p := threePeople(t)
	th := startHub(t, p, Options{}, false)
	gas, people := th.dial(t, dialOpts{}), th.dial(t, dialOpts{})
	subscribe(t, gas, `{"type":"subscribe","layers":["gas_detectors"]}`)
	subscribe(t, people, `{"type":"subscribe","layers":["people"]}`)
	p.move(t, "p0000", orb.Point{121.0004, 31.0004})
	p.apply(t, twin.SetState{ID: "gd-w", State: map[string]any{"value": 1.0}})
	if f := readFrame(t, gas); f.Type != frameDelta || !slices.Equal(featureIDs(t, f.Upserts), []string{"gd-w"}) {
		t.Errorf("gas client got %s %s, want the gd-w delta", f.Type, f.Upserts)
	}
	p.move(t, "p0000", orb.Point{121.0005, 31.0005})
	f, _ := readUntil(t, people, isType(framePositions))
	if f.items(t)[0].id != "p0000" {
		t.Errorf("people client items %v", f.Items)
	}
}

func TestAlarmFrames(t *testing.T) {
	p := threePeople(t)
	active := []alarm.Alarm{testAlarm("a1")}
	th := startHub(t, p, Options{ActiveAlarms: func() []alarm.Alarm { return active }}, false)
	withAlarms, without := th.dial(t, dialOpts{}), th.dial(t, dialOpts{})
	snap := subscribe(t, withAlarms, `{"type":"subscribe","layers":["people","alarms"]}`)
	if len(snap.Alarms) != 1 || snap.Alarms[0]["id"] != "a1" || snap.Alarms[0]["message"] != "人员求救" {
		t.Fatalf("snapshot alarms %v", snap.Alarms)
	}
	subscribe(t, without, `{"type":"subscribe","layers":["people"]}`)

	a2 := testAlarm("a2")
	a2.Details = map[string]any{"bad": math.NaN()} // JSON cannot carry it; the alarm still goes
	th.PublishAlarm(alarm.Event{Action: alarm.ActionRaised, Alarm: a2})
	a2.Details = nil
	a2.State = alarm.Acknowledged
	th.PublishAlarm(alarm.Event{Action: alarm.ActionAcked, Alarm: a2})

	first, second := readFrame(t, withAlarms), readFrame(t, withAlarms)
	if first.Type != frameAlarm || first.Action != "raised" || first.Alarm["id"] != "a2" || first.Alarm["details"] == nil {
		t.Errorf("first alarm frame %+v", first)
	}
	if second.Action != "acknowledged" || second.Alarm["state"] != "acknowledged" || second.Seq != first.Seq+1 {
		t.Errorf("second alarm frame %+v after seq %d", second, first.Seq)
	}
	th.PublishNotify(map[string]any{"tag": "t0", "kind": "gathering", "level": 2})
	var n struct {
		Type   string         `json:"type"`
		Seq    uint64         `json:"seq"`
		Notify map[string]any `json:"notify"`
	}
	if err := withAlarms.ReadJSON(&n); err != nil {
		t.Fatal(err)
	}
	if n.Type != frameNotify || n.Seq != second.Seq+1 || n.Notify["tag"] != "t0" || n.Notify["level"] != 2.0 {
		t.Errorf("notify frame %+v", n)
	}
	p.move(t, "p0000", orb.Point{121.0004, 31.0004})
	if f := readFrame(t, without); f.Type != framePositions {
		t.Errorf("client without the alarms layer got %s first, want positions", f.Type)
	}
}

func TestResubscribeAndResync(t *testing.T) {
	p := threePeople(t)
	th := startHub(t, p, Options{}, false)
	conn := th.dial(t, dialOpts{})
	subscribe(t, conn, `{"type":"subscribe","layers":["people"]}`)
	p.move(t, "p0000", orb.Point{121.0004, 31.0004})
	readUntil(t, conn, isType(framePositions))

	snap := subscribe(t, conn, `{"type":"subscribe","layers":["gas_detectors"]}`)
	if _, ok := snap.Layers["people"]; ok || len(snap.Layers["gas_detectors"].Features) != 2 {
		t.Fatalf("re-subscribed snapshot layers %v", snap.Layers)
	}
	p.move(t, "p0000", orb.Point{121.0005, 31.0005})
	p.apply(t, twin.SetState{ID: "gd-e", State: map[string]any{"value": 2.0}})
	f := readFrame(t, conn)
	if f.Type != frameDelta || f.Seq != snap.Seq+1 {
		t.Fatalf("after re-subscribe got %s seq %d, want delta seq %d", f.Type, f.Seq, snap.Seq+1)
	}

	send(t, conn, `{"type":"resync"}`)
	again, _ := readUntil(t, conn, isType(frameSnapshot))
	if again.Seq != f.Seq || again.Rev != p.scene.Rev() {
		t.Errorf("resync snapshot seq %d rev %d, want %d %d", again.Seq, again.Rev, f.Seq, p.scene.Rev())
	}
	p.apply(t, twin.SetState{ID: "gd-e", State: map[string]any{"value": 3.0}})
	if f := readFrame(t, conn); f.Seq != again.Seq+1 {
		t.Errorf("frame after resync seq %d, want %d", f.Seq, again.Seq+1)
	}
	if got := th.metric(t, "chemtwin_ws_resyncs_total"); got != 1 {
		t.Errorf("resyncs_total %v, want 1", got)
	}
}

// TestCoalescing flushes by hand: many moves between two flushes reach the
// client as one item with the latest position, after the delta of the
// same batch.
func TestCoalescing(t *testing.T) {
	p := threePeople(t)
	th := startHub(t, p, Options{}, true)
	conn := th.dial(t, dialOpts{})
	subscribe(t, conn, `{"type":"subscribe","layers":["people"]}`)

	var last orb.Point
	for i := range 100 {
		last = orb.Point{121.0001 + float64(i)*1e-6, 31.0002}
		p.move(t, "p0000", last)
	}
	th.flush()
	f := readFrame(t, conn)
	if f.Type != framePositions || len(f.Items) != 1 {
		t.Fatalf("got %s with %d items, want one positions item", f.Type, len(f.Items))
	}
	if it := f.items(t)[0]; it.id != "p0000" || it.lon != 121.0001990 || it.tsMS != p.clock.UnixMilli() {
		t.Errorf("item %+v, want the latest fix at %v", it, last)
	}

	// A battery change rides on a move as an upsert: the delta comes
	// first, the positions item (latest) after.
	p.move(t, "p0001", orb.Point{121.0024, 31.0004})
	mv := p.moveChange("p0001", orb.Point{121.0025, 31.0005})
	mv.Battery = 20
	p.apply(t, mv)
	th.flush()
	d, pos := readFrame(t, conn), readFrame(t, conn)
	if d.Type != frameDelta || pos.Type != framePositions || pos.Seq != d.Seq+1 {
		t.Fatalf("got %s then %s, want delta then positions", d.Type, pos.Type)
	}
	if it := pos.items(t)[0]; it.lon != 121.0025 {
		t.Errorf("item %+v, want the latest position", it)
	}
}

// TestShutdown cancels Run with clients connected: every client gets 1001
// and Run returns only after their goroutines ended.
// TestPongTimeout: a client that never reads never answers pings.
// TestSharedSnapshot: members of one group that resync at the same live
// seq share one snapshot; a live frame or an alarm makes it stale.
func TestSharedSnapshot(t *testing.T) {
	p := threePeople(t)
	active := []alarm.Alarm{}
	var activeMu sync.Mutex
	var ticks atomic.Int64 // every frame gets its own ts: a rebuilt snapshot differs
	th := startHub(t, p, Options{ActiveAlarms: func() []alarm.Alarm {
		activeMu.Lock()
		defer activeMu.Unlock()
		return slices.Clone(active)
	}, Clock: func() time.Time { return t0.Add(time.Duration(ticks.Add(1)) * time.Second) }}, true)
	const sub = `{"type":"subscribe","layers":["people","alarms"]}`
	a, b := th.dial(t, dialOpts{}), th.dial(t, dialOpts{})
	subscribe(t, a, sub)
	send(t, b, sub)
	fromB := readRaw(t, b)
	resync := func(conn *websocket.Conn) []byte {
		t.Helper()
		send(t, conn, `{"type":"resync"}`)
		return readRaw(t, conn)
	}
	if fromA := resync(a); !bytes.Equal(fromA, fromB) {
		t.Errorf("resync at the same seq built a new snapshot:\n%s\n%s", fromA, fromB)
	}

	p.move(t, "p0000", orb.Point{121.0004, 31.0004})
	th.flush()
	readUntil(t, a, isType(framePositions))
	readUntil(t, b, isType(framePositions))
	afterMove := resync(a)
	if bytes.Equal(afterMove, fromB) {
		t.Error("snapshot reused after a live frame")
	}

	activeMu.Lock()
	active = append(active, testAlarm("a9"))
	activeMu.Unlock()
	th.PublishAlarm(alarm.Event{Action: alarm.ActionRaised, Alarm: testAlarm("a9")})
	readUntil(t, b, isType(frameAlarm))
	send(t, b, `{"type":"resync"}`)
	snap, _ := readUntil(t, b, isType(frameSnapshot))
	if len(snap.Alarms) != 1 {
		t.Errorf("snapshot after an alarm has %d alarms, want 1 (not the shared one)", len(snap.Alarms))
	}
}

func readRaw(t *testing.T, conn *websocket.Conn) []byte {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(readWait))
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	return data
}
