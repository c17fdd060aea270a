package bench

import (
	"context"
	"testing"
)

// TestPermitsSmall runs the permit benchmark at a small size: every figure
// measured, and the watch loaded every permit (each has a live view).
func TestPermitsSmall(t *testing.T) {
	r, err := Permits(context.Background(), PermitsOptions{Permits: 20, People: 100, Detectors: 30, PlantM: 300, Rounds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Permits != 20 || r.People != 140 || r.WatchP50MS <= 0 || r.WatchP99MS < r.WatchP50MS || r.LiveP50US <= 0 {
		t.Fatalf("figures %+v", r)
	}
	t.Logf("%+v", r)
}

// BenchmarkPermitWatch is one watch round over the default busy day.
func BenchmarkPermitWatch(b *testing.B) {
	for b.Loop() {
		r, err := Permits(context.Background(), PermitsOptions{Rounds: 20})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.WatchP50MS, "watch_ms")
		b.ReportMetric(r.LiveP50US, "live_us")
	}
}
