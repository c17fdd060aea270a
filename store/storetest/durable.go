package storetest

import (
	"errors"
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
	track  []store.Position
	reads  []store.Reading
	series []store.SeriesPoint
	silent []alarm.Silence
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
	if k.track, err = st.Track(c, "p-1", far[0], far[1], 0); err != nil {
		t.Fatal(err)
	}
	if k.reads, err = st.Readings(c, "gas-1", far[0], far[1], 0); err != nil {
		t.Fatal(err)
	}
	if k.series, err = st.Series(c, "gas-1", far[0], far[1], time.Minute); err != nil {
		t.Fatal(err)
	}
	if k.silent, err = st.ActiveSilences(c, base); err != nil {
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
	must(st.PutSilence(c, alarm.Silence{ID: "SI-dur", Types: []alarm.Type{alarm.LowBattery}, AreaIDs: []string{"area-1"},
		From: at(-time.Minute), To: at(2 * time.Hour), By: "张伟", Reason: "更换电池"}))
	must(st.PutSilence(c, silence("SI-ended", -2*time.Hour, -time.Hour)))
	writeHistory(t, st)
}

// writeHistory writes 100 positions of p-1 and p-2, 100 readings of gas-1
// and gas-2 and rollups of 10 minutes of gas-1.
func writeHistory(t *testing.T, st store.Store) {
	t.Helper()
	c := ctx(t)
	var ps []store.Position
	var rs []store.Reading
	var ru []store.Rollup
	for i := range 100 {
		d := time.Duration(i) * 2 * time.Second
		p := fix(fmt.Sprintf("p-%d", 1+i%2), d, float64(i%7), float64(i%5))
		p.Z, p.Floor, p.AreaID = float64(i)/4, i%3-1, fmt.Sprintf("area-%d", i%3)
		ps = append(ps, p)
		rs = append(rs, store.Reading{DetectorID: fmt.Sprintf("gas-%d", 1+i%2), At: at(d), Value: float64(i) / 8,
			Unit: "%LEL", Fault: i%10 == 0})
		if i < 10 {
			ru = append(ru, rollup("gas-1", time.Duration(i)*time.Minute, float64(i), float64(i+2), float64(3*i+3), 3))
		}
	}
	if err := errors.Join(st.AppendPositions(c, ps), st.AppendReadings(c, rs), st.AppendRollups(c, ru)); err != nil {
		t.Fatal(err)
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
	same(t, "track after reopen", after.track, before.track)
	same(t, "readings after reopen", after.reads, before.reads)
	same(t, "series after reopen", after.series, before.series)
	same(t, "silences after reopen", after.silent, before.silent)
	if len(before.silent) != 1 || before.silent[0].ID != "SI-dur" {
		t.Errorf("before reopen: silences %+v, want SI-dur only", before.silent)
	}
	if len(before.track) != 50 || len(before.reads) != 50 || len(before.series) != 10 {
		t.Errorf("before reopen: %d positions, %d readings, %d series points; want 50, 50, 10",
			len(before.track), len(before.reads), len(before.series))
	}
	s.testDurableHistory(t, st2, before)

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

// testDurableHistory checks, after reopen, that a position with the same
// time as the last stored one comes after it (append order holds across
// reopen) and that a rollup merges into a minute written before reopen.
func (s suite) testDurableHistory(t *testing.T, st store.Store, before contents) {
	c := ctx(t)
	last := before.track[len(before.track)-1]
	again := last
	again.Lon, again.Lat = grid(9, 9)[0], grid(9, 9)[1]
	if err := st.AppendPositions(c, []store.Position{again}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Track(c, "p-1", last.At, last.At, 0)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "equal times across reopen", got, []store.Position{last, again})

	if err := st.AppendRollups(c, []store.Rollup{rollup("gas-1", 0, -1, 1, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	pts, err := st.Series(c, "gas-1", base, base, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "rollup merged across reopen", pts, []store.SeriesPoint{point(0, -1, 2, 4, 4)})
}
