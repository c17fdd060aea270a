package evac

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/route"
)

// upperFloor adds a building's floor 2: a small grid of corridors inside
// [x0, x0+size]² joined to the ground by two flights of stairs.
func upperFloor(x0, size float64) []route.Line {
	var lines []route.Line
	for k := 0; k <= 2; k++ {
		c := x0 + float64(k)*size/2
		lines = append(lines,
			route.Line{ID: fmt.Sprintf("f2h%d", k), Points: [][2]float64{{x0, c}, {x0 + size, c}}, Pedestrian: true, Floor: 2, FloorTo: 2},
			route.Line{ID: fmt.Sprintf("f2v%d", k), Points: [][2]float64{{c, x0}, {c, x0 + size}}, Pedestrian: true, Floor: 2, FloorTo: 2})
	}
	// Stairs from the ground (level 0) at the building's corners up to
	// floor 2's corners.
	lines = append(lines,
		route.Line{ID: "stairs1", Points: [][2]float64{{x0 - 6, x0 + 3}, {x0, x0}}, Pedestrian: true, Floor: 1, FloorTo: 2},
		route.Line{ID: "stairs2", Points: [][2]float64{{x0 + size + 6, x0 + size - 3}, {x0 + size, x0 + size}}, Pedestrian: true, Floor: 1, FloorTo: 2},
		route.Line{ID: "door1", Points: [][2]float64{{x0 - 6, x0 + 3}, {x0 - 6, x0 - 10}}, Pedestrian: true},
		route.Line{ID: "door2", Points: [][2]float64{{x0 + size + 6, x0 + size - 3}, {x0 + size + 6, x0 + size + 10}}, Pedestrian: true})
	return lines
}

func mustBuild(t testing.TB, lines []route.Line) *route.Graph {
	t.Helper()
	g, err := route.Build(lines, route.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// convex returns a random convex polygon around c of radius up to r: a
// rotated rectangle or the hull of random points.
func convex(rng *rand.Rand, c [2]float64, r float64) orb.Polygon {
	var pts [][2]float64
	if rng.IntN(2) == 0 {
		a, w, h := rng.Float64()*math.Pi, r*(0.3+0.7*rng.Float64()), r*(0.3+0.7*rng.Float64())
		s, co := math.Sincos(a)
		for _, d := range [][2]float64{{-w, -h}, {w, -h}, {w, h}, {-w, h}} {
			pts = append(pts, [2]float64{c[0] + d[0]*co - d[1]*s, c[1] + d[0]*s + d[1]*co})
		}
	} else {
		for range 3 + rng.IntN(10) {
			a, d := rng.Float64()*2*math.Pi, r*math.Sqrt(rng.Float64())
			pts = append(pts, [2]float64{c[0] + d*math.Cos(a), c[1] + d*math.Sin(a)})
		}
		pts = hull(pts)
		if len(pts) < 3 {
			return convex(rng, c, r)
		}
	}
	ring := make(orb.Ring, 0, len(pts)+1)
	for _, p := range pts {
		ring = append(ring, orb.Point(p))
	}
	return orb.Polygon{append(ring, ring[0])}
}

// circle returns a polygon of n vertices approximating a circle.
func circle(c [2]float64, r float64, n int) orb.Polygon {
	ring := make(orb.Ring, 0, n+1)
	for k := range n {
		s, co := math.Sincos(2 * math.Pi * float64(k) / float64(n))
		ring = append(ring, orb.Point{c[0] + r*co, c[1] + r*s})
	}
	return orb.Polygon{append(ring, ring[0])}
}

// mustPlan plans in on g with the default options.
func mustPlan(t testing.TB, g *route.Graph, in Input) *Plan {
	t.Helper()
	p, err := NewPlanner(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return pl
}
