package alarm

import (
	"context"
	"errors"
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
