package bench

import (
	"context"
	"testing"
)

// TestEvacuationSmall runs the evacuation benchmark small: every figure
// measured, most people routed.
func TestEvacuationSmall(t *testing.T) {
	r, err := Evacuation(context.Background(), EvacuationOptions{Streets: 30, People: 500, Runs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Edges == 0 || r.People != 500 || r.PlanMS <= 0 || r.ReplanMS <= 0 || r.Routed < 250 || r.Searches < 1 {
		t.Fatalf("figures %+v", r)
	}
	t.Logf("%+v", r)
}

// BenchmarkEvacuation runs the default benchmark (10,000 people on a
// 100,000-edge network) once per iteration.
func BenchmarkEvacuation(b *testing.B) {
	for b.Loop() {
		r, err := Evacuation(context.Background(), EvacuationOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.PlanMS, "plan_ms")
		b.ReportMetric(r.ReplanMS, "replan_ms")
	}
}
