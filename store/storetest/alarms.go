package storetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

func newAlarm(id string, typ alarm.Type, raised time.Time) alarm.Alarm {
	return alarm.Alarm{
		ID: id, Type: typ, Level: alarm.LevelMedium, State: alarm.Active,
		Key: string(typ) + ":p-1", EntityID: "p-1", AreaID: "area-tank-farm",
		Lon: 121.4737, Lat: 31.2304, RaisedAt: raised, UpdatedAt: raised,
		Message: "人员闯入罐区围栏", MessageEn: "fence intrusion at the tank farm",
	}
}

// wantAlarm is a as it reads back: details through JSON.
func wantAlarm(t *testing.T, a alarm.Alarm) alarm.Alarm {
	a.Details = normJSON(t, a.Details)
	return a
}

// gotAlarm is a with empty details as nil.
func gotAlarm(a alarm.Alarm) alarm.Alarm {
	a.Details = emptyNil(a.Details)
	return a
}

func (s suite) testAlarms(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	check := func(step string, want alarm.Alarm) {
		t.Helper()
		got, err := st.Alarm(c, want.ID)
		if err != nil {
			t.Fatalf("%s: Alarm: %v", step, err)
		}
		same(t, step, gotAlarm(got), wantAlarm(t, want))
	}
	save := func(step string, a alarm.Alarm) {
		t.Helper()
		if err := st.SaveAlarm(c, a); err != nil {
			t.Fatalf("%s: SaveAlarm: %v", step, err)
		}
		check(step, a)
	}

	a := newAlarm("al-1", alarm.FenceIntrusion, base)
	a.Details = map[string]any{
		"fence": "f-7", "inside_s": 12, "depth_m": 3.25, "ok": false, "none": nil,
		"tags": []any{"T-1", "T-2", 3},
		"nest": map[string]any{"zone": map[string]any{"floor": 2, "名称": "罐区"}, "empty": map[string]any{}},
		"unit": "%LEL",
	}
	save("raised", a)

	a.Level, a.UpdatedAt, a.Message = alarm.LevelHigh, at(time.Minute), "人员闯入罐区围栏（升级）"
	save("updated", a)

	a.State, a.AckedAt, a.AckedBy, a.AckNote = alarm.Acknowledged, ptr(at(2*time.Minute)), "张伟", "已通知班长 notified"
	a.UpdatedAt = at(2 * time.Minute)
	save("acknowledged", a)

	a.State, a.ClearedAt, a.UpdatedAt = alarm.Cleared, ptr(at(5*time.Minute)), at(5*time.Minute)
	save("cleared", a)

	// Cleared before anyone acknowledged: AckedAt stays nil.
	b := newAlarm("al-2", alarm.SOS, at(time.Hour))
	b.State, b.ClearedAt = alarm.Cleared, ptr(at(time.Hour+time.Second))
	save("cleared unacknowledged", b)

	if as, err := st.Alarms(c, alarm.Filter{}); err != nil || len(as) != 2 {
		t.Errorf("Alarms after updates: %d alarms, %v; want 2 (saves update by id)", len(as), err)
	}
	if _, err := st.Alarm(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Alarm(unknown) error = %v, want store.ErrNotFound", err)
	}

	bad := map[string]func(*alarm.Alarm){
		"empty id":      func(a *alarm.Alarm) { a.ID = "" },
		"unknown state": func(a *alarm.Alarm) { a.State = "open" },
		"NaN lon":       func(a *alarm.Alarm) { a.Lon = math.NaN() },
		"Inf lat":       func(a *alarm.Alarm) { a.Lat = math.Inf(1) },
		"bad UTF-8":     func(a *alarm.Alarm) { a.Message = "\xc3\x28" },
		"bad details":   func(a *alarm.Alarm) { a.Details = map[string]any{"x": math.NaN()} },
	}
	for name, spoil := range bad {
		x := newAlarm("al-1", alarm.Overspeed, base)
		spoil(&x)
		if err := st.SaveAlarm(c, x); err == nil {
			t.Errorf("SaveAlarm(%s) = nil, want an error", name)
		}
	}
	check("after refused saves", a)
}

// alarmFixture is a varied set of alarms: 3 types, 3 states, 4 entities,
// 3 areas, raised a minute apart with some raised at the same instant.
func alarmFixture() []alarm.Alarm {
	types := []alarm.Type{alarm.FenceIntrusion, alarm.GasLevel1, alarm.SOS}
	states := []alarm.State{alarm.Active, alarm.Acknowledged, alarm.Cleared}
	var as []alarm.Alarm
	for i := range 60 {
		a := newAlarm(fmt.Sprintf("al-%03d", (i*37)%60), types[i%3], at(time.Duration(i/2)*time.Minute))
		a.State = states[(i/3)%3]
		a.EntityID = fmt.Sprintf("p-%d", i%4)
		a.AreaID = fmt.Sprintf("area-%d", i%5%3)
		if a.State != alarm.Active {
			a.AckedAt, a.AckedBy = ptr(a.RaisedAt.Add(time.Minute)), "manager"
		}
		as = append(as, a)
	}
	return as
}

// filterAlarms is the reference: what Alarms(f) must return.
func filterAlarms(as []alarm.Alarm, f alarm.Filter) []alarm.Alarm {
	var out []alarm.Alarm
	for _, a := range sortAlarms(as) {
		switch {
		case f.State != "" && a.State != f.State,
			f.Type != "" && a.Type != f.Type,
			f.EntityID != "" && a.EntityID != f.EntityID,
			f.AreaID != "" && a.AreaID != f.AreaID,
			!f.From.IsZero() && a.RaisedAt.Before(f.From),
			!f.To.IsZero() && a.RaisedAt.After(f.To),
			f.Open && !a.Open():
			continue
		}
		out = append(out, a)
	}
	n := f.Limit
	if n <= 0 {
		n = 100
	}
	return page(out, max(f.Offset, 0), min(n, 1000))
}

func (s suite) testAlarmFilters(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	all := alarmFixture()
	for _, a := range all {
		if err := st.SaveAlarm(c, a); err != nil {
			t.Fatal(err)
		}
	}
	from, to := at(5*time.Minute), at(20*time.Minute) // both are raised times
	cases := map[string]alarm.Filter{
		"none":              {},
		"state active":      {State: alarm.Active},
		"state acked":       {State: alarm.Acknowledged},
		"state cleared":     {State: alarm.Cleared},
		"type":              {Type: alarm.GasLevel1},
		"unknown type":      {Type: "no_such_type"},
		"entity":            {EntityID: "p-2"},
		"area":              {AreaID: "area-1"},
		"from":              {From: from},
		"to":                {To: to},
		"from to":           {From: from, To: to},
		"from = to":         {From: from, To: from},
		"open":              {Open: true},
		"open and cleared":  {Open: true, State: alarm.Cleared},
		"open and acked":    {Open: true, State: alarm.Acknowledged},
		"type state area":   {Type: alarm.FenceIntrusion, State: alarm.Active, AreaID: "area-0"},
		"all fields":        {Type: alarm.SOS, EntityID: "p-1", AreaID: "area-2", From: from, To: to, Open: true},
		"limit":             {Limit: 7},
		"offset":            {Offset: 50},
		"limit offset":      {Limit: 5, Offset: 12},
		"offset past end":   {Offset: 60},
		"negative offset":   {Offset: -3, Limit: 4},
		"filter and page":   {Open: true, Limit: 3, Offset: 2},
		"entity from limit": {EntityID: "p-3", From: from, Limit: 2},
	}
	for name, f := range cases {
		got, err := st.Alarms(c, f)
		if err != nil {
			t.Errorf("%s: Alarms: %v", name, err)
			continue
		}
		want := filterAlarms(all, f)
		if ids(got) != ids(want) {
			t.Errorf("%s: Alarms(%+v)\n got %s\nwant %s", name, f, ids(got), ids(want))
		}
	}
}

func (s suite) testAlarmLimits(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	var all []alarm.Alarm
	for i := range 1005 {
		a := newAlarm(fmt.Sprintf("al-%04d", i), alarm.TagOffline, at(time.Duration(i%500)*time.Second))
		if err := st.SaveAlarm(c, a); err != nil {
			t.Fatal(err)
		}
		all = append(all, a)
	}
	for _, n := range []int{0, -1, 1, 100, 999, 1000, 1001, 5000} {
		got, err := st.Alarms(c, alarm.Filter{Limit: n})
		want := filterAlarms(all, alarm.Filter{Limit: n})
		if err != nil || ids(got) != ids(want) {
			t.Errorf("Alarms(Limit %d): %d alarms, %v; want %d", n, len(got), err, len(want))
		}
	}
	got, err := st.Alarms(c, alarm.Filter{Limit: 1000, Offset: 1000})
	if err != nil || len(got) != 5 {
		t.Errorf("Alarms(Limit 1000, Offset 1000): %d alarms, %v; want 5", len(got), err)
	}
}

// sortAlarms returns as newest raised first, ties by greater id first.
func sortAlarms(as []alarm.Alarm) []alarm.Alarm {
	out := slices.Clone(as)
	slices.SortFunc(out, func(a, b alarm.Alarm) int {
		if c := b.RaisedAt.Compare(a.RaisedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// ids lists the alarms' ids, for comparing order and membership.
func ids(as []alarm.Alarm) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.ID
	}
	return "[" + strings.Join(s, " ") + "]"
}

// testSaveAlarms: a batch is written in order (the later state of an id
// wins) and all or none.
func (s suite) testSaveAlarms(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	a1, a2 := newAlarm("al-b1", alarm.FenceIntrusion, base), newAlarm("al-b2", alarm.SOS, base)
	a1cleared := a1
	a1cleared.State, a1cleared.ClearedAt, a1cleared.UpdatedAt = alarm.Cleared, ptr(at(time.Minute)), at(time.Minute)
	if err := st.SaveAlarms(c, []alarm.Alarm{a1, a2, a1cleared}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Alarm(c, "al-b1"); got.State != alarm.Cleared {
		t.Fatalf("al-b1 %s, want the batch's later state cleared", got.State)
	}
	if _, err := st.Alarm(c, "al-b2"); err != nil {
		t.Fatal(err)
	}
	bad := newAlarm("", alarm.SOS, base)
	a3 := newAlarm("al-b3", alarm.SOS, base)
	if err := st.SaveAlarms(c, []alarm.Alarm{a3, bad}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("batch with an alarm without id: %v", err)
	}
	if _, err := st.Alarm(c, "al-b3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused batch was partly written: %v", err)
	}
	if err := st.SaveAlarms(c, nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	// Batches larger than a statement's rows (the backends chunk them, and
	// reuse their statements from batch to batch): 70 alarms, then 33 of
	// them again with the last one cleared further on in the same batch.
	var big []alarm.Alarm
	for i := range 70 {
		big = append(big, newAlarm(fmt.Sprintf("al-big-%02d", i), alarm.FenceIntrusion, at(time.Duration(i)*time.Second)))
	}
	again := slices.Clone(big[:33])
	again[0].State, again[0].ClearedAt, again[0].UpdatedAt = alarm.Cleared, ptr(at(time.Hour)), at(time.Hour)
	again = append(again[1:], again[0])
	for _, batch := range [][]alarm.Alarm{big, again} {
		if err := st.SaveAlarms(c, batch); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range big {
		got, err := st.Alarm(c, a.ID)
		if err != nil {
			t.Fatalf("alarm %d of a large batch: %v", i, err)
		}
		if want := map[bool]alarm.State{true: alarm.Cleared, false: alarm.Active}[i == 0]; got.State != want {
			t.Fatalf("alarm %d: %s, want %s", i, got.State, want)
		}
	}
	// An alarm's identity is fixed at its first save; later saves carry
	// its lifecycle (level, state, times, ack, messages, details).
	moved := a2
	moved.Type, moved.Key, moved.EntityID, moved.AreaID, moved.Lon, moved.Lat, moved.RaisedAt = alarm.GasLevel1, "other", "p-9", "area-9", 1, 2, at(time.Hour)
	moved.Level, moved.State, moved.UpdatedAt, moved.Message = 3, alarm.Acknowledged, at(2*time.Minute), "已确认"
	moved.AckedAt, moved.AckedBy, moved.Details = ptr(at(2*time.Minute)), "alice", map[string]any{"note": "x"}
	if err := st.SaveAlarms(c, []alarm.Alarm{moved}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Alarm(c, "al-b2")
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != a2.Type || got.Key != a2.Key || got.EntityID != a2.EntityID || got.AreaID != a2.AreaID ||
		got.Lon != a2.Lon || got.Lat != a2.Lat || !got.RaisedAt.Equal(a2.RaisedAt) {
		t.Errorf("identity changed by a later save: %+v", got)
	}
	if got.Level != 3 || got.State != alarm.Acknowledged || got.AckedBy != "alice" || got.Message != "已确认" || got.Details["note"] != "x" {
		t.Errorf("lifecycle not saved: %+v", got)
	}
}
