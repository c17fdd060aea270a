package stream

import (
	"github.com/gorilla/websocket"

	"github.com/chemtwin/chemtwin/twin"
)

// flush turns the pending batch into frames: once per subscription group,
// as prepared messages (encoded, and compressed, once), offered to each
// member's bounded queue. Items are encoded once per batch and shared by
// the groups. It never blocks on a client.
func (h *Hub) flush() {
	h.flushMu.Lock()
	defer h.flushMu.Unlock()
	h.pendMu.Lock()
	b := h.pend
	h.pend, h.spare = h.spare, nil
	h.pendMu.Unlock()
	defer func() {
		b.reset()
		h.pendMu.Lock()
		h.spare = b
		h.pendMu.Unlock()
	}()
	if b.empty() {
		return
	}
	b.recall(h.seen)
	b.markLayers()
	groups, members := h.liveGroups()
	run := flushRun{h: h, b: b, ts: h.now(), buf: h.flushBuf, out: h.flushOut}
	defer func() { h.flushBuf, h.flushOut = run.buf, run.out }()
	plans := make([]plan, len(groups))
	for i, g := range groups {
		plans[i] = run.plan(g)
	}
	run.fetch(plans)
	for i := range plans {
		run.send(&plans[i], members[i])
	}
	b.record(h.seen) // after the frames are out: the next flush recalls it
}

// liveGroups copies the groups that take live frames and their members.
func (h *Hub) liveGroups() ([]*group, [][]*client) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	groups := make([]*group, 0, len(h.groups))
	members := make([][]*client, 0, len(h.groups))
	for _, g := range h.groups {
		if g.sub.mask&^layerBits[twin.LayerAlarms] == 0 {
			continue
		}
		cs := make([]*client, 0, len(g.members))
		for c := range g.members {
			cs = append(cs, c)
		}
		groups = append(groups, g)
		members = append(members, cs)
	}
	return groups, members
}

// flushRun is the state of one flush.
type flushRun struct {
	h       *Hub
	b       *batch
	ts      int64
	fetched map[string]fetched // entities entering a bbox, from the scene
	buf     []byte             // body scratch
	out     []byte             // frame scratch; NewPreparedMessage copies it
}

type fetched struct {
	enc []byte // nil when the entity is gone or could not be encoded
	rev uint64
}

// plan is what one group gets from a batch (indexes into the batch).
type plan struct {
	g       *group
	upserts []int
	removes []int
	leaves  []int // upserts and removes that take the entity out of view
	swaps   []int // kind changes shown in both layers (see send)
	moves   []int
	enter   []string // entering the bbox, full feature to fetch
}

// plan selects the batch's deltas and moves for group g. An upsert goes to
// the group when its entity meets the bbox; a remove whenever its layer is
// subscribed; a move when its new or previous position is in the bbox. A
// move into the bbox of an entity the client does not hold becomes an
// upsert, so that the client has its properties. An entity the group was
// shown that an upsert takes out of its view gets a remove (see leaves).
func (r *flushRun) plan(g *group) plan {
	p := plan{g: g}
	sub := &g.sub
	for i := range r.b.deltas {
		dl := &r.b.deltas[i]
		d := &dl.d
		shown := false
		switch {
		case !sub.has(d.Layer):
		case d.Op == twin.OpRemove:
			p.removes = append(p.removes, i)
		case sub.shows(d.Entity):
			p.upserts = append(p.upserts, i)
			shown = true
		}
		switch {
		case !dl.hadPrev || !r.leaves(sub, dl, shown):
		case shown:
			p.swaps = append(p.swaps, i)
		default:
			p.leaves = append(p.leaves, i)
		}
	}
	for i := range r.b.moves {
		m := &r.b.moves[i]
		if m.gone || sub.mask&m.bit == 0 {
			continue
		}
		in, was := sub.covers(m.fix.Point), m.hadPrev && sub.covers(m.prev)
		if !in && !was {
			continue
		}
		if sub.bbox != nil && in && !was {
			j, ok := r.b.hasUpsert(m.id)
			if !ok {
				p.enter = append(p.enter, m.id)
				continue
			}
			if !sub.shows(r.b.deltas[j].d.Entity) {
				p.upserts = append(p.upserts, j)
			}
		}
		p.moves = append(p.moves, i)
	}
	return p
}

// leaves reports whether the delta takes its entity out of the view of a
// group that was shown it before the batch: into a layer the group does
// not hold it in (kind changed; the remove names the old layer), or out of
// its bbox. A person or vehicle whose move of the batch reaches the group
// is told by its positions item instead (an item outside the bbox means it
// left), as for any move.
func (r *flushRun) leaves(sub *subscription, dl *delta, shown bool) bool {
	if !sub.saw(dl.prev) {
		return false
	}
	if dl.prev.layer != dl.d.Layer {
		return true
	}
	if dl.d.Op == twin.OpRemove || shown {
		return false
	}
	if j, ok := r.b.moveIdx[dl.d.ID]; ok {
		if sub.follows(&r.b.moves[j]) {
			return false
		}
	}
	return true
}

// fetch clones the entering entities of every plan under one read lock and
// encodes them after it. The scene is at least as new as the batch, so no
// position item is sent for them.
func (r *flushRun) fetch(plans []plan) {
	ids := make(map[string]*twin.Entity)
	for i := range plans {
		for _, id := range plans[i].enter {
			ids[id] = nil
		}
	}
	if len(ids) == 0 {
		return
	}
	r.h.opts.Scene.View(func(tx twin.Tx) {
		for id := range ids {
			if e := tx.Get(id); e != nil {
				ids[id] = e.Clone()
			}
		}
	})
	r.fetched = make(map[string]fetched, len(ids))
	for id, e := range ids {
		if e == nil {
			continue
		}
		enc, err := encodeFeature(e)
		if err != nil {
			r.h.encodeFailed(id, err)
			continue
		}
		r.fetched[id] = fetched{enc: enc, rev: e.Rev}
	}
}

// send builds the group's delta and positions frames and offers them. The
// removes of kind changes the group sees in both layers go ahead in a
// delta of their own, so that a client applying a frame's upserts before
// its removes does not drop the entity it just got in its new layer.
func (r *flushRun) send(p *plan, members []*client) {
	if len(p.swaps) > 0 {
		if f, ok := r.deltaFrame(&plan{g: p.g, leaves: p.swaps}); ok {
			offer(members, f)
		}
	}
	if f, ok := r.deltaFrame(p); ok {
		offer(members, f)
	}
	if f, ok := r.positionsFrame(p); ok {
		offer(members, f)
	}
}

func offer(members []*client, f liveFrame) {
	for _, c := range members {
		c.offerLive(f)
	}
}

// deltaFrame encodes {"type":"delta",…,"upserts":[…],"removes":[…]}.
func (r *flushRun) deltaFrame(p *plan) (liveFrame, bool) {
	var body []byte
	var rev uint64
	n := 0
	body = append(r.buf[:0], `,"upserts":[`...)
	for _, i := range p.upserts {
		d := &r.b.deltas[i]
		if enc := r.upsert(d); enc != nil {
			body, n, rev = appendElem(body, n, enc), n+1, max(rev, d.d.Rev)
		}
	}
	for _, id := range p.enter {
		if f := r.fetched[id]; f.enc != nil {
			body, n, rev = appendElem(body, n, f.enc), n+1, max(rev, f.rev)
		}
	}
	body = append(body, `],"removes":[`...)
	k := 0
	for _, i := range p.removes {
		d := &r.b.deltas[i]
		if d.enc == nil {
			d.enc = appendRemove(nil, d.d.ID, d.d.Layer)
		}
		body, k, rev = appendElem(body, k, d.enc), k+1, max(rev, d.d.Rev)
	}
	for _, i := range p.leaves {
		d := &r.b.deltas[i]
		if d.leave == nil {
			d.leave = appendRemove(nil, d.d.ID, d.prev.layer)
		}
		body, k, rev = appendElem(body, k, d.leave), k+1, max(rev, d.d.Rev)
	}
	body = append(body, "]}"...)
	r.buf = body
	if n+k == 0 {
		return liveFrame{}, false
	}
	return r.frame(p.g, frameDelta, rev, body)
}

// upsert returns the delta's encoded feature, encoding it on first use.
func (r *flushRun) upsert(d *delta) []byte {
	if d.enc == nil && !d.bad {
		enc, err := encodeFeature(d.d.Entity)
		if err != nil {
			d.bad = true
			r.h.encodeFailed(d.d.ID, err)
		}
		d.enc = enc
	}
	return d.enc
}

// positionsFrame encodes {"type":"positions",…,"items":[[id,lon,lat,z,floor,ts],…]}.
func (r *flushRun) positionsFrame(p *plan) (liveFrame, bool) {
	if len(p.moves) == 0 {
		return liveFrame{}, false
	}
	var rev uint64
	body := append(r.buf[:0], `,"items":[`...)
	for n, i := range p.moves {
		body, rev = appendElem(body, n, r.b.encodedItem(i)), max(rev, r.b.moves[i].rev)
	}
	body = append(body, "]}"...)
	r.buf = body
	return r.frame(p.g, framePositions, rev, body)
}

func appendElem(b []byte, n int, elem []byte) []byte {
	if n > 0 {
		b = append(b, ',')
	}
	return append(b, elem...)
}

// frame numbers a frame in its group and prepares it. The seq is taken
// after the batch was taken, so a snapshot that reads the group's seq
// first covers every frame at or below that seq.
func (r *flushRun) frame(g *group, typ string, rev uint64, body []byte) (liveFrame, bool) {
	seq := g.seq.Add(1)
	g.dropSnapshot()
	data := appendHeader(r.out[:0], typ, seq, r.ts)
	data = appendRev(data, rev)
	data = append(data, body...)
	r.out = data
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		r.h.log.Error("prepare frame", "err", err, "type", typ)
		return liveFrame{}, false
	}
	return liveFrame{g: g, seq: seq, typ: typ, pm: pm, size: len(data)}, true
}
