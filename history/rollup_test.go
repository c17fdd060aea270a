package history

import (
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

func TestAggregator(t *testing.T) {
	m0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	rd := func(id string, at time.Duration, v float64, unit string) store.Reading {
		return store.Reading{DetectorID: id, At: m0.Add(at), Value: v, Unit: unit}
	}
	roll := func(id string, minute int, lo, hi, sum float64, n int, unit string) store.Rollup {
		return store.Rollup{DetectorID: id, Minute: m0.Add(time.Duration(minute) * time.Minute), Min: lo, Max: hi, Sum: sum, N: n, Unit: unit}
	}
	type step struct {
		add     *store.Reading
		closeAt time.Duration // closeBefore(m0+closeAt) when add is nil and closeAt > 0
		all     bool          // closeAll
	}
	add := func(r store.Reading) step { return step{add: &r} }
	tests := []struct {
		name  string
		steps []step
		want  []store.Rollup
	}{
		{"one minute closed by the next minute's reading", []step{
			add(rd("GD-1", 1*time.Second, 3, "%LEL")), add(rd("GD-1", 20*time.Second, 7, "%LEL")),
			add(rd("GD-1", 59999*time.Millisecond, 5, "%LEL")), add(rd("GD-1", 61*time.Second, 1, "%LEL")),
		}, []store.Rollup{roll("GD-1", 0, 3, 7, 15, 3, "%LEL")}},
		{"clock closes a minute after its end", []step{
			add(rd("GD-1", 10*time.Second, 2, "ppm")), {closeAt: 59 * time.Second}, {closeAt: 60 * time.Second},
		}, []store.Rollup{roll("GD-1", 0, 2, 2, 2, 1, "ppm")}},
		{"late reading emitted alone, open minute kept", []step{
			add(rd("GD-1", 70*time.Second, 4, "ppm")), add(rd("GD-1", 30*time.Second, 9, "ppm")),
			add(rd("GD-1", 80*time.Second, 6, "ppm")), {all: true},
		}, []store.Rollup{roll("GD-1", 0, 9, 9, 9, 1, "ppm"), roll("GD-1", 1, 4, 6, 10, 2, "ppm")}},
		{"unit change splits the minute", []step{
			add(rd("GD-1", 1*time.Second, 10, "ppm")), add(rd("GD-1", 2*time.Second, 12, "mg/m3")), {all: true},
		}, []store.Rollup{roll("GD-1", 0, 10, 10, 10, 1, "ppm"), roll("GD-1", 0, 12, 12, 12, 1, "mg/m3")}},
		{"detectors are independent", []step{
			add(rd("GD-1", 1*time.Second, 1, "%LEL")), add(rd("GD-2", 2*time.Second, -0.5, "%LEL")),
			add(rd("GD-2", 3*time.Second, 0.5, "%LEL")), add(rd("GD-1", 2*time.Minute, 1, "%LEL")), {closeAt: 61 * time.Second},
		}, []store.Rollup{roll("GD-1", 0, 1, 1, 1, 1, "%LEL"), roll("GD-2", 0, -0.5, 0.5, 0, 2, "%LEL")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAggregator()
			var got []store.Rollup
			emit := func(r store.Rollup) { got = append(got, r) }
			for _, s := range tc.steps {
				switch {
				case s.add != nil:
					a.add(*s.add, emit)
				case s.all:
					a.closeAll(emit)
				default:
					a.closeBefore(m0.Add(s.closeAt), emit)
				}
			}
			sortRollups(got)
			sortRollups(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("rollups\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func sortRollups(rs []store.Rollup) {
	slices.SortStableFunc(rs, func(a, b store.Rollup) int {
		if a.DetectorID != b.DetectorID {
			if a.DetectorID < b.DetectorID {
				return -1
			}
			return 1
		}
		return a.Minute.Compare(b.Minute)
	})
}

func TestRing(t *testing.T) {
	r := newRing[int](100)
	dropped := 0
	for i := range 250 {
		if r.push(i) {
			dropped++
		}
	}
	if dropped != 150 || r.len() != 100 {
		t.Fatalf("dropped %d, len %d; want 150, 100", dropped, r.len())
	}
	got := r.take(nil, 30)
	if want := seq(150, 180); !slices.Equal(got, want) {
		t.Fatalf("take 30 = %v, want %v", got, want)
	}
	for i := 250; i < 270; i++ { // wraps around the end of the storage
		r.push(i)
	}
	got = r.take(got, 1000)
	if want := seq(180, 270); !slices.Equal(got, want) {
		t.Fatalf("take all = %v, want %v", got, want)
	}
	if r.len() != 0 || len(r.take(nil, 10)) != 0 {
		t.Fatal("ring not empty after taking everything")
	}
}

func TestRingGrowsInOrder(t *testing.T) {
	r := newRing[int](1000)
	for i := range 50 {
		r.push(i)
	}
	r.take(nil, 40) // head moves forward, rows wrap when the storage grows
	for i := 50; i < 700; i++ {
		r.push(i)
	}
	if got, want := r.take(nil, 1000), seq(40, 700); !slices.Equal(got, want) {
		t.Fatalf("rows out of order after growth: %v…", got[:10])
	}
}

func seq(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}
