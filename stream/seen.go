package stream

import (
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// seen is where the clients were last shown an entity: its layer and its
// bound as of the last flush. An upsert whose new bound (or layer) takes
// the entity out of a client's view needs it: the new state alone cannot
// tell that the client holds the entity at its old place.
type seen struct {
	layer  twin.Layer
	bound  orb.Bound // as indexed by the scene (a point's is the point)
	placed bool
}

func seenOf(e *twin.Entity) seen {
	return seen{layer: e.Kind.Layer(), bound: e.Bound(), placed: e.Placed()}
}

func seenAt(l twin.Layer, p orb.Point) seen {
	return seen{layer: l, bound: orb.Bound{Min: p, Max: p}, placed: true}
}

// ledger maps entity ids to where the clients last saw them. The hub's is
// seeded from the scene in New and advanced by every flush (under
// Hub.flushMu), so that each lookup is one map read, never a scan. Entries
// are pointers so that a move, the hot path, updates its entry in place.
type ledger map[string]*seen

// seedLedger records every entity of a layer in the scene.
func seedLedger(s *twin.Scene) ledger {
	l := make(ledger)
	s.View(func(tx twin.Tx) {
		for _, info := range twin.Layers {
			for _, k := range info.Kinds {
				tx.Kind(k, func(e *twin.Entity) bool {
					l.put(e.ID, seenOf(e))
					return true
				})
			}
		}
	})
	return l
}

func (l ledger) put(id string, s seen) {
	if p := l[id]; p != nil {
		*p = s
		return
	}
	l[id] = &s
}

// recall gives each of the batch's deltas the state its entity had before
// the batch: the ledger still holds the previous flush's view.
func (b *batch) recall(l ledger) {
	for i := range b.deltas {
		d := &b.deltas[i]
		if p := l[d.d.ID]; p != nil {
			d.prev, d.hadPrev = *p, true
		}
	}
}

// record advances the ledger past the batch: a move leaves its entity at
// its latest fix (an upsert later in the batch moved the fix along, see
// batch.followUpsert), an upsert gives it its layer (and its bound, unless
// a move of the batch has the latest position), a remove forgets it.
func (b *batch) record(l ledger) {
	for i := range b.moves {
		m := &b.moves[i]
		if m.gone {
			continue
		}
		if p := l[m.id]; p != nil { // only an upsert changes the layer
			p.bound, p.placed = orb.Bound{Min: m.fix.Point, Max: m.fix.Point}, true
			continue
		}
		s := seenAt(m.layer, m.fix.Point)
		l[m.id] = &s
	}
	for i := range b.deltas {
		d := &b.deltas[i].d
		switch {
		case d.Op == twin.OpRemove:
			delete(l, d.ID)
		case d.Op == twin.OpUpsert:
			s := seenOf(d.Entity)
			if j, ok := b.moveIdx[d.ID]; ok {
				s = seenAt(s.layer, b.moves[j].fix.Point)
			}
			l.put(d.ID, s)
		}
	}
}

// saw reports whether a client of the subscription was shown an entity
// where s puts it: its layer is subscribed and, with a bbox, its bound
// met the bbox (as in snapshots and upserts).
func (s *subscription) saw(p seen) bool {
	if !s.has(p.layer) {
		return false
	}
	return s.bbox == nil || (p.placed && s.bbox.Intersects(p.bound))
}

// follows reports whether the subscription gets a positions item for the
// move: its layer is subscribed and its new or its previous position is in
// the bbox (as flushRun.plan selects them; the batch's layers are marked).
func (s *subscription) follows(m *move) bool {
	return !m.gone && s.mask&m.bit != 0 && (s.covers(m.fix.Point) || m.hadPrev && s.covers(m.prev))
}
