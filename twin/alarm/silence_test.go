package alarm

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestSilenceMarksButKeepsAlarms(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &clock{t0}
	st := newMemStore()
	m, evs := newManager(t, st, c)
	s, err := m.AddSilence(Silence{Types: []Type{LowBattery, GasLevel1, GasLevel2}, AreaIDs: []string{"A1"},
		From: t0, To: t0.Add(time.Hour), By: "manager", Reason: "battery swap"})
	if err != nil || s.ID == "" {
		t.Fatalf("add = %+v %v", s, err)
	}
	all, _ := m.AddSilence(Silence{From: t0, To: t0.Add(time.Hour), By: "manager", AreaIDs: []string{"A3"}})

	cases := []struct {
		name string
		r    Raise
		want string // silenced_by, "" = not silenced
	}{
		{"type and area match", Raise{Type: LowBattery, EntityID: "P1", AreaID: "A1"}, s.ID},
		{"other area", Raise{Type: LowBattery, EntityID: "P2", AreaID: "A2"}, ""},
		{"other type", Raise{Type: FenceIntrusion, EntityID: "P1", AreaID: "A1"}, ""},
		{"gas level 1 silenced", Raise{Type: GasLevel1, EntityID: "GD-1", AreaID: "A1"}, s.ID},
		{"gas level 2 never", Raise{Type: GasLevel2, EntityID: "GD-1", AreaID: "A1"}, ""},
		{"sos never, even with an all-types silence", Raise{Type: SOS, EntityID: "P3", AreaID: "A3"}, ""},
		{"all types", Raise{Type: Lingering, EntityID: "P4", AreaID: "A3"}, all.ID},
		{"before the window", Raise{Type: LowBattery, EntityID: "P5", AreaID: "A1", At: t0.Add(-time.Second)}, ""},
		{"at the end of the window", Raise{Type: LowBattery, EntityID: "P6", AreaID: "A1", At: t0.Add(time.Hour)}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, isNew, err := m.Raise(ctx, tc.r)
			if err != nil || !isNew {
				t.Fatalf("raise: %v %v", isNew, err)
			}
			got, _ := a.Details[DetailSilencedBy].(string)
			if got != tc.want {
				t.Fatalf("silenced_by = %q, want %q", got, tc.want)
			}
			last := (*evs)[len(*evs)-1]
			if last.Alarm.ID != a.ID || last.Action != ActionRaised || last.Alarm.Details[DetailSilencedBy] != a.Details[DetailSilencedBy] {
				t.Fatalf("observer got %+v", last)
			}
			stored, err := st.Alarm(ctx, a.ID)
			if err != nil || stored.Details[DetailSilencedBy] != a.Details[DetailSilencedBy] {
				t.Fatalf("stored %+v %v", stored.Details, err)
			}
		})
	}

	// Repeating a silenced condition is no change; an update after the
	// silence ends is no longer silenced.
	n := len(*evs)
	r := Raise{Type: LowBattery, EntityID: "P1", AreaID: "A1", Level: LevelLow, Details: map[string]any{"battery": 15.0}}
	first, _, _ := m.Raise(ctx, r)
	if _, _, err := m.Raise(ctx, r); err != nil || len(*evs) != n+1 || first.Details[DetailSilencedBy] != s.ID {
		t.Fatalf("repeat raise emitted: %d events after %d, %v", len(*evs), n, first.Details)
	}
	if err := m.RemoveSilence(s.ID); err != nil {
		t.Fatal(err)
	}
	r.Details = map[string]any{"battery": 12.0}
	up, _, _ := m.Raise(ctx, r)
	if _, ok := up.Details[DetailSilencedBy]; ok || up.Details["battery"] != 12.0 {
		t.Fatalf("update after removal still silenced: %v", up.Details)
	}
	if err := m.RemoveSilence(s.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove err = %v", err)
	}
	if got := m.Silences(); len(got) != 1 || got[0].ID != all.ID {
		t.Fatalf("silences = %+v", got)
	}
}

func TestSilenceValidation(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &clock{t0}
	m, _ := newManager(t, newMemStore(), c)
	bad := []Silence{
		{From: t0, To: t0.Add(time.Hour)},                                         // no name
		{From: t0, To: t0, By: "x"},                                               // empty window
		{From: t0.Add(time.Hour), To: t0, By: "x"},                                // reversed
		{To: t0, By: "x"},                                                         // no start
		{From: t0, To: t0.Add(time.Hour), By: "x", Types: []Type{"made_up"}},      // unknown type
		{From: t0, To: t0.Add(time.Hour), By: "x", Types: []Type{SOS, "nothing"}}, // one unknown
	}
	for i, s := range bad {
		if _, err := m.AddSilence(s); !errors.Is(err, ErrSilence) {
			t.Errorf("case %d: err = %v", i, err)
		}
	}
	// Ended silences are dropped when another is added.
	if _, err := m.AddSilence(Silence{ID: "old", From: t0.Add(-2 * time.Hour), To: t0.Add(-time.Hour), By: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddSilence(Silence{ID: "new", From: t0, To: t0.Add(time.Hour), By: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := m.Silences(); len(got) != 1 || got[0].ID != "new" {
		t.Fatalf("silences = %+v", got)
	}
}

// silenceMem is a memStore that also keeps silences (a SilenceStore), with
// failure injection: the fake sits at the I/O boundary. The SQL stores
// run the shared conformance suite in store/storetest.
type silenceMem struct {
	*memStore
	smu      sync.Mutex
	silences map[string]Silence
	failSave bool // PutSilence and DeleteSilence fail
	failLoad bool // ActiveSilences fails
	loadedAt time.Time
}

func newSilenceMem() *silenceMem {
	return &silenceMem{memStore: newMemStore(), silences: map[string]Silence{}}
}

func (s *silenceMem) PutSilence(_ context.Context, si Silence) error {
	s.smu.Lock()
	defer s.smu.Unlock()
	if s.failSave {
		return errors.New("disk full")
	}
	s.silences[si.ID] = si
	return nil
}

func (s *silenceMem) DeleteSilence(_ context.Context, id string) error {
	s.smu.Lock()
	defer s.smu.Unlock()
	if s.failSave {
		return errors.New("disk full")
	}
	if _, ok := s.silences[id]; !ok {
		return ErrNotFound
	}
	delete(s.silences, id)
	return nil
}

func (s *silenceMem) ActiveSilences(_ context.Context, at time.Time) ([]Silence, error) {
	s.smu.Lock()
	defer s.smu.Unlock()
	s.loadedAt = at
	if s.failLoad {
		return nil, errors.New("disk unreadable")
	}
	var out []Silence
	for _, si := range s.silences {
		if si.To.After(at) {
			out = append(out, si)
		}
	}
	return out, nil
}

func (s *silenceMem) stored() map[string]Silence {
	s.smu.Lock()
	defer s.smu.Unlock()
	return maps.Clone(s.silences)
}

// TestSilencePersistence: with a SilenceStore every add and removal is
// written through (and refused when the write fails), and a new manager
// over the same store loads the silences not yet ended and applies them.
func TestSilencePersistence(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &clock{t0}
	st := newSilenceMem()
	m, _ := newManager(t, st, c)
	keep, err := m.AddSilence(Silence{Types: []Type{LowBattery}, AreaIDs: []string{"A1"},
		From: t0.Add(300 * time.Microsecond), To: t0.Add(2*time.Hour + 900*time.Microsecond), By: "manager", Reason: "更换电池"})
	if err != nil {
		t.Fatal(err)
	}
	if !keep.From.Equal(t0) || !keep.To.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("window %v … %v, want it to the millisecond", keep.From, keep.To)
	}
	gone, err := m.AddSilence(Silence{From: t0, To: t0.Add(time.Hour), By: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	later, err := m.AddSilence(Silence{Types: []Type{Lingering}, From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour), By: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.stored(); !reflect.DeepEqual(got, map[string]Silence{keep.ID: keep, gone.ID: gone, later.ID: later}) {
		t.Fatalf("stored %+v", got)
	}
	if err := m.RemoveSilence(gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.stored()[gone.ID]; ok {
		t.Fatal("removed silence still stored")
	}

	// A failed write changes nothing, in memory or in the store.
	st.failSave = true
	if _, err := m.AddSilence(Silence{From: t0, To: t0.Add(time.Hour), By: "admin"}); err == nil {
		t.Fatal("AddSilence with a failing store = nil error")
	}
	if err := m.RemoveSilence(keep.ID); err == nil {
		t.Fatal("RemoveSilence with a failing store = nil error")
	}
	st.failSave = false
	want := []Silence{keep, later}
	if got := m.Silences(); !reflect.DeepEqual(got, want) {
		t.Fatalf("silences after failed writes %+v, want %+v", got, want)
	}
	if len(st.stored()) != 2 {
		t.Fatalf("stored after failed writes %+v", st.stored())
	}

	// A restart an hour and a half later loads both (later is running).
	c.t = t0.Add(90 * time.Minute)
	m2, _ := newManager(t, st, c)
	if got := m2.Silences(); !reflect.DeepEqual(got, want) {
		t.Fatalf("silences after restart %+v, want %+v", got, want)
	}
	if !st.loadedAt.Equal(c.t) {
		t.Errorf("loaded the silences in force at %v, want %v", st.loadedAt, c.t)
	}
	a, _, err := m2.Raise(ctx, Raise{Type: LowBattery, EntityID: "P1", AreaID: "A1"})
	if err != nil || a.Details[DetailSilencedBy] != keep.ID {
		t.Fatalf("raise after restart: %v %v", a.Details, err)
	}
	if err := m2.RemoveSilence(later.ID); err != nil {
		t.Fatal(err)
	}

	// Once keep has ended it is no longer listed, nor loaded.
	c.t = t0.Add(2 * time.Hour)
	if got := m2.Silences(); len(got) != 0 {
		t.Fatalf("silences after their end %+v", got)
	}
	m3, _ := newManager(t, st, c)
	if got := m3.Silences(); len(got) != 0 {
		t.Fatalf("ended silences loaded: %+v", got)
	}

	st.failLoad = true
	if _, err := NewManager(ctx, Options{Store: st, Clock: c.now}); err == nil {
		t.Fatal("NewManager with unreadable silences = nil error")
	}
}
