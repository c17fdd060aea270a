package main

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// check verifies what the drawing rules promise and the scene validator
// cannot see: outdoor roads and walkways never run through a building, and
// distinct network vertices are far enough apart not to merge when
// rounded to 1e-7°.
func (p *plant) check() error {
	for _, file := range []string{fileRoads, fileWalkways} {
		for _, f := range p.layers[file] {
			if _, indoor := f.props["floor"]; indoor || f.props["kind"] == string(twin.KindStairs) {
				continue
			}
			if b := p.crossedBuilding(f.geom.(orb.LineString)); b != "" {
				return fmt.Errorf("%s %s runs through building %s", f.id(), f.props["name"], b)
			}
		}
	}
	if err := p.checkVertexSpacing(); err != nil {
		return err
	}
	return p.checkInspections()
}

// crossedBuilding returns a building whose inside the line passes through.
func (p *plant) crossedBuilding(l orb.LineString) string {
	for _, b := range buildingSpecs {
		inner := b.r.grow(-0.01)
		for i := 1; i < len(l); i++ {
			if segmentHitsRect(l[i-1], l[i], inner) {
				return b.id
			}
		}
	}
	return ""
}

// segmentHitsRect samples the segment every 0.25 m (the lines are axis-
// aligned, so this is exact enough for a drawing check).
func segmentHitsRect(a, b orb.Point, r rect) bool {
	n := int(dist(a, b)/0.25) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		if q := (orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}); r.contains(q) {
			return true
		}
	}
	return false
}

// checkVertexSpacing refuses two different network vertices on one level
// closer than 0.5 m.
func (p *plant) checkVertexSpacing() error {
	type vertex struct {
		q     orb.Point
		level int
	}
	seen := map[nodeKey]orb.Point{}
	var all []vertex
	for _, file := range []string{fileRoads, fileWalkways} {
		for _, f := range p.layers[file] {
			if f.props["kind"] == string(twin.KindStairs) {
				continue // its ends sit on two floors; the corridors hold them
			}
			level := ground
			if fl, ok := f.props["floor"].(int); ok {
				level = levelOf(fl)
			}
			for _, q := range f.geom.(orb.LineString) {
				k := keyOf(q, level)
				if _, dup := seen[k]; !dup {
					seen[k] = q
					all = append(all, vertex{q, level})
				}
			}
		}
	}
	grid := map[[3]int][]vertex{}
	for _, v := range all {
		c := [3]int{int(math.Floor(v.q[0])), int(math.Floor(v.q[1])), v.level}
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, o := range grid[[3]int{c[0] + dx, c[1] + dy, c[2]}] {
					if d := dist(o.q, v.q); d < 0.5 {
						return fmt.Errorf("network vertices %v and %v on level %d are %.3f m apart", o.q, v.q, v.level, d)
					}
				}
			}
		}
		grid[c] = append(grid[c], v)
	}
	return nil
}
