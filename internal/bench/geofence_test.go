package bench

import (
	"context"
	"testing"
	"time"
)

// TestGeofenceSmall runs a small geofence benchmark and checks that the
// workload exercised every rule and the reference workload saw events.
func TestGeofenceSmall(t *testing.T) {
	r, err := Geofence(context.Background(), GeofenceOptions{Tags: 2000, Fences: 140, Duration: 300 * time.Millisecond,
		RefIDs: 500, RefUpdates: 20, RefFences: 50, RefRounds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Updates == 0 || r.UpdatesPerS <= 0 || r.RefUpdates != 10000 || r.RefUpdatesPerS <= 0 || r.RefEvents == 0 {
		t.Fatalf("result %+v", r)
	}
	if len(r.FencesByRule) != 7 || r.MovingFences == 0 {
		t.Fatalf("fences by rule %v, moving %d", r.FencesByRule, r.MovingFences)
	}
	if r.AlarmsByType["fence_intrusion"] == 0 || r.Transitions == 0 {
		t.Fatalf("alarms %v", r.AlarmsByType)
	}
	t.Logf("%+v", r)
}

// BenchmarkGeofence runs the full in-process workload (10k tags, 500 fences
// and the reference workload) once per iteration and reports its figures.
func BenchmarkGeofence(b *testing.B) {
	for b.Loop() {
		r, err := Geofence(context.Background(), GeofenceOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.UpdatesPerS, "updates/s")
		b.ReportMetric(r.RefUpdatesPerS, "ref_updates/s")
		b.ReportMetric(float64(r.Transitions), "transitions")
	}
}
