package storetest

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

func event(n int, typ, entity, area string, t time.Time) store.Event {
	return store.Event{
		Type: typ, EntityID: entity, AreaID: area, At: t,
		Lon: 121.47 + float64(n)*1e-5, Lat: 31.23 - float64(n)*1e-5,
		Data: map[string]any{"n": n},
	}
}

// marks lists the events' Data["n"], for comparing order and membership.
func marks(evs []store.Event) string {
	s := make([]any, len(evs))
	for i, e := range evs {
		s[i] = e.Data["n"]
	}
	return fmt.Sprint(s)
}

func (s suite) testEvents(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if err := st.AppendEvents(c, nil); err != nil {
		t.Errorf("AppendEvents(nil): %v", err)
	}
	if err := st.AppendEvents(c, []store.Event{}); err != nil {
		t.Errorf("AppendEvents(empty): %v", err)
	}
	if evs, err := st.Events(c, store.EventFilter{}); err != nil || len(evs) != 0 {
		t.Fatalf("Events after empty batches = %v, %v; want none", evs, err)
	}

	batch := []store.Event{
		event(0, "area_enter", "p-1", "area-1", at(2*time.Minute)),
		event(1, "tag_registered", "p-2", "", at(0)),
		event(2, "area_exit", "p-1", "area-1", at(2*time.Minute)),
	}
	batch[0].ID = 999 // ignored
	batch[1].Data = map[string]any{"n": 1, "tag": "T-9", "nest": map[string]any{"a": []any{1, "二", true, nil}}}
	batch[2].Data = nil
	orig := slices.Clone(batch)
	if err := st.AppendEvents(c, batch); err != nil {
		t.Fatalf("AppendEvents: %v", err)
	}
	same(t, "caller's batch after AppendEvents", batch, orig)

	got, err := st.Events(c, store.EventFilter{})
	if err != nil || len(got) != 3 {
		t.Fatalf("Events = %d, %v; want 3", len(got), err)
	}
	// Oldest first; the two at +2 min in append order, so by id.
	want := []store.Event{batch[1], batch[0], batch[2]}
	for i := range want {
		want[i].ID = got[i].ID
		want[i].Data = normJSON(t, want[i].Data)
		got[i].Data = emptyNil(got[i].Data)
	}
	same(t, "Events", got, want)
	if !(got[1].ID > 0 && got[0].ID > got[1].ID && got[2].ID > got[0].ID) {
		t.Errorf("ids %d %d %d (batch order 1 0 2): want positive, increasing in append order", got[0].ID, got[1].ID, got[2].ID)
	}

	if err := st.AppendEvents(c, []store.Event{event(3, "x", "p-3", "", at(-time.Hour))}); err != nil {
		t.Fatal(err)
	}
	next, err := st.Events(c, store.EventFilter{EntityID: "p-3"})
	if err != nil || len(next) != 1 || next[0].ID <= got[2].ID {
		t.Errorf("second batch: %v, %v; want one event with an id above %d", next, err, got[2].ID)
	}

	for name, bad := range map[string]store.Event{
		"NaN lat":     {Type: "x", Lat: math.NaN()},
		"Inf lon":     {Type: "x", Lon: math.Inf(-1)},
		"empty type":  {EntityID: "p-1"},
		"bad UTF-8":   {Type: "x", EntityID: "\xff"},
		"unencodable": {Type: "x", Data: map[string]any{"f": func() {}}},
		"NUL in area": {Type: "x", AreaID: "a\x00"},
		"Inf in data": {Type: "x", Data: map[string]any{"v": math.Inf(1)}},
	} {
		good := event(100, "ok", "p-9", "", base)
		if err := st.AppendEvents(c, []store.Event{good, bad}); err == nil {
			t.Errorf("AppendEvents(%s) = nil, want an error", name)
		}
	}
	if evs, _ := st.Events(c, store.EventFilter{}); len(evs) != 4 {
		t.Errorf("after refused batches: %d events, want 4 (a batch is all or none)", len(evs))
	}
	s.testEventLimit(t, st)
}

func (s suite) testEventLimit(t *testing.T, st store.Store) {
	c := ctx(t)
	var batch []store.Event
	for i := range 1001 {
		batch = append(batch, event(i, "limit", "p-limit", "", at(time.Duration(1001-i)*time.Millisecond)))
	}
	if err := st.AppendEvents(c, batch); err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(batch)
	slices.Reverse(sorted)
	for _, n := range []int{0, -5, 1, 10, 1000, 1001, 2000} {
		got, err := st.Events(c, store.EventFilter{Type: "limit", Limit: n})
		want := sorted[:1000]
		if n > 0 {
			want = page(sorted, 0, n)
		}
		if err != nil || marks(got) != marks(want) {
			t.Errorf("Events(Limit %d): %d events, %v; want the %d oldest", n, len(got), err, len(want))
		}
	}
}

// eventFixture is a varied log: 3 types, 4 entities, 3 areas, 40 times
// with repeats, appended out of time order in two batches.
func eventFixture() []store.Event {
	types := []string{"area_enter", "area_exit", "tag_registered"}
	var evs []store.Event
	for i := range 60 {
		evs = append(evs, event(i, types[i%3], fmt.Sprintf("p-%d", i%4), fmt.Sprintf("area-%d", i%5%3),
			at(time.Duration((i*7)%40)*time.Second)))
	}
	return evs
}

// filterEvents is the reference: what Events(f) must return from evs
// appended in slice order.
func filterEvents(evs []store.Event, f store.EventFilter) []store.Event {
	var out []store.Event
	for _, e := range evs {
		switch {
		case f.Type != "" && e.Type != f.Type,
			f.EntityID != "" && e.EntityID != f.EntityID,
			f.AreaID != "" && e.AreaID != f.AreaID,
			!f.From.IsZero() && e.At.Before(f.From),
			!f.To.IsZero() && e.At.After(f.To):
			continue
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b store.Event) int { return a.At.Compare(b.At) })
	n := f.Limit
	if n <= 0 {
		n = 1000
	}
	return page(out, 0, n)
}

func (s suite) testEventFilters(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	all := eventFixture()
	if err := st.AppendEvents(c, all[:25]); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendEvents(c, all[25:]); err != nil {
		t.Fatal(err)
	}
	from, to := at(7*time.Second), at(21*time.Second) // both are event times
	cases := map[string]store.EventFilter{
		"none":         {},
		"type":         {Type: "area_exit"},
		"unknown type": {Type: "nope"},
		"entity":       {EntityID: "p-1"},
		"area":         {AreaID: "area-2"},
		"from":         {From: from},
		"to":           {To: to},
		"from to":      {From: from, To: to},
		"from = to":    {From: to, To: to},
		"combined":     {Type: "area_enter", EntityID: "p-0", AreaID: "area-0", From: from},
		"entity range": {EntityID: "p-3", From: from, To: to},
		"limit":        {Limit: 4},
		"filter limit": {AreaID: "area-1", Limit: 3},
	}
	for name, f := range cases {
		got, err := st.Events(c, f)
		if err != nil {
			t.Errorf("%s: Events: %v", name, err)
			continue
		}
		if want := filterEvents(all, f); marks(got) != marks(want) {
			t.Errorf("%s: Events(%+v)\n got %s\nwant %s", name, f, marks(got), marks(want))
		}
	}
}
