package locate

import (
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

var (
	fuzzOnce  sync.Once
	fuzzPlant *testPlant
)

// FuzzSolveRSSI feeds arbitrary reports (and position fixes) to a solver
// on the test plant: every outcome is a finite fix on the map or one of the
// package's errors, never a panic.
func FuzzSolveRSSI(f *testing.F) {
	f.Add("T-1", int64(1_750_000_000_000), "BC-001,BC-002,BC-003", -62.0, -75.0, -81.0, 106.6, 38.1, 0, 3.0)
	f.Add("T-2", int64(0), "BC-040,BC-041,BC-042,BC-043,BC-044", -60.0, -60.0, -60.0, 106.6005, 38.1003, 2, 0.3)
	f.Add("T-3", int64(-5), "X,Y,,BC-001", math.NaN(), -70.0, 5.0, math.NaN(), 38.1, 0, 1.0)
	f.Add("", int64(1), "BC-001", math.Inf(1), -200.0, 0.0, 200.0, 95.0, -1000, -3.0)
	f.Add("T-4", int64(math.MaxInt64), "BC-001,BC-001,BC-001", -150.0, 20.0, -119.5, 106.6, 38.1, 999, 1e-9)
	f.Fuzz(func(t *testing.T, tag string, ms int64, ids string, r1, r2, r3, lon, lat float64, floor int, sigma float64) {
		fuzzOnce.Do(func() { fuzzPlant = newTestPlant(t) })
		s, err := NewSolver(fuzzPlant.m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var obs []Obs
		rs := []float64{r1, r2, r3}
		for i, id := range strings.Split(ids, ",") {
			obs = append(obs, Obs{ID: id, RSSI: rs[i%3]})
		}
		at := time.UnixMilli(ms)
		fix, err := s.RSSI(tag, at, obs)
		checkOutcome(t, fix, err)
		if err == nil {
			if _, err := s.RSSI(tag, at, obs); !errors.Is(err, ErrOutOfOrder) {
				t.Fatalf("replay: %v", err)
			}
			fix, err = s.RSSI(tag, at.Add(2*time.Second), obs)
			checkOutcome(t, fix, err)
		}
		fix, err = s.Position(tag, at.Add(4*time.Second), orb.Point{lon, lat}, floor, sigma)
		checkOutcome(t, fix, err)
	})
}

func checkOutcome(t *testing.T, f Fix, err error) {
	t.Helper()
	if err != nil {
		for _, e := range []error{ErrNoBeacons, ErrBadReport, ErrBadPosition, ErrOutOfOrder} {
			if errors.Is(err, e) {
				return
			}
		}
		t.Fatalf("unexpected error %v", err)
	}
	if !finite(f.XY[0]) || !finite(f.XY[1]) || !finite(f.Z) || !finite(f.SpeedMS) || !finite(f.AccuracyM) ||
		!geo.ValidLonLat(f.Point) || f.Beacons > DefaultMaxBeacons || f.Floor < -MaxFloor || f.Floor > MaxFloor {
		t.Fatalf("bad fix %+v", f)
	}
}
