package alarm

import (
	"context"
	"errors"
	"math"
	"sort"
	"sync"
	"testing"
	"time"
)

// memStore is an in-memory Store with failure injection: the fake sits at
// the I/O boundary so the retry path can be exercised. The SQL stores run the
// shared conformance suite in store/storetest.
type memStore struct {
	mu   sync.Mutex
	byID map[string]Alarm
	fail bool
}

func newMemStore() *memStore { return &memStore{byID: map[string]Alarm{}} }

func (s *memStore) SaveAlarm(_ context.Context, a Alarm) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("disk full")
	}
	s.byID[a.ID] = a
	return nil
}

func (s *memStore) Alarm(_ context.Context, id string) (Alarm, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	if !ok {
		return Alarm{}, ErrNotFound
	}
	return a, nil
}

func (s *memStore) Alarms(_ context.Context, f Filter) ([]Alarm, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Alarm
	for _, a := range s.byID {
		if f.Open && a.State == Cleared {
			continue
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if f.Offset >= len(out) {
		return nil, nil
	}
	return out[f.Offset:], nil
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newManager(t *testing.T, st Store, c *clock) (*Manager, *[]Event) {
	t.Helper()
	m, err := NewManager(context.Background(), Options{Store: st, Clock: c.now})
	if err != nil {
		t.Fatal(err)
	}
	var evs []Event
	m.Observe(func(e Event) { evs = append(evs, e) })
	return m, &evs
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	st := newMemStore()
	m, evs := newManager(t, st, c)

	a, isNew, err := m.Raise(ctx, Raise{Type: SOS, Level: LevelHigh, EntityID: "P1", Message: "一键报警", MessageEn: "SOS"})
	if err != nil || !isNew || a.State != Active || a.Key != "sos:P1" {
		t.Fatalf("raise = %+v %v %v", a, isNew, err)
	}
	// The same condition again is the same alarm, and unchanged means no event.
	again, isNew, _ := m.Raise(ctx, Raise{Type: SOS, Level: LevelHigh, EntityID: "P1", Message: "一键报警", MessageEn: "SOS"})
	if isNew || again.ID != a.ID || len(*evs) != 1 {
		t.Fatalf("repeat raise opened a new alarm or emitted: %v %d", isNew, len(*evs))
	}
	// A change of level is an update.
	up, _, _ := m.Raise(ctx, Raise{Type: SOS, Level: LevelMedium, EntityID: "P1", Message: "一键报警", MessageEn: "SOS"})
	if up.ID != a.ID || up.Level != LevelMedium || (*evs)[1].Action != ActionUpdated {
		t.Fatalf("update = %+v", up)
	}
	c.t = c.t.Add(time.Minute)
	acked, err := m.Ack(ctx, a.ID, "manager", "on my way")
	if err != nil || acked.State != Acknowledged || acked.AckedBy != "manager" || !acked.AckedAt.Equal(c.t) {
		t.Fatalf("ack = %+v %v", acked, err)
	}
	if _, err := m.Ack(ctx, a.ID, "manager", ""); !errors.Is(err, ErrState) {
		t.Fatalf("second ack err = %v", err)
	}
	c.t = c.t.Add(time.Minute)
	cl, ok, err := m.Clear(ctx, "sos:P1", time.Time{})
	if err != nil || !ok || cl.State != Cleared || !cl.ClearedAt.Equal(c.t) {
		t.Fatalf("clear = %+v %v %v", cl, ok, err)
	}
	if _, ok, _ := m.Clear(ctx, "sos:P1", time.Time{}); ok {
		t.Fatal("clearing twice reported a clear")
	}
	got := []Action{}
	for _, e := range *evs {
		got = append(got, e.Action)
	}
	want := []Action{ActionRaised, ActionUpdated, ActionAcked, ActionCleared}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
	if stored, _ := st.Alarm(ctx, a.ID); stored.State != Cleared || stored.AckedBy != "manager" {
		t.Fatalf("stored = %+v", stored)
	}
	// A new occurrence after clearing is a new alarm.
	b, isNew, _ := m.Raise(ctx, Raise{Type: SOS, Level: LevelHigh, EntityID: "P1"})
	if !isNew || b.ID == a.ID {
		t.Fatal("a recurrence reused the cleared alarm")
	}
}

func TestAckClearedAlarmKeepsState(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	m, _ := newManager(t, newMemStore(), c)
	a, _, _ := m.Raise(ctx, Raise{Type: LowBattery, EntityID: "P2", Level: LevelLow})
	m.Clear(ctx, a.Key, time.Time{})
	acked, err := m.Ack(ctx, a.ID, "operator", "")
	if err != nil || acked.State != Cleared || acked.AckedBy != "operator" {
		t.Fatalf("ack of cleared = %+v %v", acked, err)
	}
	if _, err := m.Ack(ctx, "AL-nope", "operator", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown id err = %v", err)
	}
	if _, _, err := m.Raise(ctx, Raise{Type: "made_up"}); err == nil {
		t.Fatal("unknown type accepted")
	}
}

func TestStoreFailureStillNotifiesAndRetries(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	st := newMemStore()
	m, evs := newManager(t, st, c)
	st.fail = true
	a, _, err := m.Raise(ctx, Raise{Type: GasLevel2, EntityID: "GD-1", Level: LevelHigh})
	if err == nil || len(*evs) != 1 {
		t.Fatalf("want a persist error and an event, got %v, %d events", err, len(*evs))
	}
	st.fail = false
	if _, _, err := m.Raise(ctx, Raise{Type: SOS, EntityID: "P3", Level: LevelHigh}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Alarm(ctx, a.ID); err != nil {
		t.Fatalf("failed write was not retried: %v", err)
	}
}

func TestReloadOpenAlarms(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	st := newMemStore()
	m, _ := newManager(t, st, c)
	a, _, _ := m.Raise(ctx, Raise{Type: SOS, EntityID: "P1", Level: LevelHigh})
	b, _, _ := m.Raise(ctx, Raise{Type: SOS, EntityID: "P2", Level: LevelHigh})
	m.Clear(ctx, b.Key, time.Time{})
	m2, _ := newManager(t, st, c)
	if act := m2.Active(); len(act) != 1 || act[0].ID != a.ID {
		t.Fatalf("reloaded open alarms = %+v", act)
	}
	if _, isNew, _ := m2.Raise(ctx, Raise{Type: SOS, EntityID: "P1", Level: LevelHigh}); isNew {
		t.Fatal("a condition open before restart raised a second alarm")
	}
}

func TestNonFiniteDetailsAreStorable(t *testing.T) {
	c := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	m, _ := newManager(t, newMemStore(), c)
	a, _, err := m.Raise(context.Background(), Raise{Type: GasLevel2, EntityID: "GD-1", Details: map[string]any{"value": math.Inf(1), "unit": "%LEL"}})
	if err != nil || a.Details["value"] != nil || a.Details["unit"] != "%LEL" {
		t.Fatalf("details = %v, %v", a.Details, err)
	}
}
