package bench

import (
	"context"
	"testing"
)

// TestPlumeSmall runs the plume benchmark at a small size and checks that
// every figure was measured.
func TestPlumeSmall(t *testing.T) {
	r, err := Plume(context.Background(), PlumeOptions{DomainM: 500, CellM: 10, Candidates: 10, Detectors: 40,
		GridStepM: 20, PointsColumns: 100, PointsRows: 100, Rounds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.ZonesMS <= 0 || r.InversionMS <= 0 || r.PointsPerS <= 0 {
		t.Fatalf("figures %+v", r)
	}
	if r.Cells != 2500 || r.Points != 10000 || r.Candidates != 10 || r.Detectors != 40 || r.GridCandidates == 0 {
		t.Fatalf("sizes %+v", r)
	}
	if len(r.ZoneFarM) != 3 || !(r.ZoneFarM[0] < r.ZoneFarM[1] && r.ZoneFarM[1] < r.ZoneFarM[2]) {
		t.Fatalf("zones red/orange/yellow %v", r.ZoneFarM)
	}
	if r.Detected == 0 || !(r.InversionRateRatio > 0) || !(r.InversionConfidence > 0 && r.InversionConfidence <= 1) {
		t.Fatalf("inversion %+v", r)
	}
	t.Logf("%+v", r)
}

// BenchmarkPlume runs the full benchmark (defaults) once per iteration.
func BenchmarkPlume(b *testing.B) {
	for b.Loop() {
		r, err := Plume(context.Background(), PlumeOptions{Rounds: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.ZonesMS, "zones_ms")
		b.ReportMetric(r.InversionMS, "inversion_ms")
		b.ReportMetric(r.PointsPerS, "points/s")
	}
}
