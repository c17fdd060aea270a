package history

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/chemtwin/chemtwin/store"
)

func TestRetentionPurgesByAgePerKind(t *testing.T) {
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	fs := newFakeStore()
	fs.positions = []store.Position{{EntityID: "P-1", At: now.Add(-401 * day)}, {EntityID: "P-1", At: now.Add(-399 * day)}}
	fs.readings = []store.Reading{{DetectorID: "GD-1", At: now.Add(-500 * day)}, {DetectorID: "GD-1", At: now.Add(-1 * day)}}
	fs.rollups = []store.Rollup{{DetectorID: "GD-1", Minute: now.Add(-1100 * day)}, {DetectorID: "GD-1", Minute: now.Add(-1000 * day)}}
	r, err := NewRetention(RetentionOptions{Store: fs, Clock: func() time.Time { return now }, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.PurgeAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{store.KindPositions: 1, store.KindReadings: 1, store.KindRollups: 1}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: purged %d, want %d", k, got[k], n)
		}
	}
	cutoffs := map[string]time.Time{}
	for _, c := range fs.purges {
		cutoffs[c.kind] = c.before
	}
	for kind, keep := range map[string]time.Duration{store.KindPositions: 400 * day, store.KindReadings: 400 * day, store.KindRollups: 3 * 365 * day} {
		if !cutoffs[kind].Equal(now.Add(-keep)) {
			t.Errorf("%s purged before %v, want %v", kind, cutoffs[kind], now.Add(-keep))
		}
	}
	if testutil.ToFloat64(r.purged.WithLabelValues(store.KindPositions)) != 1 {
		t.Error("purged rows not counted")
	}
}

func TestRetentionKeepsForeverAndCountsErrors(t *testing.T) {
	fs := newFakeStore()
	fs.purgeErr = map[string]error{store.KindReadings: errDown}
	r, err := NewRetention(RetentionOptions{Store: fs, Positions: -1, Rollups: time.Hour, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.PurgeAll(context.Background())
	if !errors.Is(err, errDown) {
		t.Fatalf("err = %v, want the readings failure", err)
	}
	var kinds []string
	for _, c := range fs.purges {
		kinds = append(kinds, c.kind)
	}
	if len(kinds) != 2 || kinds[0] != store.KindReadings || kinds[1] != store.KindRollups {
		t.Fatalf("purged kinds %v, want readings then rollups (positions kept forever)", kinds)
	}
	if testutil.ToFloat64(r.errs.WithLabelValues(store.KindReadings)) != 1 {
		t.Error("purge error not counted")
	}
}

func TestRetentionRunPurgesAtStartAndStops(t *testing.T) {
	fs := newFakeStore()
	r, err := NewRetention(RetentionOptions{Store: fs, Every: time.Millisecond, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	eventually(t, "two rounds", func() bool { fs.mu.Lock(); defer fs.mu.Unlock(); return len(fs.purges) >= 6 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := NewRetention(RetentionOptions{}); !errors.Is(err, ErrOptions) {
		t.Fatalf("NewRetention without a store: %v", err)
	}
}
