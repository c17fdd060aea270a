package rules_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/rules"
)

// noisyReadings is a second-by-second combustible signal about 5 %LEL.
func noisyReadings(n int) []rules.Reading {
	r := rand.New(rand.NewPCG(1, 2))
	rs := make([]rules.Reading, n)
	for i := range rs {
		rs[i] = rules.Reading{At: t0.Add(time.Duration(i) * time.Second), Value: 5 + r.NormFloat64()}
	}
	return rs
}

func TestStepDetectorAllocationFree(t *testing.T) {
	rs := noisyReadings(1000)
	var d rules.Detector
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		d, _ = rules.StepDetector(d, rs[i%len(rs)], lel, rules.DetectorConfig{})
		i++
	})
	if allocs != 0 {
		t.Fatalf("StepDetector allocates %.1f times a reading", allocs)
	}
}

// BenchmarkStepDetector is the per-reading cost of the detector state
// machine: levels, over-range, stuck and drift.
func BenchmarkStepDetector(b *testing.B) {
	rs := noisyReadings(1 << 16)
	var d rules.Detector
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := rs[i&(len(rs)-1)]
		r.At = t0.Add(time.Duration(i) * time.Second)
		d, _ = rules.StepDetector(d, r, lel, rules.DetectorConfig{})
		i++
	}
}
