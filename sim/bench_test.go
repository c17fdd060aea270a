package sim

import (
	"testing"
	"time"
)

// BenchmarkStep steps a plant of 300 people, 10 vehicles and 150 gas
// detectors by Run's 200 ms tick: one op is one tick (about 30 positions
// and 30 readings).
func BenchmarkStep(b *testing.B) {
	sim := newTestSim(b, testPlant{people: 300, vehicles: 10, detectors: 150}, Options{Seed: 1, Episodes: true})
	at := testStart
	for range 300 { // a minute in, past the start-up
		at = at.Add(200 * time.Millisecond)
		sim.Step(at)
	}
	msgs := 0
	b.ReportAllocs()
	for b.Loop() {
		at = at.Add(200 * time.Millisecond)
		msgs += len(sim.Step(at))
	}
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/op")
}
