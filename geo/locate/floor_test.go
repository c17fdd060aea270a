package locate

import (
	"math"
	"testing"
)

func TestVote(t *testing.T) {
	m := NewPathLoss(2.2, 4)
	h := func(rssi float64, bld int32, floor int) heard {
		return heard{rssi: rssi, rssi1m: -59, bld: bld, floor: floor}
	}
	cases := []struct {
		name string
		hs   []heard // strongest first
		want place
	}{
		{"all on floor 3", []heard{h(-62, 0, 3), h(-66, 0, 3), h(-70, 0, 2)}, place{0, 3}},
		{"two weaker beacons outweigh none", []heard{h(-64, 0, 2), h(-65, 0, 2), h(-63, 0, 3)}, place{0, 2}},
		{"strongest dominates by power", []heard{h(-60, 0, 1), h(-75, 0, 2), h(-76, 0, 2), h(-77, 0, 2)}, place{0, 1}},
		{"outdoor beacons vote outdoors", []heard{h(-61, -1, 0), h(-70, 0, 1), h(-71, -1, 0)}, outdoors},
		{"only the six strongest vote", []heard{h(-60, -1, 0), h(-60, -1, 0), h(-60, -1, 0), h(-60, -1, 0), h(-60, -1, 0), h(-60, -1, 0), h(-60, 0, 2), h(-60, 0, 2), h(-60, 0, 2), h(-60, 0, 2), h(-60, 0, 2), h(-60, 0, 2), h(-60, 0, 2)}, outdoors},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := vote(c.hs, m); got != c.want {
				t.Errorf("vote = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestFloorHysteresis(t *testing.T) {
	nan := math.NaN()
	type step struct{ below, here, above float64 }
	cases := []struct {
		name  string
		steps []step
		want  []int
	}{
		{"one strong report is not enough", []step{{10, 10, 6}}, []int{0}},
		{"consecutive evidence moves up", []step{{10, 10, 7.5}, {10, 10, 7.5}}, []int{0, 1}},
		{"evidence for here resets it", []step{{10, 10, 7}, {10, 5, 9}, {10, 10, 7}}, []int{0, 0, 0}},
		{"down", []step{{7, 10, 12}, {6, 10, 12}}, []int{0, -1}},
		{"no floor below (NaN) never moves down", []step{{nan, 10, 12}, {nan, 10, 12}, {nan, 10, 12}}, []int{0, 0, 0}},
		{"a move resets the statistics", []step{{10, 10, 5}, {10, 10, 9}}, []int{1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ft floorTrack
			for i, s := range c.steps {
				if got := ft.step(s.below, s.here, s.above); got != c.want[i] {
					t.Fatalf("step %d: move %d, want %d (state %+v)", i, got, c.want[i], ft)
				}
			}
		})
	}
}

// TestFloorChange holds a tag on floor 2 of the test building, then on
// floor 3 right above: the floor must be right nearly always while standing
// and follow the change within a few reports.
func TestFloorChange(t *testing.T) {
	p := newTestPlant(t)
	s := newSolver(t, p.m, Options{})
	ch := newChannel(p.m, 7, 4)
	xy := [2]float64{24, 30} // on the corridor
	wrong, k := 0, 0
	for ; k < 150; k++ {
		f, err := s.RSSI("T", ts(float64(k)*2), ch.report(xy, tagZ(2)))
		if err != nil {
			t.Fatal(err)
		}
		if f.Floor != 2 || f.Building != "B" {
			wrong++
		}
	}
	if wrong > 5 {
		t.Errorf("floor wrong in %d of 150 reports on floor 2", wrong)
	}
	moved := -1
	for i := range 30 {
		f, err := s.RSSI("T", ts(float64(k+i)*2), ch.report(xy, tagZ(3)))
		if err != nil {
			t.Fatal(err)
		}
		if f.Floor == 3 && moved < 0 {
			moved = i
		}
	}
	if moved < 0 || moved > 5 {
		t.Errorf("floor 3 after %d reports", moved)
	}
}
