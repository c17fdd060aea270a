package plume

import (
	"math"
	"testing"
)

var exp = math.Exp

var sinkF float64

// BenchmarkPlumePoint is one full point evaluation: σ at x plus the
// concentration, as the CLI's "plume point" does it.
func BenchmarkPlumePoint(b *testing.B) {
	p := Plume{RateGS: 80, WindMS: 6, HeightM: 60, Stability: D}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s, err := p.Concentration(500+float64(i&1023), 10, 1.5)
		if err != nil {
			b.Fatal(err)
		}
		sinkF += s.ConcentrationGM3
	}
}

// BenchmarkSectionAt is one receptor on a precomputed cross-section, the
// inner loop of a zone grid (many y, z at one x).
func BenchmarkSectionAt(b *testing.B) {
	s, err := Plume{RateGS: 80, WindMS: 6, HeightM: 60, Stability: D}.Section(500)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sinkF += s.At(float64(i&255), 1.5)
	}
}

// BenchmarkSectionVertical is one ground-level receptor with the vertical
// factor hoisted out of the row: one exponential per point.
func BenchmarkSectionVertical(b *testing.B) {
	s, err := Plume{RateGS: 80, WindMS: 6, HeightM: 60, Stability: D}.Section(500)
	if err != nil {
		b.Fatal(err)
	}
	v, k := s.Vertical(0), -1/(2*s.SigmaYM*s.SigmaYM)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		y := float64(i & 255)
		sinkF += v * exp(k*y*y)
	}
}

func BenchmarkZoneDistance(b *testing.B) {
	p := Plume{RateGS: 1000, WindMS: 3, Stability: D}
	b.ReportAllocs()
	for b.Loop() {
		z, err := p.Zone(0.01)
		if err != nil {
			b.Fatal(err)
		}
		sinkF += z.FarM
	}
}
