package alarm

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestRunRetriesFailedWritesWithoutNewAlarms(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	st := newMemStore()
	m := retrying(t, st, c, time.Millisecond, 4*time.Millisecond)

	// Without Run every step is written before its call returns.
	st.setFail(true)
	a, _, err := m.Raise(ctx, Raise{Type: GasLevel2, EntityID: "GD-1", Level: LevelHigh})
	if err == nil {
		t.Fatal("raise with the store down and no writer reported no error")
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	waitFor(t, "the writer", func() bool { m.mu.Lock(); defer m.mu.Unlock(); return m.behind })

	// With Run the rules' steps are written behind: no error, queued.
	cleared, _, err := m.Clear(ctx, a.Key, c.now().Add(time.Minute))
	if err != nil {
		t.Fatalf("clear with a writer: %v", err)
	}
	b, _, _ := m.Raise(ctx, Raise{Type: SOS, EntityID: "P-1", Level: LevelHigh})
	if n := m.Dirty(); n != 2 {
		t.Fatalf("Dirty = %d, want 2", n)
	}
	// A person's acknowledgement waits for the store: it fails when the
	// store stays down past the request's deadline …
	actx, acancel := context.WithTimeout(ctx, 20*time.Millisecond)
	if _, err := m.Ack(actx, b.ID, "张工", ""); err == nil {
		t.Fatal("ack with the store down reported success")
	}
	acancel()
	waitFor(t, "failing", m.Failing)
	st.setFail(false)
	waitFor(t, "every alarm stored", func() bool { return m.Dirty() == 0 })
	got, err := st.Alarm(ctx, a.ID)
	if err != nil || got.State != Cleared || !got.UpdatedAt.Equal(cleared.UpdatedAt) {
		t.Fatalf("stored %+v %v, want the cleared state", got, err)
	}
	// … and the acknowledgement itself stayed queued and is stored now.
	if got, err := st.Alarm(ctx, b.ID); err != nil || got.AckedBy != "张工" {
		t.Fatalf("second alarm stored as %+v, %v", got, err)
	}
	if m.Failing() {
		t.Error("still failing after every write succeeded")
	}
}

// TestAckWaitsForTheWrite: with Run writing behind, Ack returns only once
// its state is in the store.
func TestAckWaitsForTheWrite(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	st := &gateStore{memStore: newMemStore(), open: make(chan struct{})}
	close(st.open)
	m := retrying(t, st, c, time.Millisecond, time.Millisecond)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the writer", func() bool { m.mu.Lock(); defer m.mu.Unlock(); return m.behind })
	var ids []string
	for i := range 200 {
		a, _, err := m.Raise(ctx, Raise{Type: FenceIntrusion, EntityID: fmt.Sprintf("P-%d", i), Level: LevelMedium})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	waitFor(t, "the storm stored", func() bool { return m.Dirty() == 0 })
	for _, id := range ids {
		if _, err := st.Alarm(ctx, id); err != nil {
			t.Fatalf("%s not stored: %v", id, err)
		}
	}
	st.mu.Lock()
	st.open = make(chan struct{}) // writes now block until released
	st.mu.Unlock()
	acked := make(chan error, 1)
	go func() { _, err := m.Ack(ctx, ids[0], "李工", "现场确认"); acked <- err }()
	select {
	case err := <-acked:
		t.Fatalf("Ack returned (%v) before its write could happen", err)
	case <-time.After(50 * time.Millisecond):
	}
	st.mu.Lock()
	close(st.open)
	st.mu.Unlock()
	if err := <-acked; err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Alarm(ctx, ids[0]); got.AckedBy != "李工" {
		t.Fatalf("ack not in the store when Ack returned: %+v", got)
	}
}

// gateStore is a memStore with batch writes that wait for open.
type gateStore struct {
	*memStore
	open chan struct{}
}

func (g *gateStore) SaveAlarms(ctx context.Context, as []Alarm) error {
	g.mu.Lock()
	ch := g.open
	g.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	for _, a := range as {
		if err := g.memStore.SaveAlarm(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(time.Millisecond)
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
