package park

import "github.com/chemtwin/chemtwin/twin"

// The scene side: people and zones kept for the snapshot tables, and
// positions queued. The helpers below ObserveScene run with mu held.

// ObserveScene takes a scene result: people and zones for the snapshot
// tables, and positions. It is quick and never blocks on the network.
func (u *Uploader) ObserveScene(r twin.Result) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for i := range r.Deltas {
		d := &r.Deltas[i]
		switch d.Kind {
		case twin.KindPerson:
			u.person(d)
		case twin.KindArea, twin.KindFence:
			u.zone(d)
		}
	}
	u.trim()
}

func (u *Uploader) person(d *twin.Delta) {
	st := u.people[d.ID]
	if st != nil && d.Rev < st.rev || u.removed[d.ID] > d.Rev {
		return
	}
	switch d.Op {
	case twin.OpMove:
		u.queueFix(d.ID, d.Fix)
	case twin.OpRemove:
		u.forget(d.ID, d.Rev)
		delete(u.pending, d.ID)
		delete(u.acked, d.ID)
		if st != nil {
			delete(u.people, d.ID)
			u.personGen++
		}
	case twin.OpUpsert:
		rec := personRecord(d.Entity)
		if st == nil {
			st = &personState{}
			u.people[d.ID] = st
		}
		if st.rev == 0 || st.rec != rec {
			u.personGen++
		}
		st.rev, st.rec = d.Rev, rec
		if m := d.Entity.Mobile; m != nil {
			st.area = m.AreaID
			if !m.Fix.At.IsZero() {
				u.queueFix(d.ID, m.Fix)
			}
		}
	}
}

// queueFix keeps the latest fix per person.
func (u *Uploader) queueFix(id string, f twin.Fix) {
	if old, ok := u.pending[id]; ok && !f.At.After(old.At) {
		return
	}
	u.pending[id] = f
}

func (u *Uploader) zone(d *twin.Delta) {
	st := u.zones[d.ID]
	if st != nil && d.Rev < st.rev || u.removed[d.ID] > d.Rev {
		return
	}
	switch d.Op {
	case twin.OpRemove:
		u.forget(d.ID, d.Rev)
		if st != nil {
			delete(u.zones, d.ID)
			u.zoneGen++
		}
	case twin.OpUpsert:
		if st == nil {
			st = &zoneState{runtime: u.seeded}
			u.zones[d.ID] = st
		}
		rec := zoneRecord(d.Entity, st.runtime || temporaryZone(d.Entity))
		if st.rev == 0 || !sameZone(st.rec, rec) {
			u.zoneGen++
		}
		st.rev, st.rec = d.Rev, rec
	}
}

// forget remembers a removal seen before the seed, so that the seed's older
// view does not bring the entity back.
func (u *Uploader) forget(id string, rev uint64) {
	if u.removed != nil {
		u.removed[id] = rev
	}
}

func sameZone(a, b ZoneRecord) bool {
	fa, fb := a.Floor, b.Floor
	a.Floor, b.Floor = nil, nil
	return a == b && (fa == nil) == (fb == nil) && (fa == nil || *fa == *fb)
}

// seed reads the scene once for the first snapshot (Push calls it).
func (u *Uploader) seed() {
	if u.opts.Scene == nil {
		return
	}
	u.mu.Lock()
	done := u.seeded
	u.mu.Unlock()
	if done {
		return
	}
	var ds []twin.Delta
	u.opts.Scene.View(func(tx twin.Tx) {
		for _, k := range []twin.Kind{twin.KindPerson, twin.KindArea, twin.KindFence} {
			tx.Kind(k, func(e *twin.Entity) bool {
				ds = append(ds, twin.Delta{Op: twin.OpUpsert, Rev: e.Rev, ID: e.ID, Kind: e.Kind, Entity: e.Clone()})
				return true
			})
		}
	})
	u.ObserveScene(twin.Result{Deltas: ds})
	u.mu.Lock()
	u.seeded, u.removed = true, nil
	u.mu.Unlock()
}
