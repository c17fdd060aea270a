package locate

import (
	"fmt"
	"testing"
)

// BenchmarkRSSI solves one report (least squares, floor, filter, map
// constraint) of 200 tags walking along the outdoor walkway and inside
// building B in turn; `chemtwin bench positioning` reports the same path
// on the demo plant as fixes_per_s.
func BenchmarkRSSI(b *testing.B) {
	p := newTestPlant(b)
	s := newSolver(b, p.m, Options{})
	ch := newChannel(p.m, 1, 4)
	const tags = 200
	reports := make([][]Obs, 64)
	xys := make([][2]float64, len(reports))
	for i := range reports {
		if i%2 == 0 {
			xys[i] = [2]float64{-80 + float64(i)*4, 0}
			reports[i] = ch.report(xys[i], DefaultTagHeightM)
		} else {
			xys[i] = [2]float64{4 + float64(i%56), 30}
			reports[i] = ch.report(xys[i], tagZ(2))
		}
	}
	names := make([]string, tags)
	for i := range names {
		names[i] = fmt.Sprintf("T%03d", i)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		tag := n % tags
		if _, err := s.RSSI(names[tag], ts(float64(n/tags)*2), reports[(tag+n/tags)%len(reports)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
}
