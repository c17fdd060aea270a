package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// silence is a valid silence of the suite: from base+from to base+to.
func silence(id string, from, to time.Duration) alarm.Silence {
	return alarm.Silence{ID: id, From: at(from), To: at(to), By: "manager"}
}

// testSilences: silences round-trip (times to the millisecond, empty lists
// as nil), one per id (the latest replaces every field), listed by From
// then ID; ended ones are not returned; a removed one is gone and a
// second removal is ErrNotFound; bad silences are refused.
func (s suite) testSilences(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if got, err := st.ActiveSilences(c, base); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	turnaround := silence("SI-b", 0, time.Hour)
	turnaround.Types = []alarm.Type{alarm.LowBattery, alarm.GasLevel1}
	turnaround.AreaIDs = []string{"A-west", "区域-二"}
	turnaround.Reason = "大修期间 turnaround"
	tied := silence("SI-a", 0, 3*time.Hour) // same From as SI-b: ID breaks the tie
	tied.AreaIDs = []string{"A-east"}
	upcoming := silence("SI-c", 30*time.Minute+300*time.Microsecond, 2*time.Hour+700*time.Microsecond)
	ended := silence("SI-0", -2*time.Hour, -time.Hour)
	for _, si := range []alarm.Silence{upcoming, turnaround, ended, tied} {
		if err := st.PutSilence(c, si); err != nil {
			t.Fatalf("PutSilence %s: %v", si.ID, err)
		}
	}
	got, err := st.ActiveSilences(c, base)
	if err != nil {
		t.Fatal(err)
	}
	want := []alarm.Silence{tied, turnaround, upcoming}
	want[2].From, want[2].To = want[2].From.Truncate(time.Millisecond), want[2].To.Truncate(time.Millisecond)
	same(t, "active silences", got, want)

	// A silence whose To is t has ended at t; one ended an hour ago is
	// never returned after it ended.
	got, _ = st.ActiveSilences(c, at(time.Hour))
	same(t, "silences at the end of SI-b", silenceIDs(got), []string{"SI-a", "SI-c"})
	got, _ = st.ActiveSilences(c, at(-90*time.Minute))
	same(t, "silences before SI-0 ended", silenceIDs(got), []string{"SI-0", "SI-a", "SI-b", "SI-c"})

	// The latest put of an id replaces every field.
	moved := alarm.Silence{ID: "SI-b", From: at(time.Minute), To: at(4 * time.Hour), By: "admin", Types: []alarm.Type{alarm.Lingering}}
	if err := st.PutSilence(c, moved); err != nil {
		t.Fatal(err)
	}
	got, _ = st.ActiveSilences(c, base)
	same(t, "after replacing SI-b", got, []alarm.Silence{tied, moved, want[2]})

	// Removal.
	if err := st.DeleteSilence(c, "SI-c"); err != nil {
		t.Fatalf("DeleteSilence: %v", err)
	}
	for _, id := range []string{"SI-c", "SI-none", "", "bad\x00id"} {
		if err := st.DeleteSilence(c, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteSilence(%q) = %v, want ErrNotFound", id, err)
		}
	}
	got, _ = st.ActiveSilences(c, base)
	same(t, "after removing SI-c", silenceIDs(got), []string{"SI-a", "SI-b"})

	s.refuseSilences(t, st)
	got, _ = st.ActiveSilences(c, at(-100*time.Hour))
	same(t, "after refused silences", silenceIDs(got), []string{"SI-0", "SI-a", "SI-b"})
}

// refuseSilences tries silences the store must refuse.
func (s suite) refuseSilences(t *testing.T, st store.Store) {
	c := ctx(t)
	for name, si := range map[string]alarm.Silence{
		"no id":            {From: base, To: at(time.Hour), By: "x"},
		"no author":        {ID: "X", From: base, To: at(time.Hour)},
		"empty window":     {ID: "X", From: base, To: base, By: "x"},
		"reversed window":  {ID: "X", From: at(time.Hour), To: base, By: "x"},
		"no start":         {ID: "X", To: at(time.Hour), By: "x"},
		"empty type":       {ID: "X", From: base, To: at(time.Hour), By: "x", Types: []alarm.Type{alarm.SOS, ""}},
		"empty area":       {ID: "X", From: base, To: at(time.Hour), By: "x", AreaIDs: []string{""}},
		"NUL in reason":    {ID: "X", From: base, To: at(time.Hour), By: "x", Reason: "a\x00b"},
		"bad UTF-8 area":   {ID: "X", From: base, To: at(time.Hour), By: "x", AreaIDs: []string{"\xff"}},
		"bad UTF-8 type":   {ID: "X", From: base, To: at(time.Hour), By: "x", Types: []alarm.Type{"\xfe"}},
		"bad UTF-8 author": {ID: "X", From: base, To: at(time.Hour), By: "\xff"},
	} {
		if err := st.PutSilence(c, si); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	cancelled, cancel := context.WithCancel(c)
	cancel()
	if err := st.PutSilence(cancelled, silence("X", 0, time.Hour)); err == nil {
		t.Error("PutSilence(cancelled context) = nil, want an error")
	}
	if _, err := st.ActiveSilences(cancelled, base); err == nil {
		t.Error("ActiveSilences(cancelled context) = nil, want an error")
	}
}

// silenceIDs lists the silences' ids in order.
func silenceIDs(ss []alarm.Silence) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}
