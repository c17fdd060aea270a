package stream

import (
	"github.com/gorilla/websocket"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// groupSnapshot is a snapshot shared by the members of a group that ask
// for one at the same live seq and alarm seq (a resync storm after a stall
// costs one snapshot per group, not one per client).
type groupSnapshot struct {
	seq, alarmSeq uint64
	pm            *websocket.PreparedMessage
}

// groupSnapshot returns the snapshot of g covering live seq seq: the
// group's shared one when it is still current, else a new one, shared when
// the group has other members. A shared snapshot is valid for any member
// that read the same seq before its view: every frame at or below seq was
// built before either read the seq.
func (h *Hub) groupSnapshot(g *group, seq uint64) (*websocket.PreparedMessage, error) {
	alarmSeq := h.alarmSeq.Load()
	g.snapMu.Lock()
	s := g.snap
	g.snapMu.Unlock()
	if s != nil && s.seq == seq && (s.alarmSeq == alarmSeq || !g.sub.alarms()) {
		return s.pm, nil
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, h.snapshot(&g.sub, seq))
	if err != nil || g.size.Load() < 2 {
		return pm, err
	}
	g.snapMu.Lock()
	if g.seq.Load() == seq {
		g.snap = &groupSnapshot{seq: seq, alarmSeq: alarmSeq, pm: pm}
	}
	g.snapMu.Unlock()
	return pm, nil
}

// dropSnapshot forgets the shared snapshot: the group's seq has moved on.
func (g *group) dropSnapshot() {
	g.snapMu.Lock()
	g.snap = nil
	g.snapMu.Unlock()
}

// snapshot builds a snapshot frame for sub: the subscribed layers'
// entities (bbox-filtered through the R-tree) are cloned under the scene's
// read lock and encoded after it; seq is the group's live seq it covers.
func (h *Hub) snapshot(sub *subscription, seq uint64) []byte {
	var rev uint64
	layers := make([][]*twin.Entity, len(sub.layers))
	h.opts.Scene.View(func(tx twin.Tx) {
		rev = tx.Rev()
		for i, l := range sub.layers {
			info, _ := twin.LayerByID(l)
			if len(info.Kinds) == 0 {
				continue // the alarms layer has no entities
			}
			q := twin.Query{Kinds: info.Kinds, Bound: sub.bbox, Unplaced: sub.bbox == nil}
			layers[i] = tx.List(q).Entities
		}
	})
	b := appendHeader(make([]byte, 0, 4096), frameSnapshot, seq, h.now())
	b = appendRev(b, rev)
	b = append(b, `,"layers":{`...)
	first := true
	for i, l := range sub.layers {
		if l == twin.LayerAlarms {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, string(l))
		b = append(b, `:{"type":"FeatureCollection","features":[`...)
		b = h.appendFeatures(b, layers[i])
		b = append(b, "]}"...)
	}
	b = append(b, '}')
	if sub.alarms() {
		b = append(b, `,"alarms":`...)
		b = h.appendActiveAlarms(b)
	}
	return append(b, '}')
}

// appendFeatures appends the entities as comma-separated GeoJSON features,
// leaving out (and counting) any JSON cannot carry.
func (h *Hub) appendFeatures(b []byte, es []*twin.Entity) []byte {
	n := 0
	for _, e := range es {
		f, err := encodeFeature(e)
		if err != nil {
			h.encodeFailed(e.ID, err)
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, f...)
		n++
	}
	return b
}

func (h *Hub) encodeFailed(id string, err error) {
	h.m.encodeErrors.Inc()
	h.log.Warn("feature left out of frame", "entity", id, "err", err)
}

// appendActiveAlarms appends the JSON array of Options.ActiveAlarms.
func (h *Hub) appendActiveAlarms(b []byte) []byte {
	var active []alarm.Alarm
	if h.opts.ActiveAlarms != nil {
		active = h.opts.ActiveAlarms()
	}
	b = append(b, '[')
	for i := range active {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendAlarm(b, active[i])
	}
	return append(b, ']')
}

// appendAlarm appends an alarm's JSON. Alarms are never dropped: details
// JSON cannot carry are replaced by a note, and so are non-finite
// coordinates.
func appendAlarm(b []byte, a alarm.Alarm) []byte {
	out, err := a.AppendJSON(b)
	if err == nil {
		return out
	}
	a.Details = map[string]any{"encode_error": err.Error()}
	if out, err = a.AppendJSON(b); err == nil {
		return out
	}
	a.Lon, a.Lat = 0, 0
	out, _ = a.AppendJSON(b)
	return out
}
