package stream

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// TestLedger folds real scene deltas into a batch and checks what the
// flush recalls for them (the state before the batch) and records (the
// state after it).
func TestLedger(t *testing.T) {
	a, b, c := orb.Point{121.0001, 31.0012}, orb.Point{121.0002, 31.0012}, orb.Point{121.0003, 31.0013} // open ground: no area change
	at := func(l twin.Layer, p orb.Point) *seen { s := seenAt(l, p); return &s }
	tests := []struct {
		name    string
		changes func(p *plant) []twin.Change
		prev    *seen // recalled for the batch's delta of x; nil: none
		after   *seen // recorded for x; nil: forgotten
	}{
		{"move", func(p *plant) []twin.Change { return []twin.Change{p.moveChange("x", b)} },
			nil, at(twin.LayerPeople, b)},
		{"edit then move", func(p *plant) []twin.Change {
			return []twin.Change{personAt("x", b), p.moveChange("x", c)}
		}, at(twin.LayerPeople, a), at(twin.LayerPeople, c)},
		{"move then edit", func(p *plant) []twin.Change {
			return []twin.Change{p.moveChange("x", b), personAt("x", c)}
		}, at(twin.LayerPeople, a), at(twin.LayerPeople, c)},
		{"fence redrawn twice", func(*plant) []twin.Change {
			return []twin.Change{fence("x", square(b[0], b[1])), fence("x", square(c[0], c[1]))}
		}, at(twin.LayerPeople, a), &seen{twin.LayerFences, square(c[0], c[1]).Bound(), true}},
		{"removed", func(*plant) []twin.Change { return []twin.Change{twin.Remove{ID: "x"}} },
			at(twin.LayerPeople, a), nil},
		{"removed and re-created unplaced", func(*plant) []twin.Change {
			return []twin.Change{twin.Remove{ID: "x"}, twin.Upsert{Entity: &twin.Entity{ID: "x", Kind: twin.KindVehicle}}}
		}, at(twin.LayerPeople, a), &seen{layer: twin.LayerVehicles}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlant(t)
			p.apply(t, personAt("x", a))
			l := seedLedger(p.scene)
			if got := l["x"]; got == nil || *got != *at(twin.LayerPeople, a) {
				t.Fatalf("seeded %+v", got)
			}
			bt := newBatch()
			for _, ch := range tc.changes(p) {
				r := p.apply(t, ch)
				for i := range r.Deltas {
					bt.add(&r.Deltas[i])
				}
			}
			bt.recall(l)
			if i, ok := bt.deltaIx["x"]; ok != (tc.prev != nil) || ok && (!bt.deltas[i].hadPrev || bt.deltas[i].prev != *tc.prev) {
				t.Errorf("recalled delta %v: %+v", ok, bt.deltas)
			}
			bt.record(l)
			got := l["x"]
			if (got == nil) != (tc.after == nil) || got != nil && *got != *tc.after {
				t.Errorf("recorded %+v, want %+v", got, tc.after)
			}
		})
	}
}

// personAt is an edit of a person placing it at pt (its tag and live
// state kept, as a REST edit does).
func personAt(id string, pt orb.Point) twin.Upsert {
	return twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindPerson, Name: id, Geometry: pt}}
}
