package route

import (
	"errors"
	"math"
	"testing"
)

// fuzzLines decodes bytes into lines on a coarse 0.25 m lattice, so that
// near-coincident vertices, crossings and T-junctions are common. Each line
// is a flags byte (vehicle, pedestrian, oneway, stairs, floor) and a count
// byte, then two bytes (x, y) per point.
func fuzzLines(data []byte) []Line {
	var lines []Line
	for len(data) >= 2 {
		flags, n := data[0], int(data[1]%6)+1
		data = data[2:]
		l := Line{
			Vehicle: flags&1 != 0, Pedestrian: flags&2 != 0, Oneway: flags&4 != 0,
			Floor: int(flags>>4) % 3,
		}
		l.FloorTo = l.Floor
		if flags&8 != 0 {
			l.FloorTo++
		}
		for ; n > 0 && len(data) >= 2; n-- {
			l.Points = append(l.Points, [2]float64{float64(int8(data[0])) / 4, float64(int8(data[1])) / 4})
			data = data[2:]
		}
		l.ID = string(rune('a' + len(lines)%26))
		lines = append(lines, l)
	}
	return lines
}

// FuzzBuild checks Build and the queries on arbitrary networks: no panic,
// edges well formed, pedestrian distances symmetric and never shorter than
// the straight line, and a path found exactly when the ends share a
// component.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{3, 1, 0, 0, 40, 0, 3, 1, 20, 236, 20, 20})                    // a crossing
	f.Add([]byte{7, 2, 0, 0, 40, 0, 40, 40, 3, 1, 20, 1, 20, 30})              // one-way and a tee
	f.Add([]byte{2, 1, 0, 0, 0, 20, 10, 1, 0, 20, 0, 30, 18, 1, 0, 30, 9, 30}) // stairs
	f.Add([]byte{3, 3, 0, 0, 1, 0, 1, 1, 0, 0})                                // closed loop, short edges
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 400 {
			return
		}
		g, err := Build(fuzzLines(data), Options{})
		if err != nil && !errors.Is(err, ErrBadLine) {
			t.Fatalf("unexpected error %v", err)
		}
		for i := range g.NumEdges() {
			e := g.Edge(i)
			if e.From == e.To || !(e.LengthM >= dist(g.Node(e.From).P, g.Node(e.To).P)-1e-9) || math.IsInf(e.LengthM, 0) {
				t.Fatalf("bad edge %d: %+v", i, e)
			}
		}
		labels := g.ComponentLabels(Pedestrian)
		probes := [][2]float64{{0, 0}, {10, 5}, {-20, 7}, {31, -31}}
		for _, a := range probes {
			for _, b := range probes {
				checkPair(t, g, labels, a, b)
			}
		}
	})
}

func checkPair(t *testing.T, g *Graph, labels []int, a, b [2]float64) {
	sa, ok1 := g.Nearest(a, Pedestrian)
	sb, ok2 := g.Nearest(b, Pedestrian)
	if !ok1 || !ok2 {
		return
	}
	p, err := g.Shortest(sa, sb, Pedestrian)
	same := labels[g.Edge(sa.Edge).From] == labels[g.Edge(sb.Edge).From]
	if (err == nil) != same {
		t.Fatalf("path %v but same component %v", err, same)
	}
	if err != nil {
		return
	}
	checkPath(t, g, p, sa, sb)
	if p.LengthM < dist(sa.Point, sb.Point)-1e-9 {
		t.Fatalf("path %.6f shorter than the straight line %.6f", p.LengthM, dist(sa.Point, sb.Point))
	}
	back, err := g.Shortest(sb, sa, Pedestrian)
	if err != nil || math.Abs(back.LengthM-p.LengthM) > 1e-6 {
		t.Fatalf("asymmetric: %.9f there, %.9f back (%v)", p.LengthM, back.LengthM, err)
	}
}
