// Package gridplant draws synthetic street-grid plants for the evacuation
// planner's tests and benchmark (geo/evac, internal/bench): one
// generator, so that the benchmark measures the network the tests check.
package gridplant

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/chemtwin/chemtwin/geo/route"
)

// Lines draws a street grid of n × n lines spaced cellM apart, each a
// polyline with a vertex every cellM/2 and a little wobble, crossing the
// others between vertices so that route.Build nodes every crossing. drop is the chance that a line is drawn in
// two parts with a gap, which leaves dead ends and cut-off pockets.
func Lines(rng *rand.Rand, n int, cellM, drop float64) []route.Line {
	var lines []route.Line
	span := float64(n-1) * cellM
	half := cellM / 2
	for i := range n {
		var h, v [][2]float64
		for k := 0; k <= 2*(n-1); k++ {
			s := float64(k) * half
			if k > 0 && k < 2*(n-1) {
				s += half / 2
			}
			s = math.Min(s, span)
			w := 0.02 * cellM * math.Sin(float64(i*k+1))
			h = append(h, [2]float64{s, float64(i)*cellM + w})
			v = append(v, [2]float64{float64(i)*cellM + w, s})
		}
		for dir, pts := range [][][2]float64{h, v} {
			id := fmt.Sprintf("%c%d", "hv"[dir], i)
			if rng != nil && rng.Float64() < drop && len(pts) > 6 {
				cut := 2 + rng.IntN(len(pts)-5)
				lines = append(lines,
					route.Line{ID: id + "a", Points: pts[:cut], Pedestrian: true, Vehicle: true},
					route.Line{ID: id + "b", Points: pts[cut+1:], Pedestrian: true, Vehicle: true})
				continue
			}
			lines = append(lines, route.Line{ID: id, Points: pts, Pedestrian: true, Vehicle: dir == 0})
		}
	}
	return lines
}
