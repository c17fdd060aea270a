package api

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestIntersects(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	square := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	tests := []struct {
		name string
		g    orb.Geometry
		want bool
	}{
		{"point inside", orb.Point{5, 5}, true},
		{"point on edge", orb.Point{10, 5}, true},
		{"point outside", orb.Point{11, 5}, false},
		{"multipoint one inside", orb.MultiPoint{{20, 20}, {1, 1}}, true},
		{"line crossing without vertices inside", orb.LineString{{-5, 5}, {15, 5}}, true},
		{"line passing by", orb.LineString{{-5, 11}, {15, 11}}, false},
		{"diagonal line near a corner", orb.LineString{{8, 14}, {14, 8}}, false},
		{"diagonal line through a corner", orb.LineString{{5, 15}, {15, 5}}, true},
		{"polygon containing the box", orb.Polygon{square(-5, -5, 15, 15)}, true},
		{"box in the polygon's hole", orb.Polygon{square(-5, -5, 15, 15), square(-1, -1, 11, 11)}, false},
		{"triangle whose bound covers the box", orb.Polygon{{{12, -20}, {40, -20}, {12, 40}, {12, -20}}}, false},
		{"triangle reaching in", orb.Polygon{{{5, 5}, {40, -20}, {40, 40}, {5, 5}}}, true},
		{"multipolygon second part", orb.MultiPolygon{{square(20, 20, 30, 30)}, {square(9, 9, 12, 12)}}, true},
		{"multiline none", orb.MultiLineString{{{20, 0}, {20, 10}}}, false},
		{"collection", orb.Collection{orb.Point{50, 50}, orb.Point{2, 2}}, true},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := intersects(tt.g, box); got != tt.want {
				t.Fatalf("intersects(%v) = %v, want %v", tt.g, got, tt.want)
			}
		})
	}
}
