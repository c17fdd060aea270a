package alarm

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestClose(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &clock{t0}
	st := newMemStore()
	m, evs := newManager(t, st, c)
	a, _, _ := m.Raise(ctx, Raise{Type: Gathering, EntityID: "G-1", Level: LevelMedium, Details: map[string]any{"count": 5}})

	if _, err := m.Close(ctx, a.ID, "", "dispersed"); !errors.Is(err, ErrState) {
		t.Fatalf("nameless close err = %v", err)
	}
	if _, err := m.Close(ctx, "AL-nope", "safety", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown id err = %v", err)
	}
	c.t = t0.Add(2 * time.Minute)
	closed, err := m.Close(ctx, a.ID, "safety", "dispersed, checked on site")
	if err != nil || closed.State != Cleared || !closed.ClearedAt.Equal(c.t) || closed.AckedBy != "safety" ||
		closed.Details[DetailClosedBy] != "safety" || closed.Details[DetailCloseNote] != "dispersed, checked on site" ||
		closed.Details["count"] != 5 {
		t.Fatalf("close = %+v %v", closed, err)
	}
	if m.IsOpen(a.Key) || len(m.Active()) != 0 {
		t.Fatal("closed alarm still open")
	}
	if last := (*evs)[len(*evs)-1]; last.Action != ActionClosed || last.Alarm.ID != a.ID {
		t.Fatalf("last event %+v", last)
	}
	if stored, _ := st.Alarm(ctx, a.ID); stored.State != Cleared || stored.Details[DetailClosedBy] != "safety" {
		t.Fatalf("stored %+v", stored)
	}
	if _, err := m.Close(ctx, a.ID, "other", ""); !errors.Is(err, ErrState) {
		t.Fatalf("second close err = %v", err)
	}
	// The condition coming back is a new alarm.
	if b, isNew, _ := m.Raise(ctx, Raise{Type: Gathering, EntityID: "G-1", Level: LevelMedium}); !isNew || b.ID == a.ID {
		t.Fatal("recurrence after close reused the closed alarm")
	}
}

func TestCloseClearedKeepsEarlierAck(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &clock{t0}
	st := newMemStore()
	m, _ := newManager(t, st, c)
	a, _, _ := m.Raise(ctx, Raise{Type: FenceIntrusion, EntityID: "P1", Level: LevelMedium})
	if _, err := m.Ack(ctx, a.ID, "operator", "seen"); err != nil {
		t.Fatal(err)
	}
	c.t = t0.Add(time.Minute)
	m.Clear(ctx, a.Key, time.Time{})
	c.t = t0.Add(2 * time.Minute)
	closed, err := m.Close(ctx, a.ID, "manager", "")
	if err != nil || closed.AckedBy != "operator" || !closed.ClearedAt.Equal(t0.Add(time.Minute)) ||
		closed.Details[DetailClosedBy] != "manager" {
		t.Fatalf("close of cleared = %+v %v", closed, err)
	}
	if _, ok := closed.Details[DetailCloseNote]; ok {
		t.Fatal("empty note recorded")
	}
}

func TestRecordEvents(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &clock{t0}
	st := newMemStore()
	m, evs := newManager(t, st, c)
	a, _, _ := m.Raise(ctx, Raise{Type: FenceIntrusion, EntityID: "P1", Level: LevelMedium, Details: map[string]any{"fence": "F1"}})
	short, _, _ := m.Raise(ctx, Raise{Type: FenceIntrusion, EntityID: "P2", Level: LevelMedium})
	c.t = t0.Add(29 * time.Second)
	m.Clear(ctx, short.Key, time.Time{}) // cleared within 30 s: never an event
	if got, err := m.RecordEvents(ctx); err != nil || len(got) != 0 {
		t.Fatalf("at 29 s: %+v %v", got, err)
	}
	c.t = t0.Add(30 * time.Second)
	got, err := m.RecordEvents(ctx)
	if err != nil || len(got) != 1 || got[0].ID != a.ID || got[0].Details[DetailEventRecordedAt] != "2026-11-28T08:00:30Z" {
		t.Fatalf("at 30 s: %+v %v", got, err)
	}
	if last := (*evs)[len(*evs)-1]; last.Action != ActionEvent || last.Alarm.ID != a.ID {
		t.Fatalf("last event %+v", last)
	}
	if stored, _ := st.Alarm(ctx, a.ID); stored.Details[DetailEventRecordedAt] == nil {
		t.Fatalf("stored %+v", stored.Details)
	}
	c.t = t0.Add(time.Hour)
	if again, _ := m.RecordEvents(ctx); len(again) != 0 {
		t.Fatalf("recorded twice: %+v", again)
	}
	// An update by the rule keeps the record mark.
	up, _, _ := m.Raise(ctx, Raise{Type: FenceIntrusion, EntityID: "P1", Level: LevelHigh, Details: map[string]any{"fence": "F1"}})
	if up.Details[DetailEventRecordedAt] == nil || up.Level != LevelHigh {
		t.Fatalf("update lost the record mark: %+v", up.Details)
	}
	if stored, _ := st.Alarm(ctx, short.ID); stored.Details[DetailEventRecordedAt] != nil {
		t.Fatal("short alarm recorded")
	}
}

func TestRunRecordsEvents(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &clock{t0}
	m, err := NewManager(ctx, Options{Store: newMemStore(), Clock: func() time.Time { return t0.Add(time.Minute) }, EventEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []Event
	m.Observe(func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	a, _, _ := m.Raise(ctx, Raise{Type: SOS, EntityID: "P1", Level: LevelHigh, At: c.now()})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(events)
		var last Event
		if n > 0 {
			last = events[n-1]
		}
		mu.Unlock()
		if n == 2 && last.Action == ActionEvent && last.Alarm.ID == a.ID {
			break
		}
		if n > 2 || time.Now().After(deadline) {
			t.Fatalf("events %+v", events)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
