package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// testHistoryPurge checks Purge(kind, before) for each kind: rows strictly
// older than before go (compared to the millisecond), rows at before stay,
// the count is returned, other kinds are untouched, and an unknown kind is
// store.ErrInvalid.
func (s suite) testHistoryPurge(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	ms, m := time.Millisecond, time.Minute
	ps := []store.Position{
		fix("p-1", -time.Hour, 0, 0), fix("p-1", -ms, 0, 0), fix("p-1", 0, 0, 0), fix("p-1", ms, 0, 0),
		fix("p-2", -ms, 0, 0), fix("p-2", 0, 0, 0),
	}
	rs := []store.Reading{
		reading("gas-1", -time.Hour, 1), reading("gas-1", -ms, 2), reading("gas-1", 0, 3),
		reading("gas-2", -ms, 4), reading("gas-2", ms, 5),
	}
	ru := []store.Rollup{
		rollup("gas-1", -2*m, 1, 1, 1, 1), rollup("gas-1", -m, 1, 1, 1, 1),
		rollup("gas-1", 0, 1, 1, 1, 1), rollup("gas-1", m, 1, 1, 1, 1),
	}
	if err := errors.Join(st.AppendPositions(c, ps), st.AppendReadings(c, rs), st.AppendRollups(c, ru)); err != nil {
		t.Fatal(err)
	}
	purge := func(kind string, before time.Time, want int64) {
		t.Helper()
		if n, err := st.Purge(c, kind, before); err != nil || n != want {
			t.Errorf("Purge(%s, %v) = %d, %v; want %d, nil", kind, before.Format(time.RFC3339Nano), n, err, want)
		}
	}
	for _, kind := range []string{"", "alarms", "Positions", "events"} {
		if _, err := st.Purge(c, kind, far[1]); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Purge(%q) error = %v, want store.ErrInvalid", kind, err)
		}
	}
	purge(store.KindPositions, at(999*time.Microsecond), 3) // before truncates to base: rows at base stay
	purge(store.KindPositions, base, 0)
	got, err1 := st.Track(c, "p-1", far[0], far[1], 0)
	got2, err2 := st.Track(c, "p-2", far[0], far[1], 0)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	same(t, "p-1 after purge", got, ps[2:4])
	same(t, "p-2 after purge", got2, ps[5:6])

	purge(store.KindReadings, base, 3)
	r1, err1 := st.Readings(c, "gas-1", far[0], far[1], 0)
	r2, err2 := st.Readings(c, "gas-2", far[0], far[1], 0)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	same(t, "gas-1 readings after purge", r1, rs[2:3])
	same(t, "gas-2 readings after purge", r2, rs[4:5])

	purge(store.KindRollups, base, 2)
	purge(store.KindRollups, at(30*time.Second), 1) // the minute at base starts before base+30 s
	series, err := st.Series(c, "gas-1", far[0], far[1], m)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "series after purge", series, []store.SeriesPoint{point(m, 1, 1, 1, 1)})

	// Each kind purged only itself: the rows left above are all there are.
	purge(store.KindPositions, far[1], 3)
	purge(store.KindReadings, far[1], 2)
	purge(store.KindRollups, far[1], 1)
}
