package alarm

import (
	"context"
	"testing"
	"time"
)

func TestRunRetriesFailedWritesWithoutNewAlarms(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	st := newMemStore()
	m := retrying(t, st, c, time.Millisecond, 4*time.Millisecond)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	st.setFail(true)
	a, _, err := m.Raise(ctx, Raise{Type: GasLevel2, EntityID: "GD-1", Level: LevelHigh})
	if err == nil {
		t.Fatal("raise with the store down reported no error")
	}
	cleared, _, _ := m.Clear(ctx, a.Key, c.now().Add(time.Minute)) // also fails: the newer state is pending
	b, _, _ := m.Raise(ctx, Raise{Type: SOS, EntityID: "P-1", Level: LevelHigh})
	if n := m.Dirty(); n != 2 {
		t.Fatalf("Dirty = %d, want 2", n)
	}
	time.Sleep(10 * time.Millisecond) // some retries fail while the store is down
	st.setFail(false)
	deadline := time.Now().Add(10 * time.Second)
	for m.Dirty() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d alarms still not stored", m.Dirty())
		}
		time.Sleep(time.Millisecond)
	}
	got, err := st.Alarm(ctx, a.ID)
	if err != nil || got.State != Cleared || !got.UpdatedAt.Equal(cleared.UpdatedAt) {
		t.Fatalf("stored %+v %v, want the cleared state", got, err)
	}
	if _, err := st.Alarm(ctx, b.ID); err != nil {
		t.Fatalf("second alarm not stored: %v", err)
	}
}

func TestRunFlushesAtShutdown(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	st := newMemStore()
	m := retrying(t, st, c, time.Hour, time.Hour) // no retry before shutdown
	st.setFail(true)
	a, _, _ := m.Raise(ctx, Raise{Type: SOS, EntityID: "P-1", Level: LevelHigh})
	st.setFail(false)
	runCtx, cancel := context.WithCancel(ctx)
	cancel()
	if err := m.Run(runCtx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Alarm(ctx, a.ID); err != nil || m.Dirty() != 0 {
		t.Fatalf("alarm not stored at shutdown: %v (dirty %d)", err, m.Dirty())
	}
}

func retrying(t *testing.T, st Store, c *clock, lo, hi time.Duration) *Manager {
	t.Helper()
	m, err := NewManager(context.Background(), Options{Store: st, Clock: c.now, RetryMin: lo, RetryMax: hi})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (s *memStore) setFail(fail bool) {
	s.mu.Lock()
	s.fail = fail
	s.mu.Unlock()
}

func TestAnnotate(t *testing.T) {
	m, err := NewManager(context.Background(), Options{Store: newMemStore(), Annotate: func(r *Raise) {
		if r.Lon != 0 {
			r.Details["cameras"] = []string{"CAM-1"}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	details := map[string]any{"tag": "T1"}
	a, _, err := m.Raise(context.Background(), Raise{Type: SOS, EntityID: "P1", Lon: 106.6, Lat: 38.1, Details: details})
	if err != nil {
		t.Fatal(err)
	}
	if cams, _ := a.Details["cameras"].([]string); len(cams) != 1 || a.Details["tag"] != "T1" {
		t.Fatalf("annotated details %v", a.Details)
	}
	if _, leaked := details["cameras"]; leaked {
		t.Fatal("Annotate wrote into the caller's map")
	}
}
