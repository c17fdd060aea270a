package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// contents is everything a durability test wrote, as read back.
type contents struct {
	users  []store.User
	sess   store.Session
	alarms []alarm.Alarm
	events []store.Event
	audit  []store.AuditEntry
}

func readContents(t *testing.T, st store.Store) contents {
	t.Helper()
	c := ctx(t)
	var k contents
	var err error
	if k.users, err = st.Users(c); err != nil {
		t.Fatal(err)
	}
	if k.sess, err = st.Session(c, "durable-token"); err != nil {
		t.Fatal(err)
	}
	if k.alarms, err = st.Alarms(c, alarm.Filter{}); err != nil {
		t.Fatal(err)
	}
	if k.events, err = st.Events(c, store.EventFilter{}); err != nil {
		t.Fatal(err)
	}
	if k.audit, err = st.Audit(c, store.AuditFilter{}); err != nil {
		t.Fatal(err)
	}
	return k
}

func writeContents(t *testing.T, st store.Store) {
	t.Helper()
	c := ctx(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutUser(c, user("张伟", "inspector")))
	must(st.PutSession(c, store.Session{TokenHash: "durable-token", Username: "张伟", CreatedAt: base, ExpiresAt: at(time.Hour)}))
	a := newAlarm("dur-1", alarm.GasLevel2, base)
	a.Details = map[string]any{"value": 55.5, "unit": "%LEL", "readings": []any{12, 40, 55.5}}
	must(st.SaveAlarm(c, a))
	a.State, a.AckedAt, a.AckedBy, a.UpdatedAt = alarm.Acknowledged, ptr(at(time.Minute)), "张伟", at(time.Minute)
	must(st.SaveAlarm(c, a))
	var evs []store.Event
	for i := range 100 {
		evs = append(evs, event(i, "durable", fmt.Sprintf("p-%d", i%7), "area-1", at(time.Duration(i)*time.Second)))
	}
	must(st.AppendEvents(c, evs))
	for i := range 5 {
		must(st.AppendAudit(c, auditEntry(i, "admin", "alarm.ack", "dur-1", at(time.Duration(i)*time.Second))))
	}
}

// testDurable writes, closes, reopens and checks that every record is back
// unchanged and that ids keep growing.
func (s suite) testDurable(t *testing.T) {
	t.Parallel()
	st := s.open(t)
	writeContents(t, st)
	before := readContents(t, st)
	closeStore(t, st)
	closeStore(t, st) // Close may be called twice

	st2 := s.reopen(t, st)
	t.Cleanup(func() { closeStore(t, st2) })
	after := readContents(t, st2)
	same(t, "users after reopen", after.users, before.users)
	same(t, "session after reopen", after.sess, before.sess)
	same(t, "alarms after reopen", after.alarms, before.alarms)
	same(t, "events after reopen", after.events, before.events)
	same(t, "audit after reopen", after.audit, before.audit)

	c := ctx(t)
	if err := st2.AppendEvents(c, []store.Event{event(100, "after", "p-0", "", base)}); err != nil {
		t.Fatal(err)
	}
	if err := st2.AppendAudit(c, auditEntry(5, "admin", "after", "", base)); err != nil {
		t.Fatal(err)
	}
	evs, err1 := st2.Events(c, store.EventFilter{Type: "after"})
	es, err2 := st2.Audit(c, store.AuditFilter{Action: "after"})
	if err1 != nil || err2 != nil || len(evs) != 1 || len(es) != 1 {
		t.Fatalf("after reopen: %v %v, %v %v", evs, err1, es, err2)
	}
	if last := before.events[len(before.events)-1].ID; evs[0].ID <= last {
		t.Errorf("event id after reopen %d, want above %d", evs[0].ID, last)
	}
	if last := before.audit[len(before.audit)-1].ID; es[0].ID <= last {
		t.Errorf("audit id after reopen %d, want above %d", es[0].ID, last)
	}
}
