package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

func (s suite) testTimePrecision(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	cst := time.FixedZone("CST", 8*3600) // China Standard Time, UTC+8
	cases := map[string]struct{ in, want time.Time }{
		"sub-ms in UTC+8": {
			time.Date(2026, 7, 1, 16, 0, 0, 123_456_789, cst),
			time.Date(2026, 7, 1, 8, 0, 0, 123_000_000, time.UTC),
		},
		"just below a ms": {
			time.Date(2026, 7, 1, 8, 0, 0, 999_999_999, time.UTC),
			time.Date(2026, 7, 1, 8, 0, 0, 999_000_000, time.UTC),
		},
		"before 1970 truncates towards the past": {
			time.Date(1969, 12, 31, 23, 59, 59, 999_600_000, time.UTC),
			time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC),
		},
		"far future": {
			time.Date(2999, 1, 2, 3, 4, 5, 6_000_000, time.UTC),
			time.Date(2999, 1, 2, 3, 4, 5, 6_000_000, time.UTC),
		},
		"zero": {},
	}
	i := 0
	for name, tc := range cases {
		i++
		id := fmt.Sprintf("t-%d", i)
		got := roundTripTimes(t, st, id, tc.in)
		for field, g := range got {
			if !g.Equal(tc.want) || g.Location() != time.UTC {
				t.Errorf("%s: %s = %v (%v), want %v in UTC", name, field, g, g.Location(), tc.want)
			}
		}
		if tc.in.IsZero() {
			continue
		}
		evs, err := st.Events(c, store.EventFilter{EntityID: id, From: tc.in, To: tc.in})
		if err != nil || len(evs) != 1 {
			t.Errorf("%s: Events(From = To = the stored time) = %d events, %v; want 1", name, len(evs), err)
		}
	}
}

// roundTripTimes stores tm in every time field of every record kind and
// returns what reads back, by field.
func roundTripTimes(t *testing.T, st store.Store, id string, tm time.Time) map[string]time.Time {
	c := ctx(t)
	u := user(id, "operator")
	u.CreatedAt = tm
	se := store.Session{TokenHash: id, Username: id, CreatedAt: tm, ExpiresAt: tm}
	a := newAlarm(id, alarm.SOS, tm)
	a.UpdatedAt, a.AckedAt, a.ClearedAt, a.State = tm, &tm, &tm, alarm.Cleared
	err := errors.Join(st.PutUser(c, u), st.PutSession(c, se), st.SaveAlarm(c, a),
		st.AppendEvents(c, []store.Event{{Type: "t", EntityID: id, At: tm}}))
	if !tm.IsZero() { // a zero audit time is stamped with now
		err = errors.Join(err, st.AppendAudit(c, store.AuditEntry{At: tm, Actor: id, Action: "t"}))
	}
	if err != nil {
		t.Fatalf("storing %v: %v", tm, err)
	}
	gu, err1 := st.User(c, id)
	gs, err2 := st.Session(c, id)
	ga, err3 := st.Alarm(c, id)
	ge, err4 := st.Events(c, store.EventFilter{EntityID: id})
	if err := errors.Join(err1, err2, err3, err4); err != nil || len(ge) != 1 {
		t.Fatalf("reading %v back: %v (%d events)", tm, err, len(ge))
	}
	got := map[string]time.Time{
		"User.CreatedAt": gu.CreatedAt, "Session.CreatedAt": gs.CreatedAt,
		"Session.ExpiresAt": gs.ExpiresAt, "Alarm.RaisedAt": ga.RaisedAt,
		"Alarm.UpdatedAt": ga.UpdatedAt, "Alarm.AckedAt": *ga.AckedAt,
		"Alarm.ClearedAt": *ga.ClearedAt, "Event.At": ge[0].At,
	}
	if !tm.IsZero() {
		ga, err := st.Audit(c, store.AuditFilter{Actor: id})
		if err != nil || len(ga) != 1 {
			t.Fatalf("Audit(%s) = %v, %v", id, ga, err)
		}
		got["AuditEntry.At"] = ga[0].At
	}
	return got
}

// testConcurrency writes events, alarms and audit entries from 8 goroutines
// (each also updating one shared alarm) while 2 more read; every write must
// succeed and be there afterwards. With -short or -race, 50 writes each
// instead of 200.
func (s suite) testConcurrency(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	writers, writes := 8, 200
	if testing.Short() || raceEnabled {
		writes = 50
	}
	var wg, readers sync.WaitGroup
	done := make(chan struct{})
	for range 2 {
		readers.Go(func() { readUntil(t, st, done) })
	}
	for g := range writers {
		wg.Go(func() {
			owner := fmt.Sprintf("g%d", g)
			for i := range writes {
				tm := at(time.Duration(i) * time.Millisecond)
				a := newAlarm(fmt.Sprintf("%s-%03d", owner, i), alarm.Overcrowding, tm)
				a.EntityID = owner
				shared := newAlarm("shared", alarm.Gathering, base)
				shared.UpdatedAt, shared.Details = tm, map[string]any{"by": owner, "i": i}
				err := errors.Join(
					st.AppendEvents(c, []store.Event{event(i, "conc", owner, "", tm)}),
					st.SaveAlarm(c, a), st.SaveAlarm(c, shared),
					st.AppendAudit(c, auditEntry(i, owner, "conc.write", a.ID, tm)))
				if err != nil {
					t.Errorf("%s write %d: %v", owner, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	checkConcurrentWrites(t, st, writers, writes)
}

// readUntil reads while the writers write, up to 100 rounds (so that
// readers do not starve writers of CPU on a small machine).
func readUntil(t *testing.T, st store.Store, done <-chan struct{}) {
	c := ctx(t)
	for range 100 {
		select {
		case <-done:
			return
		default:
		}
		_, err1 := st.Alarms(c, alarm.Filter{EntityID: "g0", Limit: 10})
		_, err2 := st.Events(c, store.EventFilter{EntityID: "g1", Limit: 10})
		_, err3 := st.Audit(c, store.AuditFilter{Actor: "g2", Limit: 10})
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Errorf("concurrent read: %v", err)
			return
		}
	}
}

func checkConcurrentWrites(t *testing.T, st store.Store, writers, writes int) {
	c := ctx(t)
	ids := map[int64]bool{}
	for g := range writers {
		owner := fmt.Sprintf("g%d", g)
		as, err1 := st.Alarms(c, alarm.Filter{EntityID: owner, Limit: 1000})
		evs, err2 := st.Events(c, store.EventFilter{EntityID: owner, Limit: 1000})
		es, err3 := st.Audit(c, store.AuditFilter{Actor: owner, Limit: 1000})
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		if len(as) != writes || len(evs) != writes || len(es) != writes {
			t.Errorf("%s: %d alarms, %d events, %d audit entries; want %d of each", owner, len(as), len(evs), len(es), writes)
		}
		for _, e := range evs {
			ids[e.ID] = true
		}
	}
	if len(ids) != writers*writes {
		t.Errorf("%d distinct event ids, want %d", len(ids), writers*writes)
	}
	if _, err := st.Alarm(c, "shared"); err != nil {
		t.Errorf("shared alarm: %v", err)
	}
}

func (s suite) testPing(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	if err := st.Ping(ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx(t))
	cancel()
	if err := st.Ping(cancelled); err == nil {
		t.Error("Ping(cancelled context) = nil, want an error")
	}
	if err := st.SaveAlarm(cancelled, newAlarm("cancelled", alarm.SOS, base)); err == nil {
		t.Error("SaveAlarm(cancelled context) = nil, want an error")
	}
	if _, err := st.Alarm(ctx(t), "cancelled"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("alarm saved with a cancelled context: Alarm error = %v, want store.ErrNotFound", err)
	}
}
