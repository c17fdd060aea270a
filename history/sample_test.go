package history

import (
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
)

func TestKeep(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	lonM, latM := geo.MetresPerDegree(38.1)
	at := func(dx, dy float64, dt time.Duration) store.Position {
		return store.Position{EntityID: "P-1", At: t0.Add(dt), Lon: 106.6 + dx/lonM, Lat: 38.1 + dy/latM, AreaID: "A-1"}
	}
	last := at(0, 0, 0)
	def := sampling{moveM: 1, every: 10 * time.Second}
	tests := []struct {
		name string
		s    sampling
		ok   bool // a last kept fix exists
		next store.Position
		want bool
	}{
		{"first fix", def, false, at(0, 0, 2*time.Second), true},
		{"still, 2 s later", def, true, at(0, 0, 2*time.Second), false},
		{"0.9 m in 2 s", def, true, at(0.9, 0, 2*time.Second), false},
		{"0.7 m diagonal", def, true, at(0.5, 0.5, 2*time.Second), false},
		{"1.1 m in 2 s", def, true, at(1.1, 0, 2*time.Second), true},
		{"0.8+0.8 m diagonal", def, true, at(0.8, 0.8, 2*time.Second), true},
		{"still, 9.999 s later", def, true, at(0, 0, 9999*time.Millisecond), false},
		{"still, 10 s later", def, true, at(0, 0, 10*time.Second), true},
		{"floor change in place", def, true, func() store.Position { p := at(0, 0, time.Second); p.Floor = 2; return p }(), true},
		{"area change in place", def, true, func() store.Position { p := at(0.2, 0, time.Second); p.AreaID = "A-2"; return p }(), true},
		{"5 m threshold, 4 m", sampling{moveM: 5, every: time.Minute}, true, at(4, 0, 30*time.Second), false},
		{"5 m threshold, 6 m", sampling{moveM: 5, every: time.Minute}, true, at(6, 0, 30*time.Second), true},
		{"negative distance keeps all", sampling{moveM: -1, every: 10 * time.Second}, true, at(0, 0, time.Second), true},
		{"negative period keeps all", sampling{moveM: 1, every: -1}, true, at(0, 0, time.Second), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.keep(last, tc.ok, tc.next); got != tc.want {
				t.Fatalf("keep = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadingOf(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		e     *twin.Entity
		want  store.Reading
		found bool
	}{
		{"reading", &twin.Entity{ID: "GD-1", Reported: t0, State: map[string]any{"value": 12.5, "unit": "%LEL", "fault": false}},
			store.Reading{DetectorID: "GD-1", At: t0, Value: 12.5, Unit: "%LEL"}, true},
		{"fault", &twin.Entity{ID: "GD-1", Reported: t0, State: map[string]any{"value": 0.0, "unit": "ppm", "fault": true}},
			store.Reading{DetectorID: "GD-1", At: t0, Unit: "ppm", Fault: true}, true},
		{"no value", &twin.Entity{ID: "GD-1", Reported: t0, State: map[string]any{"state": "normal"}}, store.Reading{}, false},
		{"never reported", &twin.Entity{ID: "GD-1", State: map[string]any{"value": 1.0}}, store.Reading{}, false},
		{"nil", nil, store.Reading{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := readingOf(tc.e)
			if ok != tc.found || got != tc.want {
				t.Fatalf("readingOf = %+v, %v; want %+v, %v", got, ok, tc.want, tc.found)
			}
		})
	}
}

func TestDetectorIsNew(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	last := detector{at: t0, value: 3, unit: "%LEL"}
	tests := []struct {
		name string
		rd   store.Reading
		want bool
	}{
		{"same reading (a state-only upsert)", store.Reading{At: t0, Value: 3, Unit: "%LEL"}, false},
		{"later, same value", store.Reading{At: t0.Add(time.Second), Value: 3, Unit: "%LEL"}, true},
		{"same instant, other value", store.Reading{At: t0, Value: 4, Unit: "%LEL"}, true},
		{"same instant, fault", store.Reading{At: t0, Value: 3, Unit: "%LEL", Fault: true}, true},
		{"older", store.Reading{At: t0.Add(-time.Second), Value: 5, Unit: "%LEL"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := last.isNew(tc.rd); got != tc.want {
				t.Fatalf("isNew = %v, want %v", got, tc.want)
			}
		})
	}
}
