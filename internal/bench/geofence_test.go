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

// TestGeofenceE2ESmall runs both end-to-end workloads at a small size: the
// pipeline (MQTT, ingest, twin, fence service, alarm manager on SQLite,
// /ws) must carry every fix to the engine and alarm frames to the client.
func TestGeofenceE2ESmall(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end benchmark run")
	}
	r, err := GeofenceE2E(context.Background(), GeofenceOptions{Tags: 300, Fences: 70, RefIDs: 300, RefUpdates: 10, RefFences: 40})
	if err != nil {
		t.Fatal(err)
	}
	if r.E2EUpdates != 3000 || r.RefE2EUpdates != 3000 || r.E2EUpdatesPerS <= 0 || r.RefE2EUpdatesPerS <= 0 {
		t.Fatalf("figures %+v", r)
	}
	if r.RefE2EAlarms == 0 || r.AlarmLatencyP99Ms <= 0 {
		t.Fatalf("no fence alarm reached the websocket client: %+v", r)
	}
	if r.MQTTRelayMsgsPerS <= 0 {
		t.Fatalf("no MQTT relay figure: %+v", r)
	}
}
