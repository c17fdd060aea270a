package stream

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/twin"
)

// eastBBox holds the east area and open ground from 121.0016 E: it does
// not touch westBBox.
var eastBBox = []float64{121.0016, 30.9995, 121.0035, 31.0015}

// openWest is open ground (no area) inside westBBox.
var openWest = orb.Point{121.0012, 31.0012}

// square is a 0.0001° (~10 m) square fence outline with its south-west
// corner at [lon, lat].
func square(lon, lat float64) orb.Polygon {
	const d = 0.0001
	return orb.Polygon{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}}
}

func fence(id string, g orb.Geometry) twin.Upsert {
	return twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindFence, Name: id, Geometry: g,
		Props: map[string]any{"rule": "no_entry"}}}
}

// seenBy is what one client gets from one flush: upserted ids, removes as
// "id/layer" and the ids of positions items; ahead: removes sent in a
// delta of their own before the step's (a kind change).
type seenBy struct {
	ups, rems, items, ahead []string
}

// TestLeaveView edits fences (as PUT /api/v1/fences/{id} does: an upsert
// with new geometry) and moves and edits people, flushing by hand after
// each step, and checks what four clients with different views get. Each
// step also changes a marker fence every client sees, so every client gets
// exactly one delta frame per step with the marker (after a delta of
// removes only for a kind change, and before a positions frame when it has
// items): a message that should not be sent would show up in these frames.
func TestLeaveView(t *testing.T) {
	p := threePeople(t) // p0000 inWest, p0001 inEast, p0002 northEast
	p.apply(t,
		fence("f-marker", orb.Bound{Min: orb.Point{120.99, 30.99}, Max: orb.Point{121.01, 31.01}}.ToPolygon()),
		fence("f1", square(121.0002, 31.0002)), // in the west area; known to the hub from its start
		fence("f3", square(121.0024, 31.0006)), // in the east area, never in westBBox
	)
	th := startHub(t, p, Options{}, true)
	clients := map[string]string{
		"west": `"layers":["fences","people"],"bbox":` + jsonOf(t, westBBox),
		"east": `"layers":["fences","people"],"bbox":` + jsonOf(t, eastBBox),
		"both": `"layers":["areas","fences"],"bbox":` + jsonOf(t, westBBox),
		"all":  `"layers":["fences"]`,
	}
	conns := make(map[string]*websocket.Conn, len(clients))
	for name, sub := range clients {
		conns[name] = th.dial(t, dialOpts{})
		subscribe(t, conns[name], `{"type":"subscribe",`+sub+`}`)
	}
	battery := func(id string, pt orb.Point) twin.Move {
		m := p.moveChange(id, pt)
		m.Battery = 20
		return m
	}
	steps := []struct {
		name    string
		changes []twin.Change
		want    map[string]seenBy // clients not named get the marker only
	}{
		{"fence moved within the bbox stays an update", []twin.Change{fence("f1", square(121.0006, 31.0006))},
			map[string]seenBy{"west": {ups: ids("f1")}, "both": {ups: ids("f1")}, "all": {ups: ids("f1")}}},
		{"fence moved out of the bbox is removed", []twin.Change{fence("f1", square(121.0022, 31.0002))},
			map[string]seenBy{"west": {rems: ids("f1/fences")}, "both": {rems: ids("f1/fences")},
				"east": {ups: ids("f1")}, "all": {ups: ids("f1")}}},
		{"fence never in the bbox sends nothing", []twin.Change{fence("f3", square(121.0100, 31.0100))},
			map[string]seenBy{"east": {rems: ids("f3/fences")}, "all": {ups: ids("f3")}}},
		{"fence moved back in is sent whole", []twin.Change{fence("f1", square(121.0002, 31.0002))},
			map[string]seenBy{"west": {ups: ids("f1")}, "both": {ups: ids("f1")},
				"east": {rems: ids("f1/fences")}, "all": {ups: ids("f1")}}},
		{"fence created after the hub started", []twin.Change{fence("f2", square(121.0008, 31.0002))},
			map[string]seenBy{"west": {ups: ids("f2")}, "both": {ups: ids("f2")}, "all": {ups: ids("f2")}}},
		{"fence created after the hub started moved out", []twin.Change{fence("f2", square(121.0110, 31.0100))},
			map[string]seenBy{"west": {rems: ids("f2/fences")}, "both": {rems: ids("f2/fences")}, "all": {ups: ids("f2")}}},
		{"fence moved out and back in one batch", []twin.Change{
			fence("f1", square(121.0110, 31.0100)), fence("f1", square(121.0003, 31.0003))},
			map[string]seenBy{"west": {ups: ids("f1")}, "both": {ups: ids("f1")}, "all": {ups: ids("f1")}}},
		{"fence straddling both views", []twin.Change{fence("f1", orb.Polygon{{
			{121.0012, 31.0002}, {121.0018, 31.0002}, {121.0018, 31.0004}, {121.0012, 31.0004}, {121.0012, 31.0002}}})},
			map[string]seenBy{"west": {ups: ids("f1")}, "both": {ups: ids("f1")}, "east": {ups: ids("f1")}, "all": {ups: ids("f1")}}},
		{"kind change leaves the old layer", []twin.Change{twin.Upsert{Entity: &twin.Entity{ID: "f1", Kind: twin.KindArea,
			Geometry: square(121.0002, 31.0002)}}},
			map[string]seenBy{"west": {rems: ids("f1/fences")}, "both": {ups: ids("f1"), ahead: ids("f1/fences")},
				"east": {rems: ids("f1/fences")}, "all": {rems: ids("f1/fences")}}},
		{"remove goes to the layer's subscribers", []twin.Change{twin.Remove{ID: "f1"}},
			map[string]seenBy{"both": {rems: ids("f1/areas")}}},
		{"person leaving its area and the bbox is told by its item", []twin.Change{p.moveChange("p0000", northEast)},
			map[string]seenBy{"west": {items: ids("p0000")}, "east": {ups: ids("p0000"), items: ids("p0000")}}},
		{"person entering the bbox by a move only", []twin.Change{p.moveChange("p0000", openWest)},
			map[string]seenBy{"west": {ups: ids("p0000")}, "east": {items: ids("p0000")}}},
		{"person leaving the bbox by a move only", []twin.Change{p.moveChange("p0000", northEast)},
			map[string]seenBy{"west": {items: ids("p0000")}, "east": {ups: ids("p0000")}}},
		{"person entering with a battery change", []twin.Change{battery("p0000", openWest)},
			map[string]seenBy{"west": {ups: ids("p0000"), items: ids("p0000")}, "east": {items: ids("p0000")}}},
		{"person edited out of the bbox without a move", []twin.Change{personAt("p0000", northEast)},
			map[string]seenBy{"west": {rems: ids("p0000/people")}, "east": {ups: ids("p0000")}}},
		{"person edited into the bbox without a move", []twin.Change{personAt("p0000", inWest)},
			map[string]seenBy{"west": {ups: ids("p0000")}, "east": {rems: ids("p0000/people")}}},
	}
	for n, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			marker := twin.SetState{ID: "f-marker", State: map[string]any{"step": float64(n)}}
			p.apply(t, append(step.changes, marker)...)
			th.flush()
			for name, conn := range conns {
				got := readStep(t, p.scene, conn, len(step.want[name].items) > 0)
				want := step.want[name]
				if !slices.Equal(got.ups, want.ups) || !slices.Equal(got.rems, want.rems) ||
					!slices.Equal(got.items, want.items) || !slices.Equal(got.ahead, want.ahead) {
					t.Errorf("%s got %+v, want %+v", name, got, want)
				}
			}
		})
	}
}

// readStep reads one step's frames: a delta of removes only (ahead), if
// any, the delta with the marker (left out of ups; every upsert checked
// against the scene), then the positions frame when items are due.
func readStep(t *testing.T, scene *twin.Scene, conn *websocket.Conn, items bool) seenBy {
	t.Helper()
	var got seenBy
	f := readFrame(t, conn)
	if f.Type == frameDelta && len(f.Upserts) == 0 {
		for _, r := range f.Removes {
			got.ahead = append(got.ahead, r.ID+"/"+r.Layer)
		}
		next := readFrame(t, conn)
		if next.Seq != f.Seq+1 {
			t.Fatalf("seq %d after the removes' delta seq %d", next.Seq, f.Seq)
		}
		f = next
	}
	if f.Type != frameDelta {
		t.Fatalf("got a %s frame, want the step's delta", f.Type)
	}
	marker := false
	for _, raw := range f.Upserts {
		feat, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			t.Fatal(err)
		}
		if feat.ID == "f-marker" {
			marker = true
			continue
		}
		if feat.Properties["kind"] == string(twin.KindFence) && feat.Properties["rule"] != "no_entry" {
			t.Errorf("fence %v upserted without its properties: %v", feat.ID, feat.Properties)
		}
		if e, ok := scene.Get(feat.ID.(string)); !ok || feat.Geometry.Bound() != e.Geometry.Bound() {
			t.Errorf("upsert of %v at %v, not where the scene has it", feat.ID, feat.Geometry.Bound())
		}
		got.ups = append(got.ups, feat.ID.(string))
	}
	if !marker {
		t.Fatalf("delta without the marker: %d upserts", len(f.Upserts))
	}
	for _, r := range f.Removes {
		got.rems = append(got.rems, r.ID+"/"+r.Layer)
	}
	if items {
		pos := readFrame(t, conn)
		if pos.Type != framePositions || pos.Seq != f.Seq+1 {
			t.Fatalf("got a %s frame seq %d, want positions seq %d", pos.Type, pos.Seq, f.Seq+1)
		}
		for _, it := range pos.items(t) {
			got.items = append(got.items, it.id)
		}
	}
	slices.Sort(got.ups)
	slices.Sort(got.rems)
	return got
}

func ids(s ...string) []string { return s }

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
