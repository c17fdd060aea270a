package history

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// errDown is what the fake store answers while it is "unreachable".
var errDown = errors.New("fake: connection refused")

// fakeStore is a store.History at the I/O boundary: it keeps rows in
// memory and can be made to fail, to test buffering, retry and overflow.
type fakeStore struct {
	mu        sync.Mutex
	positions []store.Position
	readings  []store.Reading
	rollups   []store.Rollup
	down      bool             // every write fails with errDown
	failNext  int              // the next n writes fail with errDown
	invalid   func(any) bool   // rows refused with store.ErrInvalid
	attempts  int              // write calls
	purges    []purgeCall      // Purge calls
	purgeErr  map[string]error // kind → error of Purge
	wrote     chan struct{}    // signalled (non-blocking) after each successful write
}

type purgeCall struct {
	kind   string
	before time.Time
}

func newFakeStore() *fakeStore { return &fakeStore{wrote: make(chan struct{}, 1)} }

func (f *fakeStore) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

// appendRows is the common write path: all or none, like a transaction.
func appendRows[T any](f *fakeStore, dst *[]T, rows []T) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if f.down {
		return errDown
	}
	if f.failNext > 0 {
		f.failNext--
		return errDown
	}
	for _, r := range rows {
		if f.invalid != nil && f.invalid(r) {
			return fmt.Errorf("%w: %v", store.ErrInvalid, r)
		}
	}
	*dst = append(*dst, rows...)
	select {
	case f.wrote <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeStore) AppendPositions(_ context.Context, ps []store.Position) error {
	return appendRows(f, &f.positions, ps)
}

func (f *fakeStore) AppendReadings(_ context.Context, rs []store.Reading) error {
	return appendRows(f, &f.readings, rs)
}

func (f *fakeStore) AppendRollups(_ context.Context, rs []store.Rollup) error {
	return appendRows(f, &f.rollups, rs)
}

func (f *fakeStore) Track(context.Context, string, time.Time, time.Time, int) ([]store.Position, error) {
	return nil, errors.New("fake: not implemented")
}

func (f *fakeStore) Presence(context.Context, store.PresenceQuery) ([]store.Presence, error) {
	return nil, errors.New("fake: not implemented")
}

func (f *fakeStore) Readings(context.Context, string, time.Time, time.Time, int) ([]store.Reading, error) {
	return nil, errors.New("fake: not implemented")
}

func (f *fakeStore) Series(context.Context, string, time.Time, time.Time, time.Duration) ([]store.SeriesPoint, error) {
	return nil, errors.New("fake: not implemented")
}

func (f *fakeStore) Purge(_ context.Context, kind string, before time.Time) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.purges = append(f.purges, purgeCall{kind, before})
	if err := f.purgeErr[kind]; err != nil {
		return 0, err
	}
	var n int64
	switch kind {
	case store.KindPositions:
		f.positions, n = purge(f.positions, func(p store.Position) bool { return p.At.Before(before) })
	case store.KindReadings:
		f.readings, n = purge(f.readings, func(r store.Reading) bool { return r.At.Before(before) })
	case store.KindRollups:
		f.rollups, n = purge(f.rollups, func(r store.Rollup) bool { return r.Minute.Before(before) })
	default:
		return 0, fmt.Errorf("%w: kind %q", store.ErrInvalid, kind)
	}
	return n, nil
}

func purge[T any](rows []T, old func(T) bool) ([]T, int64) {
	n := len(rows)
	rows = slices.DeleteFunc(rows, old)
	return rows, int64(n - len(rows))
}

// snapshot returns copies of what the store holds.
func (f *fakeStore) snapshot() (ps []store.Position, rs []store.Reading, ru []store.Rollup) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.positions), slices.Clone(f.readings), slices.Clone(f.rollups)
}

var _ store.History = (*fakeStore)(nil)
