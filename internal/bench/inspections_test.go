package bench

import (
	"context"
	"testing"
)

// TestInspectionsSmall runs the inspection benchmark small: every figure
// measured, and an hourly two-shift plan has 24 windows a day.
func TestInspectionsSmall(t *testing.T) {
	r, err := Inspections(context.Background(), InspectionsOptions{Points: 50, People: 100, Fixes: 20_000, Plans: 4})
	if err != nil {
		t.Fatal(err)
	}
	if r.DwellFixesPerS <= 0 || r.VerifyUS <= 0 || r.WindowsMS < 0 || r.Windows < 4*6 {
		t.Fatalf("figures %+v", r)
	}
	t.Logf("%+v", r)
}

// BenchmarkInspections runs the default benchmark once per iteration.
func BenchmarkInspections(b *testing.B) {
	for b.Loop() {
		r, err := Inspections(context.Background(), InspectionsOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.DwellFixesPerS, "fixes/s")
		b.ReportMetric(r.VerifyUS, "verify_us")
	}
}
