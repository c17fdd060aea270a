package ingest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/twin"
)

// applyLoop is the single applier: it drains the queue into batches of up
// to BatchSize (or whatever is queued) and applies each with one
// Scene.Apply. It returns once the queue is closed and drained.
func (in *Ingest) applyLoop(done chan<- struct{}) {
	defer close(done)
	var b batcher
	batch := make([]item, 0, in.opts.BatchSize)
	for it := range in.queue {
		batch = append(batch[:0], it)
	fill:
		for len(batch) < in.opts.BatchSize {
			select {
			case it, ok := <-in.queue:
				if !ok {
					break fill
				}
				batch = append(batch, it)
			default:
				break fill
			}
		}
		b.apply(in, batch)
		in.prune()
	}
}

// Positioning state of a tag silent this long is dropped (its next report
// starts a fresh track, as after locate.Options.MaxGap anyway).
const (
	pruneEvery = time.Minute
	pruneAfter = 10 * time.Minute
)

// prune drops the solver state of long-silent tags, so that tags that
// come and go (or garbage tag ids) do not accumulate.
func (in *Ingest) prune() {
	now := in.opts.Clock()
	if in.loc == nil || now.Sub(in.lastPrune) < pruneEvery {
		return
	}
	in.lastPrune = now
	if n := in.loc.Prune(now.Add(-pruneAfter)); n > 0 {
		in.log.Debug("positioning state of silent tags dropped", "tags", n)
	}
}

// batcher holds the applier's reusable buffers.
type batcher struct {
	changes  []twin.Change
	owners   []int // owners[i] is the batch index of changes[i]
	rejected []rejected
	solved   []solved // per batch item: the positioning solver's answer
}

// solved is what the positioning solver made of one item, if it took it.
type solved struct {
	done   bool
	change twin.Change
	err    error
}

type rejected struct {
	topic Topic
	err   error
}

// apply resolves a batch against the scene (one read lock), applies the
// resulting changes (one write lock) and accounts for every message. The
// positioning solver needs no scene, so BLE reports and filtered fixes are
// solved before the read lock is taken: a batch of them must not hold the
// scene's writers off.
func (b *batcher) apply(in *Ingest, batch []item) {
	b.changes, b.owners, b.rejected = b.changes[:0], b.owners[:0], b.rejected[:0]
	b.solved = slices.Grow(b.solved[:0], len(batch))[:len(batch)]
	for i, it := range batch {
		b.solved[i] = in.solve(it)
	}
	in.opts.Scene.View(func(tx twin.Tx) {
		for i, it := range batch {
			c, err := b.solved[i].change, b.solved[i].err
			if !b.solved[i].done {
				c, err = in.resolve(tx, it)
			}
			b.solved[i] = solved{} // drop references for the GC
			if err != nil {
				b.rejected = append(b.rejected, rejected{it.topic, err})
				continue
			}
			b.changes = append(b.changes, c)
			b.owners = append(b.owners, i)
		}
	})
	if len(b.changes) > 0 {
		in.applyChanges(b, batch)
	}
	for _, r := range b.rejected { // logged after the locks are released
		in.reject(r.topic, r.err)
	}
}

func (in *Ingest) applyChanges(b *batcher, batch []item) {
	start := time.Now()
	res := in.opts.Scene.Apply(b.changes...)
	in.m.applySeconds.Observe(time.Since(start).Seconds())
	in.m.batchSize.Observe(float64(len(b.changes)))
	failed := make(map[int]bool, len(res.Errs))
	for _, ce := range res.Errs {
		failed[ce.Index] = true
		b.rejected = append(b.rejected, rejected{batch[b.owners[ce.Index]].topic, applyError(ce.Err)})
	}
	for i, owner := range b.owners {
		if failed[i] {
			continue
		}
		it := batch[owner]
		in.m.messages.WithLabelValues(string(it.topic.Kind)).Inc()
		if ev, ok := it.msg.(CameraEvent); ok && !ev.Known {
			in.m.unknownEvents.Inc()
		}
	}
	for _, ev := range res.Events {
		if ev.Type == twin.EventUnregisteredTag {
			in.m.unregistered.Inc()
		}
	}
}

// applyError maps a twin error to a rejection.
func applyError(err error) error {
	switch {
	case errors.Is(err, twin.ErrStale):
		return fmt.Errorf("%w: %w", ErrOutOfOrder, err)
	case errors.Is(err, twin.ErrNotFound), errors.Is(err, twin.ErrUnknownTag), errors.Is(err, twin.ErrNotMobile):
		return fmt.Errorf("%w: %w", ErrUnknownEntity, err)
	}
	return fmt.Errorf("%w: %w", ErrApplyFailed, err)
}

// solve runs the items that go through the positioning solver — BLE
// reports, and fixes with an accuracy — and reports whether it took it.
func (in *Ingest) solve(it item) solved {
	switch m := it.msg.(type) {
	case Position:
		if m.AccuracyM > 0 && in.loc != nil {
			c, err := in.filterPosition(it.topic.ID, m)
			return solved{true, c, err}
		}
	case RSSI:
		c, err := in.resolveRSSI(it.topic.ID, m)
		return solved{true, c, err}
	}
	return solved{}
}

// resolve turns a parsed message the solver did not take into a twin
// change, checking it against the scene: entity ids and kinds, detector
// units.
func (in *Ingest) resolve(tx twin.Tx, it item) (twin.Change, error) {
	id := it.topic.ID
	switch m := it.msg.(type) {
	case Position:
		return m.Move(id), nil
	case Reading:
		e, err := entityOf(tx, id, twin.KindGasDetector)
		if err != nil {
			return nil, err
		}
		if want := e.String("unit"); want != "" && want != m.Unit {
			return nil, fmt.Errorf("%w: %s reports %s, configured %s", ErrUnitMismatch, id, m.Unit, want)
		}
		return twin.SetState{ID: id, At: m.At, State: m.State()}, nil
	case Weather:
		if _, err := entityOf(tx, id, twin.KindWeatherStation); err != nil {
			return nil, err
		}
		return twin.SetState{ID: id, At: m.At, State: m.State()}, nil
	case CameraEvent:
		if _, err := entityOf(tx, id, twin.KindCamera); err != nil {
			return nil, err
		}
		return twin.SetState{ID: id, At: m.At, State: m.State()}, nil
	}
	return nil, fmt.Errorf("%w: message %T", ErrInternal, it.msg)
}

// resolveRSSI places a tag from the beacons it heard with the positioning
// solver (log-distance path loss, robust least squares, per-tag filter on
// the map; geo/locate).
func (in *Ingest) resolveRSSI(tag string, m RSSI) (twin.Change, error) {
	if in.loc == nil {
		return nil, fmt.Errorf("%w: the scene has no plant frame, so no positioning map", ErrUnknownEntity)
	}
	obs := make([]locate.Obs, len(m.Beacons))
	for i, b := range m.Beacons {
		obs[i] = locate.Obs{ID: b.ID, RSSI: b.RSSI}
	}
	f, err := in.loc.RSSI(tag, m.At, obs)
	if f.Unknown > 0 {
		in.m.unknownBeacons.Add(float64(f.Unknown))
	}
	if err != nil {
		return nil, locateError(err, len(m.Beacons))
	}
	return twin.Move{Tag: tag, Fix: f.Twin(), Battery: m.Battery, SOS: m.SOS}, nil
}

// filterPosition passes a raw fix with an accuracy (UWB, GNSS) through the
// tag's positioning filter.
func (in *Ingest) filterPosition(tag string, p Position) (twin.Change, error) {
	f, err := in.loc.Position(tag, p.Fix.At, p.Fix.Point, p.Fix.Floor, p.AccuracyM)
	if err != nil {
		return nil, locateError(err, 0)
	}
	fix := f.Twin()
	if p.Fix.Z != 0 { // a measured height wins over the floor's
		fix.Z = p.Fix.Z
	}
	if p.Fix.SpeedMS > 0 {
		fix.SpeedMS = p.Fix.SpeedMS
	}
	return twin.Move{Tag: tag, Fix: fix, Battery: p.Battery, SOS: p.SOS}, nil
}

// locateError maps a solver error to a rejection.
func locateError(err error, heard int) error {
	switch {
	case errors.Is(err, locate.ErrNoBeacons):
		return fmt.Errorf("%w: none of the %d beacons heard is a beacon of the scene", ErrUnknownEntity, heard)
	case errors.Is(err, locate.ErrOutOfOrder):
		return fmt.Errorf("%w: %w", ErrOutOfOrder, err)
	case errors.Is(err, locate.ErrBadReport), errors.Is(err, locate.ErrBadPosition):
		return fmt.Errorf("%w: %w", ErrBadField, err)
	}
	return fmt.Errorf("%w: %w", ErrApplyFailed, err)
}

// entityOf returns entity id, which must be of kind k.
func entityOf(tx twin.Tx, id string, k twin.Kind) (*twin.Entity, error) {
	e := tx.Get(id)
	if e == nil {
		return nil, fmt.Errorf("%w: no %s %q", ErrUnknownEntity, k, id)
	}
	if e.Kind != k {
		return nil, fmt.Errorf("%w: %q is a %s, not a %s", ErrUnknownEntity, id, e.Kind, k)
	}
	return e, nil
}
