package stream

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

func moveDelta(id string, rev uint64, to, from orb.Point) twin.Delta {
	return twin.Delta{Op: twin.OpMove, Rev: rev, ID: id, Kind: twin.KindPerson, Layer: twin.LayerPeople,
		Fix: twin.Fix{Point: to, At: t0.Add(time.Duration(rev) * time.Second)}, Prev: from, HadPrev: true}
}

func upsertDelta(id string, rev uint64, at orb.Point) twin.Delta {
	e := &twin.Entity{ID: id, Kind: twin.KindPerson, Geometry: at, Rev: rev, Updated: t0.Add(time.Duration(rev) * time.Second),
		Mobile: &twin.Mobile{Tag: "t", Battery: math.NaN(), Fix: twin.Fix{Point: at, Z: 2, At: t0.Add(time.Duration(rev) * time.Second)}}}
	return twin.Delta{Op: twin.OpUpsert, Rev: rev, ID: id, Kind: twin.KindPerson, Layer: twin.LayerPeople, Entity: e}
}

func removeDelta(id string, rev uint64) twin.Delta {
	return twin.Delta{Op: twin.OpRemove, Rev: rev, ID: id, Kind: twin.KindPerson, Layer: twin.LayerPeople,
		Entity: &twin.Entity{ID: id, Kind: twin.KindPerson}}
}

func TestBatch(t *testing.T) {
	a, b, c := orb.Point{1, 1}, orb.Point{2, 2}, orb.Point{3, 3}
	tests := []struct {
		name   string
		deltas []twin.Delta
		moves  int // live (not gone) move entries
		fix    orb.Point
		prev   orb.Point
		delta  twin.Op // the one coalesced delta of "x", 0 for none
	}{
		{"moves coalesce, first prev kept", []twin.Delta{moveDelta("x", 1, b, a), moveDelta("x", 2, c, b)}, 1, c, a, 0},
		{"upsert after move moves the item", []twin.Delta{moveDelta("x", 1, b, a), upsertDelta("x", 2, c)}, 1, c, a, twin.OpUpsert},
		{"move after upsert", []twin.Delta{upsertDelta("x", 1, b), moveDelta("x", 2, c, b)}, 1, c, b, twin.OpUpsert},
		{"remove ends the move", []twin.Delta{moveDelta("x", 1, b, a), removeDelta("x", 2)}, 0, orb.Point{}, orb.Point{}, twin.OpRemove},
		{"re-created after remove", []twin.Delta{removeDelta("x", 1), upsertDelta("x", 2, a), moveDelta("x", 3, b, a)}, 1, b, a, twin.OpUpsert},
		{"site root ignored", []twin.Delta{{Op: twin.OpUpsert, ID: "site", Kind: twin.KindSite, Entity: &twin.Entity{ID: "site"}}}, 0, orb.Point{}, orb.Point{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bt := newBatch()
			for i := range tc.deltas {
				bt.add(&tc.deltas[i])
			}
			live := 0
			for _, m := range bt.moves {
				if !m.gone {
					live++
					if m.fix.Point != tc.fix || m.prev != tc.prev {
						t.Errorf("move fix %v prev %v, want %v %v", m.fix.Point, m.prev, tc.fix, tc.prev)
					}
				}
			}
			if live != tc.moves {
				t.Errorf("%d live moves, want %d", live, tc.moves)
			}
			var op twin.Op
			if i, ok := bt.deltaIx["x"]; ok {
				op = bt.deltas[i].d.Op
			}
			if op != tc.delta || len(bt.deltas) > 1 {
				t.Errorf("deltas %d, op %v, want one %v", len(bt.deltas), op, tc.delta)
			}
			bt.reset()
			if !bt.empty() || len(bt.moveIdx) != 0 || len(bt.deltaIx) != 0 {
				t.Error("reset left entries")
			}
		})
	}
}
