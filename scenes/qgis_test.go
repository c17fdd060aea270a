package scenes

import (
	"os"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// The QGIS fixture is a small scene as QGIS exports GeoJSON: top-level name
// and crs (CRS84 and EPSG::4326), MultiPolygon/MultiLineString/MultiPoint
// geometries, an integer fid, numbers and booleans as text, nulls for empty
// fields and nested objects as JSON strings.
func TestQGISFixtureLoads(t *testing.T) {
	s, err := Load(os.DirFS("testdata/qgis"))
	if err != nil {
		t.Fatal(err)
	}
	byID := index(s)
	cases := []struct {
		id, key string
		want    any
	}{
		{"A-01", "code", "101"},
		{"A-01", "fire_zone", true},
		{"A-02", "fire_zone", true},
		{"B-01", "floors", 3.0},
		{"B-01", "blast_resistant", false},
		{"GD-01", "range", []any{0.0, 100.0}},
		{"GD-01", "alarm1", 25.0},
		{"GD-02", "range", []any{0.0, 100.0}},
		{"TK-01", "radius_m", 5.5},
		{"BC-01", "floor", 2.0},
		{"BC-01", "rssi_1m", DefaultRSSI1m},
		{"BC-02", "rssi_1m", -61.0},
		{"RD-01", "oneway", false},
		{"RD-01", "pedestrian", true},
		{"RD-01", "width_m", 7.0},
		{"FN-01", "level", 3.0},
		{"FN-01", "authorized", map[string]any{"identity_types": []any{"internal"}, "posts": []any{"外操"}, "persons": []any{"P-2"}}},
		{"FN-01", "time_window", map[string]any{"from": "18:00", "to": "08:00", "days": []any{1.0, 2.0, 3.0, 4.0, 5.0}}},
		{"FN-02", "required", []any{"P-1"}},
		{"RU-01", "lec", map[string]any{"l": 3.0, "e": 6.0, "c": 40.0, "d": 720.0}},
		{"HS-01", "grade", 4.0},
		{"P-3", "identity_code", "02"},
		{"V-1", "max_speed_kmh", 15.0},
	}
	for _, c := range cases {
		t.Run(c.id+"."+c.key, func(t *testing.T) {
			e := byID[c.id]
			if e == nil {
				t.Fatalf("%s not loaded", c.id)
			}
			if got := e.Props[c.key]; !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s = %#v, want %#v", c.key, got, c.want)
			}
		})
	}
	for _, e := range s.Entities {
		if _, ok := e.Props["fid"]; ok {
			t.Errorf("%s keeps the QGIS fid", e.ID)
		}
		for k, v := range e.Props {
			if v == nil {
				t.Errorf("%s keeps null %s", e.ID, k)
			}
		}
	}
	checkQGISEntities(t, byID)
}

func checkQGISEntities(t *testing.T, byID map[string]*twin.Entity) {
	t.Helper()
	if _, ok := byID["A-01"].Geometry.(orb.Polygon); !ok {
		t.Errorf("single-part MultiPolygon not unwrapped: %T", byID["A-01"].Geometry)
	}
	if _, ok := byID["RD-01"].Geometry.(orb.LineString); !ok {
		t.Errorf("single-part MultiLineString not unwrapped: %T", byID["RD-01"].Geometry)
	}
	if _, ok := byID["GD-02"].Geometry.(orb.Point); !ok {
		t.Errorf("single-part MultiPoint not unwrapped: %T", byID["GD-02"].Geometry)
	}
	if b := byID["B-01"]; b.Height != 12.5 || b.Parent != "A-01" || b.Name != "控制楼" {
		t.Errorf("B-01 = height %v parent %q name %q", b.Height, b.Parent, b.Name)
	}
	if byID["A-01"].Parent != "" {
		t.Errorf("A-01 parent %q, want the site (empty)", byID["A-01"].Parent)
	}
	if byID["BC-02"] == nil {
		t.Error("BC-02 (id only at the feature's top level) not loaded")
	}
	if p := byID["P-1"]; p.Mobile == nil || p.Mobile.Tag != "1001" {
		t.Errorf("P-1 tag from a JSON number: %+v", p.Mobile)
	}
}

func TestQGISFixtureTwin(t *testing.T) {
	s, err := Load(os.DirFS("testdata/qgis"))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := s.Twin(twin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts.View(func(tx twin.Tx) {
		if got := tx.Len(); got != len(s.Entities)+1 {
			t.Errorf("twin holds %d entities, want %d", got, len(s.Entities)+1)
		}
		if a := tx.Ancestor("BC-01", twin.KindArea); a == nil || a.ID != "A-01" {
			t.Errorf("BC-01 area = %v", a)
		}
	})
	if len(s.Users) != 1 || s.Users[0] != (DemoUser{"operator", "operator", "P-1"}) {
		t.Errorf("users = %+v", s.Users)
	}
}
