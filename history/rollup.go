package history

import (
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// aggregator builds per-minute rollups: one open accumulator per detector,
// for the minute of its latest reading. It does no locking: the Recorder's
// mutex guards it.
type aggregator struct {
	open map[string]*store.Rollup // by detector id
}

func newAggregator() aggregator { return aggregator{open: make(map[string]*store.Rollup)} }

// add folds a non-faulted reading into its detector's minute. A reading of
// a later minute, or in another unit, closes the open one (emitted); a late
// reading of an earlier minute is emitted at once as a one-reading rollup,
// which the store merges into the minute already written.
func (a *aggregator) add(rd store.Reading, emit func(store.Rollup)) {
	minute := rd.At.UTC().Truncate(time.Minute)
	acc, ok := a.open[rd.DetectorID]
	switch {
	case ok && minute.Equal(acc.Minute) && rd.Unit == acc.Unit:
		acc.Min, acc.Max = min(acc.Min, rd.Value), max(acc.Max, rd.Value)
		acc.Sum += rd.Value
		acc.N++
		return
	case ok && minute.Before(acc.Minute):
		emit(single(rd, minute))
		return
	case ok:
		emit(*acc)
	}
	r := single(rd, minute)
	a.open[rd.DetectorID] = &r
}

func single(rd store.Reading, minute time.Time) store.Rollup {
	return store.Rollup{DetectorID: rd.DetectorID, Minute: minute, Min: rd.Value, Max: rd.Value, Sum: rd.Value, N: 1, Unit: rd.Unit}
}

// closeBefore emits and forgets the minutes that ended at or before t.
func (a *aggregator) closeBefore(t time.Time, emit func(store.Rollup)) {
	for id, acc := range a.open {
		if !acc.Minute.Add(time.Minute).After(t) {
			emit(*acc)
			delete(a.open, id)
		}
	}
}

// closeDetector emits and forgets one detector's open minute.
func (a *aggregator) closeDetector(id string, emit func(store.Rollup)) {
	if acc, ok := a.open[id]; ok {
		emit(*acc)
		delete(a.open, id)
	}
}

// closeAll emits and forgets every open minute (shutdown).
func (a *aggregator) closeAll(emit func(store.Rollup)) {
	for id, acc := range a.open {
		emit(*acc)
		delete(a.open, id)
	}
}
