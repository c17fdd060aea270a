package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// testHistoryConcurrency appends positions from 8 goroutines, each its own
// entity, while each also merges a rollup into one shared (detector,
// minute) and 2 more goroutines read; afterwards every position is there in
// order, and the shared minute holds every merge (min of the mins, max of
// the maxes, every count and sum). Batches: 20 of 25 positions per writer,
// 8 under -race or -short.
func (s suite) testHistoryConcurrency(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	writers, batches, size := 8, 20, 25
	if testing.Short() || raceEnabled {
		batches = 8
	}
	var wg, readers sync.WaitGroup
	done := make(chan struct{})
	for range 2 {
		readers.Go(func() { readHistoryUntil(t, st, done) })
	}
	for g := range writers {
		wg.Go(func() {
			entity := fmt.Sprintf("g%d", g)
			for b := range batches {
				ps := make([]store.Position, size)
				for i := range ps {
					ps[i] = fix(entity, time.Duration(b*size+i)*time.Second, float64(g), float64(i))
				}
				r := rollup("shared", 0, float64(-g), float64(g), 2, 1)
				if err := errors.Join(st.AppendPositions(c, ps), st.AppendRollups(c, []store.Rollup{r})); err != nil {
					t.Errorf("%s batch %d: %v", entity, b, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	for g := range writers {
		got, err := st.Track(c, fmt.Sprintf("g%d", g), far[0], far[1], 0)
		if err != nil || len(got) != batches*size {
			t.Errorf("g%d: %d positions, %v; want %d", g, len(got), err, batches*size)
			continue
		}
		for i, p := range got {
			if !p.At.Equal(at(time.Duration(i) * time.Second)) {
				t.Errorf("g%d: position %d at %v, want base+%ds", g, i, p.At, i)
				break
			}
		}
	}
	n := writers * batches
	want := []store.SeriesPoint{{At: base, Min: float64(1 - writers), Max: float64(writers - 1), Avg: 2, N: n}}
	got, err := st.Series(c, "shared", far[0], far[1], time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "rollup merged from every writer", got, want)
}

// readHistoryUntil reads while the writers write, up to 100 rounds.
func readHistoryUntil(t *testing.T, st store.Store, done <-chan struct{}) {
	c := ctx(t)
	area := square(0, 0, 4, 4)
	for range 100 {
		select {
		case <-done:
			return
		default:
		}
		_, err1 := st.Track(c, "g0", far[0], far[1], 10)
		_, err2 := st.Presence(c, store.PresenceQuery{Area: area.Bound(), From: far[0], To: far[1]})
		_, err3 := st.Series(c, "shared", far[0], far[1], time.Minute)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Errorf("concurrent read: %v", err)
			return
		}
	}
}
