package bench

import (
	"context"
	"testing"
	"time"
)

func TestStoreReportsWork(t *testing.T) {
	t.Setenv(EnvPostgres, "") // SQLite only: the PostgreSQL run is the store's own tests' business
	r, err := Store(context.Background(), StoreOptions{Rows: 3000, Batch: 1000, People: 10, History: 9 * time.Hour, FixEvery: time.Minute, Queries: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Backends) != 1 {
		t.Fatalf("backends = %+v", r.Backends)
	}
	b := r.Backends[0]
	// 8 h of one fix a minute: 480 fixes (481 with both ends of the window).
	if b.Backend != "sqlite" || b.PositionsPerS <= 0 || b.ReadingsPerS <= 0 || b.HistoryRows != 10*9*60 || b.TrackFixes < 480 || b.TrackFixes > 481 || b.TrackP50Ms <= 0 {
		t.Fatalf("figures = %+v", b)
	}
}
