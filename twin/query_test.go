package twin

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestContainingExactAfterPrefilter(t *testing.T) {
	fx := newFixture(t)
	// An L-shaped fence whose bound contains the probe point but whose
	// polygon does not: the exact test must reject it.
	l := fx.frame.ToGeometry(orb.Polygon{{{200, 0}, {260, 0}, {260, 20}, {220, 20}, {220, 60}, {200, 60}, {200, 0}}})
	fx.s.Apply(Upsert{&Entity{ID: "F-L", Kind: KindFence, Geometry: l}})
	ids := func(x, y float64) map[string]bool {
		got := map[string]bool{}
		fx.s.View(func(tx Tx) {
			tx.Containing(fx.frame.Point(x, y), func(e *Entity) bool { got[e.ID] = true; return true })
		})
		return got
	}
	if got := ids(240, 40); len(got) != 0 {
		t.Errorf("point in the L's notch is contained by %v", got)
	}
	if got := ids(210, 40); !got["F-L"] || len(got) != 1 {
		t.Errorf("point in the L = %v", got)
	}
	if got := ids(20, 20); !got["A-outer"] || !got["A-inner"] || !got["B-1"] {
		t.Errorf("nested containment = %v", got)
	}
}

func TestWithin(t *testing.T) {
	fx := newFixture(t)
	for i, p := range [][2]float64{{5, 5}, {35, 35}, {50, 50}} {
		fx.move(fmt.Sprintf("T%d", i+1), p[0], p[1], t0)
	}
	poly := fx.frame.ToGeometry(orb.Polygon{{{0, 0}, {40, 0}, {40, 40}, {0, 40}, {0, 0}}})
	got := map[string]bool{}
	fx.s.View(func(tx Tx) {
		tx.Within(poly, func(e *Entity) bool { got[e.ID] = true; return true })
	})
	// A-inner equals the polygon; B-1 and GD-1 lie inside; A-outer does not.
	for _, id := range []string{"P1", "P2", "B-1", "GD-1", "A-inner"} {
		if !got[id] {
			t.Errorf("%s not within", id)
		}
	}
	if got["A-outer"] || got["tag-T3"] {
		t.Errorf("within = %v", got)
	}
}

func TestNearestInMetres(t *testing.T) {
	fx := newFixture(t)
	fx.move("T1", 200, 0, t0)
	fx.move("T2", 230, 40, t0)
	type hit struct {
		id string
		d  float64
	}
	var hits []hit
	fx.s.View(func(tx Tx) {
		tx.Nearest(fx.frame.Point(200, 40), func(e *Entity, d float64) bool {
			if e.Kind == KindPerson {
				hits = append(hits, hit{e.ID, d})
			}
			return len(hits) < 2
		})
	})
	if len(hits) != 2 || hits[0].id != "P2" || hits[1].id != "P1" {
		t.Fatalf("nearest = %+v", hits)
	}
	if math.Abs(hits[0].d-30) > 0.01 || math.Abs(hits[1].d-40) > 0.01 {
		t.Fatalf("distances = %+v, want 30 and 40 m", hits)
	}
}

func TestListPagesByCursor(t *testing.T) {
	fx := newFixture(t)
	var changes []Change
	for i := 0; i < 25; i++ {
		changes = append(changes, Upsert{&Entity{ID: fmt.Sprintf("BC-%02d", i), Kind: KindBeacon, Geometry: fx.frame.Point(float64(i)*10, 5)}})
	}
	fx.s.Apply(changes...)
	var seen []string
	after := ""
	for pages := 0; ; pages++ {
		var p Page
		fx.s.View(func(tx Tx) { p = tx.List(Query{Kinds: []Kind{KindBeacon}, After: after, Limit: 10}) })
		if p.Matched != 25 {
			t.Fatalf("matched = %d", p.Matched)
		}
		for _, e := range p.Entities {
			seen = append(seen, e.ID)
		}
		if p.Next == "" {
			break
		}
		after = p.Next
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 25 || seen[0] != "BC-00" || seen[24] != "BC-24" {
		t.Fatalf("seen = %v", seen)
	}
	b := fx.frame.ToGeometry(orb.Bound{Min: orb.Point{-1, 0}, Max: orb.Point{41, 10}}).Bound()
	var p Page
	fx.s.View(func(tx Tx) { p = tx.List(Query{Kinds: []Kind{KindBeacon}, Bound: &b}) })
	if p.Matched != 5 {
		t.Fatalf("bbox matched %d beacons, want 5", p.Matched)
	}
	fx.s.View(func(tx Tx) { p = tx.List(Query{Kinds: []Kind{KindPerson}, Unplaced: true}) })
	if p.Matched != 2 {
		t.Fatalf("unplaced people listed: %d", p.Matched)
	}
	fx.s.View(func(tx Tx) { p = tx.List(Query{Kinds: []Kind{KindPerson}}) })
	if p.Matched != 0 {
		t.Fatalf("people without a fix listed as placed: %d", p.Matched)
	}
}

func TestFeatureCarriesLiveState(t *testing.T) {
	fx := newFixture(t)
	fx.s.Apply(Move{Tag: "T1", Fix: Fix{Point: fx.frame.Point(5, 5), Z: 4.5, Floor: 2, At: t0}, Battery: 55})
	e, _ := fx.s.Get("P1")
	f := e.Feature()
	if f.ID != "P1" || f.Properties["tag"] != "T1" || f.Properties["floor"] != 2 || f.Properties["battery"] != 55.0 || f.Properties["area_id"] != "A-inner" {
		t.Fatalf("feature = %+v", f.Properties)
	}
	if f.Properties["ts"] != t0.Format(time.RFC3339Nano) {
		t.Fatalf("ts = %v", f.Properties["ts"])
	}
}
