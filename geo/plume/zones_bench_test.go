package plume

import "testing"

// BenchmarkZonesGrid is the zones_ms figure: the field on 2 km × 2 km at 5 m
// (160,000 cells) and three zones with their confidence lines.
func BenchmarkZonesGrid(b *testing.B) {
	o := ZoneOptions{Plume: Plume{RateGS: 1000, WindMS: 3, Stability: D}, WindFromDeg: 225, LOCGM3: zoneLOCs}
	b.ReportAllocs()
	for b.Loop() {
		z, err := ThreatZones(o)
		if err != nil {
			b.Fatal(err)
		}
		sinkF += z.Field[0]
	}
	b.ReportMetric(float64(DefaultGrid().NX*DefaultGrid().NY), "cells")
}

// BenchmarkPoints is the points_per_s figure: a wind-aligned receptor grid
// (1,000 downwind columns × 1,000 crosswind rows at 2 m), one Section per
// column and one exponential per point (Section.Row).
func BenchmarkPoints(b *testing.B) {
	const cols, rows, step = 1000, 1000, 2.0
	p := Plume{RateGS: 1000, WindMS: 3, Stability: D}
	row := make([]float64, rows)
	b.ReportAllocs()
	for b.Loop() {
		for i := range cols {
			s, err := p.Section(step * float64(i+1))
			if err != nil {
				b.Fatal(err)
			}
			s.Row(row, -step*rows/2, step, 0)
			sinkF += row[rows/2]
		}
	}
	b.ReportMetric(float64(cols*rows)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
