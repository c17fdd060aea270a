package gather

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

func TestExempt(t *testing.T) {
	f, _ := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	s := twin.New(twin.Options{SiteID: "t", Frame: f})
	sq := func(x0, y0, x1, y1 float64) orb.Geometry {
		return f.ToGeometry(orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}})
	}
	if err := s.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "A-OFF", Kind: twin.KindArea, Geometry: sq(0, 0, 100, 100), Props: map[string]any{"area_type": "office"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "B-WS", Kind: twin.KindBuilding, Geometry: sq(10, 10, 30, 30), Props: map[string]any{"use": "workshop", "gathering": true}}},
		twin.Upsert{Entity: &twin.Entity{ID: "A-PROD", Kind: twin.KindArea, Geometry: sq(200, 0, 300, 100), Props: map[string]any{"area_type": "production"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "B-CCR", Kind: twin.KindBuilding, Geometry: sq(210, 10, 230, 30), Props: map[string]any{"use": "control_room"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "A-TANK", Kind: twin.KindArea, Geometry: sq(400, 0, 500, 100), Props: map[string]any{"area_type": "office", "gathering": false}}},
		twin.Upsert{Entity: &twin.Entity{ID: "MP-1", Kind: twin.KindMusterPoint, Geometry: f.Point(250, 80), Props: map[string]any{"radius_m": 15.0}}},
	).Err(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x, y float64
		want bool
	}{
		{50, 50, true},    // office area
		{20, 20, false},   // a workshop marked watched inside the office area
		{250, 50, false},  // production
		{255, 90, true},   // a muster point's disc in production
		{250, 60, false},  // 20 m from the muster point
		{220, 20, true},   // control room in production
		{450, 50, true},   // gathering: false
		{-50, -50, false}, // outdoors, no zone
	} {
		s.View(func(tx twin.Tx) {
			if got := Exempt(tx, f.Point(c.x, c.y)); got != c.want {
				t.Errorf("(%v, %v): exempt %v, want %v", c.x, c.y, got, c.want)
			}
		})
	}
}
