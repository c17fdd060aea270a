package bench

import (
	"testing"
	"time"
)

func TestIndexReportsWork(t *testing.T) {
	r, err := Index(IndexOptions{Tags: 500, Fences: 50, Duration: 50 * time.Millisecond, Batch: 64})
	if err != nil {
		t.Fatal(err)
	}
	if r.UpdatesPerS <= 0 || r.FenceQueriesPerS <= 0 || r.NearestQueriesPerS <= 0 || r.AvgFencesPerQuery <= 0 {
		t.Fatalf("figures = %+v", r)
	}
}
