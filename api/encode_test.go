package api

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The hand-written encoder must write what encoding/json and orb's geojson
// package write.

func TestAppendFeatureMatchesGeoJSON(t *testing.T) {
	props := map[string]any{
		"id": "P-1", "name": "张伟 <admin> & \"co\"", "battery": 80.5, "sos": false, "floor": 2,
		"tiny": 1e-9, "huge": 1e22, "neg": -0.25, "nested": map[string]any{"a": []any{1.0, "x"}}, "none": nil,
	}
	ring := orb.Ring{{106.6, 38.1}, {106.61, 38.1}, {106.61, 38.11}, {106.6, 38.1}}
	geoms := []orb.Geometry{
		nil,
		orb.Point{106.600123456789, 38.1},
		orb.MultiPoint{{1, 2}, {3, 4}},
		orb.LineString{{1, 2}, {3, 4.5}},
		orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}},
		orb.Polygon{ring},
		orb.MultiPolygon{{ring}, {ring}},
		orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}},
	}
	for _, g := range geoms {
		name := "null"
		if g != nil {
			name = g.GeoJSONType()
		}
		t.Run(name, func(t *testing.T) {
			got, err := appendFeature(nil, "P-1", g, props, nil)
			if err != nil {
				t.Fatal(err)
			}
			f := geojson.NewFeature(g)
			f.ID, f.Properties = "P-1", props
			want, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil {
				t.Fatalf("invalid JSON:\n%s", got)
			}
			ga, _ := json.Marshal(a)
			gb, _ := json.Marshal(b)
			if string(ga) != string(gb) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestAppendPropsDropsNonFinite(t *testing.T) {
	got, err := appendProps(nil, map[string]any{"value": math.NaN(), "inf": math.Inf(1), "ok": 1.5})
	if err != nil || string(got) != `{"ok":1.5}` {
		t.Fatalf("%s %v", got, err)
	}
	if got, _ := appendProps(nil, nil); string(got) != "null" {
		t.Fatalf("empty props %s", got)
	}
	if _, err := appendProps(nil, map[string]any{"bad": []any{math.NaN()}}); err == nil {
		t.Fatal("nested NaN accepted")
	}
}
