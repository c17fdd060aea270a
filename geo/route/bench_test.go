package route

import (
	"fmt"
	"math"
	"testing"
)

// gridLines draws a street grid of n × n lines, 20 m apart, each line a
// polyline with a vertex every 10 m and a little wobble, crossing the others
// between vertices so that every crossing has to be noded: 2·n·(2n−2)
// segments and n² crossings.
func gridLines(n int) []Line {
	var lines []Line
	span := float64(n-1) * 20
	for i := range n {
		var h, v [][2]float64
		for k := 0; k <= 2*(n-1); k++ {
			s := float64(k)*10 + 5*boolf(k > 0 && k < 2*(n-1))
			s = math.Min(s, span)
			w := 0.2 * math.Sin(float64(i*k))
			h = append(h, [2]float64{s, float64(i)*20 + w})
			v = append(v, [2]float64{float64(i)*20 + w, s})
		}
		lines = append(lines,
			Line{ID: fmt.Sprintf("h%d", i), Points: h, Vehicle: true, Pedestrian: true},
			Line{ID: fmt.Sprintf("v%d", i), Points: v, Vehicle: true, Pedestrian: true, Oneway: i%3 == 0},
		)
	}
	return lines
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func BenchmarkBuild(b *testing.B) {
	lines := gridLines(40) // 6,240 segments, 1,600 crossings
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(lines, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkShortest(b *testing.B) {
	g, err := Build(gridLines(40), Options{})
	if err != nil {
		b.Fatal(err)
	}
	from, _ := g.Nearest([2]float64{3, 1}, Vehicle)
	to, _ := g.Nearest([2]float64{777, 779}, Vehicle)
	b.ReportAllocs()
	b.ReportMetric(float64(g.NumEdges()), "edges")
	for b.Loop() {
		if _, err := g.Shortest(from, to, Vehicle); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNearest(b *testing.B) {
	g, err := Build(gridLines(40), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		g.Nearest([2]float64{float64(i % 780), float64(i * 7 % 780)}, Pedestrian)
	}
}

func TestGridIsNoded(t *testing.T) {
	g, err := Build(gridLines(10), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := g.Components(Pedestrian); len(c) != 1 {
		t.Fatalf("%d components", len(c))
	}
	crossings := 0
	for i := range g.NumNodes() {
		if g.Degree(i) == 4 {
			crossings++
		}
	}
	if crossings != 8*8 { // the inner crossings; the border ones are tees and corners
		t.Errorf("%d four-way nodes, want 64", crossings)
	}
}
