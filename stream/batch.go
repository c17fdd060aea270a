package stream

import (
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// batch collects the deltas published between two flushes. Moves coalesce
// per entity (latest wins); upserts and removes coalesce per entity too, so
// a batch never holds more than one move and one delta per entity and its
// size is bounded by the scene, however long a flush is delayed.
//
// A batch is not safe for concurrent use; the hub guards the pending one.
type batch struct {
	moves   []move
	moveIdx map[string]int // entity id → index in moves
	deltas  []delta
	deltaIx map[string]int // entity id → index in deltas
	items   []byte         // arena of encoded positions items
}

// move is the coalesced moves of one entity in a batch.
type move struct {
	id    string
	layer twin.Layer
	bit   uint64   // layer's bit in subscription.mask, set by the flush
	fix   twin.Fix // the latest position
	rev   uint64
	// prev is the position before the batch's first move, the one the
	// clients last saw: a move goes to a client whose bbox holds prev or fix.
	prev    orb.Point
	hadPrev bool
	gone    bool // removed later in the batch
	// item is the encoded positions item, items[item.from:item.to] of the
	// batch, filled by the flush on first use.
	item struct{ from, to int }
}

// delta is the latest upsert or remove of one entity in a batch.
type delta struct {
	d   twin.Delta
	enc []byte // encoded feature or remove, filled by the flush
	bad bool   // the feature could not be encoded
	// prev is where the clients saw the entity before the batch (hadPrev:
	// they were shown it at all), filled by the flush from the hub's
	// ledger; leave is the encoded remove from prev's layer, for clients
	// whose view the entity left.
	prev    seen
	hadPrev bool
	leave   []byte
}

func newBatch() *batch {
	return &batch{moveIdx: make(map[string]int), deltaIx: make(map[string]int)}
}

func (b *batch) empty() bool { return len(b.moves) == 0 && len(b.deltas) == 0 }

// reset empties the batch, keeping its memory for the next round.
func (b *batch) reset() {
	clear(b.moves)
	b.moves = b.moves[:0]
	clear(b.moveIdx)
	clear(b.deltas)
	b.deltas = b.deltas[:0]
	clear(b.deltaIx)
	b.items = b.items[:0]
}

// add folds one delta of a scene Result into the batch.
func (b *batch) add(d *twin.Delta) {
	if d.Layer == "" {
		return // the site root belongs to no layer
	}
	switch d.Op {
	case twin.OpMove:
		b.addMove(d)
	case twin.OpUpsert:
		if d.Entity == nil {
			return
		}
		b.followUpsert(d)
		b.putDelta(d)
	case twin.OpRemove:
		if i, ok := b.moveIdx[d.ID]; ok {
			b.moves[i].gone = true
			delete(b.moveIdx, d.ID)
		}
		b.putDelta(d)
	}
}

func (b *batch) addMove(d *twin.Delta) {
	if i, ok := b.moveIdx[d.ID]; ok {
		m := &b.moves[i]
		m.fix, m.rev = d.Fix, d.Rev
		return
	}
	b.moveIdx[d.ID] = len(b.moves)
	b.moves = append(b.moves, move{
		id: d.ID, layer: d.Layer, fix: d.Fix, rev: d.Rev, prev: d.Prev, hadPrev: d.HadPrev,
	})
}

// followUpsert keeps a pending move the latest position: an upsert later
// than the move carries a newer (or the same) position, and the positions
// frame, sent after the delta frame, must not put the entity back.
func (b *batch) followUpsert(d *twin.Delta) {
	i, ok := b.moveIdx[d.ID]
	e := d.Entity
	if !ok || !e.Placed() || e.Mobile == nil {
		return
	}
	m := &b.moves[i]
	m.fix = e.Mobile.Fix
	m.fix.Point = e.Point()
	if m.fix.At.IsZero() {
		m.fix.At = e.Updated
	}
	m.rev = d.Rev
}

func (b *batch) putDelta(d *twin.Delta) {
	if i, ok := b.deltaIx[d.ID]; ok {
		b.deltas[i] = delta{d: *d}
		return
	}
	b.deltaIx[d.ID] = len(b.deltas)
	b.deltas = append(b.deltas, delta{d: *d})
}

// markLayers sets each move's layer bit, so that planning a group tests a
// mask rather than looking the layer up once per move and group.
func (b *batch) markLayers() {
	var last twin.Layer
	var bit uint64
	for i := range b.moves {
		m := &b.moves[i]
		if i == 0 || m.layer != last {
			last, bit = m.layer, layerBits[m.layer]
		}
		m.bit = bit
	}
}

// encodedItem returns the positions item of b.moves[i], encoding it into
// the arena on first use.
func (b *batch) encodedItem(i int) []byte {
	m := &b.moves[i]
	if m.item.to == 0 {
		m.item.from = len(b.items)
		b.items = appendItem(b.items, m.id, m.fix)
		m.item.to = len(b.items)
	}
	return b.items[m.item.from:m.item.to]
}

// hasUpsert returns the index of the batch's upsert of id, if any.
func (b *batch) hasUpsert(id string) (int, bool) {
	i, ok := b.deltaIx[id]
	if !ok || b.deltas[i].d.Op != twin.OpUpsert {
		return 0, false
	}
	return i, true
}
