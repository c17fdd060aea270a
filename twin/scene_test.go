package twin

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

var t0 = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

// fixture is a small plant: two areas (one nested in the other), a building,
// a detector under the building and two registered people.
type fixture struct {
	s     *Scene
	frame *geo.Frame
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{SiteID: "demo", Frame: f, Clock: func() time.Time { return t0 }})
	rect := func(x0, y0, x1, y1 float64) orb.Polygon {
		return f.ToGeometry(orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}).(orb.Polygon)
	}
	res := s.Apply(
		// children before parents: a batch may come in any order
		Upsert{&Entity{ID: "GD-1", Kind: KindGasDetector, Parent: "B-1", Geometry: f.Point(20, 20), Props: map[string]any{"unit": "%LEL"}}},
		Upsert{&Entity{ID: "B-1", Kind: KindBuilding, Parent: "A-inner", Geometry: rect(10, 10, 30, 30), Height: 12}},
		Upsert{&Entity{ID: "A-outer", Kind: KindArea, Name: "甲醇生产区", Geometry: rect(0, 0, 100, 100)}},
		Upsert{&Entity{ID: "A-inner", Kind: KindArea, Parent: "A-outer", Geometry: rect(0, 0, 40, 40)}},
		Upsert{&Entity{ID: "P1", Kind: KindPerson, Name: "张伟", Mobile: &Mobile{Tag: "T1", Battery: math.NaN()}}},
		Upsert{&Entity{ID: "P2", Kind: KindPerson, Name: "李娜", Mobile: &Mobile{Tag: "T2", Battery: math.NaN()}}},
	)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	return fixture{s, f}
}

func (fx fixture) move(tag string, x, y float64, at time.Time) Result {
	return fx.s.Apply(Move{Tag: tag, Fix: Fix{Point: fx.frame.Point(x, y), At: at}, Battery: math.NaN()})
}

func TestApplyUpsertBuildsGraph(t *testing.T) {
	fx := newFixture(t)
	fx.s.View(func(tx Tx) {
		if got := tx.Children("A-inner"); len(got) != 1 || got[0] != "B-1" {
			t.Errorf("children of A-inner = %v", got)
		}
		if a := tx.Ancestor("GD-1", KindArea); a == nil || a.ID != "A-inner" {
			t.Errorf("area of GD-1 = %v", a)
		}
		if tx.Count(KindPerson) != 2 || tx.Len() != 7 {
			t.Errorf("counts: people %d, all %d", tx.Count(KindPerson), tx.Len())
		}
	})
	if e, ok := fx.s.ByTag("T1"); !ok || e.ID != "P1" {
		t.Fatalf("ByTag(T1) = %v %v", e, ok)
	}
}

func TestApplyRejects(t *testing.T) {
	fx := newFixture(t)
	nan := orb.Point{math.NaN(), 38}
	cases := []struct {
		name string
		c    Change
		want error
	}{
		{"dangling parent", Upsert{&Entity{ID: "X", Kind: KindBuilding, Parent: "nope", Geometry: fx.frame.Point(1, 1)}}, ErrDanglingParent},
		{"self parent", Upsert{&Entity{ID: "X", Kind: KindBuilding, Parent: "X", Geometry: fx.frame.Point(1, 1)}}, ErrDanglingParent},
		{"unknown kind", Upsert{&Entity{ID: "X", Kind: "spaceship"}}, ErrInvalid},
		{"no id", Upsert{&Entity{Kind: KindArea}}, ErrInvalid},
		{"nan geometry", Upsert{&Entity{ID: "X", Kind: KindBeacon, Geometry: nan}}, ErrInvalid},
		{"open ring", Upsert{&Entity{ID: "X", Kind: KindArea, Geometry: orb.Polygon{{{106, 38}, {106.1, 38}, {106.1, 38.1}, {106, 38.05}}}}}, ErrInvalid},
		{"nan height", Upsert{&Entity{ID: "X", Kind: KindBuilding, Height: math.NaN(), Geometry: fx.frame.Point(1, 1)}}, ErrInvalid},
		{"tag taken", Upsert{&Entity{ID: "P3", Kind: KindPerson, Mobile: &Mobile{Tag: "T1"}}}, ErrTagTaken},
		{"remove with children", Remove{"A-inner"}, ErrHasChildren},
		{"remove unknown", Remove{"nope"}, ErrNotFound},
		{"remove site", Remove{"demo"}, ErrInvalid},
		{"move static", Move{ID: "B-1", Fix: Fix{Point: fx.frame.Point(1, 1), At: t0}}, ErrNotMobile},
		{"move bad point", Move{Tag: "T1", Fix: Fix{Point: orb.Point{200, 38}, At: t0}}, ErrInvalid},
		{"state unknown", SetState{ID: "nope"}, ErrNotFound},
		{"second site", Upsert{&Entity{ID: "other", Kind: KindSite}}, ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rev := fx.s.Rev()
			res := fx.s.Apply(c.c)
			if len(res.Errs) != 1 || !errors.Is(res.Errs[0], c.want) {
				t.Fatalf("errs = %v, want %v", res.Errs, c.want)
			}
			if len(res.Deltas) != 0 || fx.s.Rev() != rev {
				t.Fatalf("a refused change made deltas %v or moved the revision", res.Deltas)
			}
		})
	}
}

func TestApplyBatchContinuesPastErrors(t *testing.T) {
	fx := newFixture(t)
	res := fx.s.Apply(
		Remove{"nope"},
		Move{Tag: "T1", Fix: Fix{Point: fx.frame.Point(5, 5), At: t0}, Battery: math.NaN()},
	)
	if len(res.Errs) != 1 || res.Errs[0].Index != 0 {
		t.Fatalf("errs = %v", res.Errs)
	}
	if e, _ := fx.s.Get("P1"); e.Geometry == nil {
		t.Fatal("the good change after a bad one was not applied")
	}
}

func TestRemoveSubtreeInOneBatch(t *testing.T) {
	fx := newFixture(t)
	res := fx.s.Apply(Remove{"B-1"}, Remove{"GD-1"}, Remove{"A-inner"})
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	fx.s.View(func(tx Tx) {
		n := 0
		tx.Search(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, func(*Entity) bool { n++; return true })
		if n != 1 { // A-outer
			t.Errorf("%d entities left in the R-tree, want 1", n)
		}
	})
}

func TestMoveDeltasAndAreaEvents(t *testing.T) {
	fx := newFixture(t)
	res := fx.move("T1", 5, 5, t0)
	if len(res.Deltas) != 2 || res.Deltas[0].Op != OpMove || res.Deltas[1].Op != OpUpsert {
		t.Fatalf("first fix deltas = %+v", res.Deltas)
	}
	if res.Deltas[0].HadPrev {
		t.Error("first fix claims a previous position")
	}
	if len(res.Events) != 1 || res.Events[0].Type != EventAreaEnter || res.Events[0].AreaID != "A-inner" {
		t.Fatalf("events = %+v (the smallest containing area must win)", res.Events)
	}
	// Moving within the same area is just a move.
	res = fx.move("T1", 6, 6, t0.Add(2*time.Second))
	if len(res.Deltas) != 1 || res.Deltas[0].Op != OpMove || !res.Deltas[0].HadPrev || len(res.Events) != 0 {
		t.Fatalf("second fix = %+v", res)
	}
	// Into the outer area only: exit inner, enter outer.
	res = fx.move("T1", 60, 60, t0.Add(4*time.Second))
	if len(res.Events) != 2 || res.Events[0].Type != EventAreaExit || res.Events[1].AreaID != "A-outer" {
		t.Fatalf("events = %+v", res.Events)
	}
	// Out of the plant.
	res = fx.move("T1", 500, 500, t0.Add(6*time.Second))
	if len(res.Events) != 1 || res.Events[0].Type != EventAreaExit {
		t.Fatalf("events = %+v", res.Events)
	}
	if e, _ := fx.s.Get("P1"); e.Mobile.AreaID != "" {
		t.Fatalf("area after leaving = %q", e.Mobile.AreaID)
	}
}

func TestMoveRefusesStaleAndReplayedFixes(t *testing.T) {
	fx := newFixture(t)
	fx.move("T1", 5, 5, t0)
	for _, at := range []time.Time{t0, t0.Add(-time.Second)} {
		res := fx.move("T1", 9, 9, at)
		if len(res.Errs) != 1 || !errors.Is(res.Errs[0], ErrStale) {
			t.Fatalf("fix at %v: errs = %v", at, res.Errs)
		}
	}
	if e, _ := fx.s.Get("P1"); fx.frame.Point(5, 5) != e.Geometry {
		t.Fatal("a stale fix moved the entity")
	}
}

func TestMoveBatteryAndSOSChangesUpsert(t *testing.T) {
	fx := newFixture(t)
	fx.move("T1", 5, 5, t0)
	yes := true
	res := fx.s.Apply(Move{Tag: "T1", Fix: Fix{Point: fx.frame.Point(5, 6), At: t0.Add(time.Second)}, Battery: 80, SOS: &yes})
	if len(res.Deltas) != 2 {
		t.Fatalf("deltas = %+v", res.Deltas)
	}
	snap := res.Deltas[1].Entity
	if !snap.Mobile.SOS || snap.Mobile.Battery != 80 {
		t.Fatalf("snapshot = %+v", snap.Mobile)
	}
	// Battery within the same whole percent: no upsert.
	res = fx.s.Apply(Move{Tag: "T1", Fix: Fix{Point: fx.frame.Point(5, 7), At: t0.Add(2 * time.Second)}, Battery: 80.4})
	if len(res.Deltas) != 1 {
		t.Fatalf("deltas = %+v", res.Deltas)
	}
}

func TestUnknownTagRegistersPerson(t *testing.T) {
	fx := newFixture(t)
	res := fx.move("T-NEW", 5, 5, t0)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if len(res.Events) == 0 || res.Events[0].Type != EventUnregisteredTag {
		t.Fatalf("events = %+v", res.Events)
	}
	e, ok := fx.s.ByTag("T-NEW")
	if !ok || e.Kind != KindPerson || !e.Mobile.Unregistered || e.Properties()["unregistered"] != true {
		t.Fatalf("registered = %+v", e)
	}
	strict := New(Options{RejectUnknownTags: true})
	res = strict.Apply(Move{Tag: "X", Fix: Fix{Point: orb.Point{106, 38}, At: t0}})
	if len(res.Errs) != 1 || !errors.Is(res.Errs[0], ErrUnknownTag) {
		t.Fatalf("strict scene: %v", res.Errs)
	}
}

func TestSetStateMergesAndCopiesOnWrite(t *testing.T) {
	fx := newFixture(t)
	res := fx.s.Apply(SetState{ID: "GD-1", At: t0, State: map[string]any{"value": 3.0, "unit": "%LEL"}})
	first := res.Deltas[0].Entity
	fx.s.Apply(SetState{ID: "GD-1", At: t0.Add(time.Second), State: map[string]any{"value": 30.0, "unit": nil}})
	if first.State["value"] != 3.0 || first.State["unit"] != "%LEL" {
		t.Fatalf("an earlier snapshot changed: %v", first.State)
	}
	e, _ := fx.s.Get("GD-1")
	if e.State["value"] != 30.0 || e.State["unit"] != nil {
		t.Fatalf("state = %v", e.State)
	}
	res = fx.s.Apply(SetState{ID: "GD-1", At: t0, State: map[string]any{"value": 1.0}})
	if len(res.Errs) != 1 || !errors.Is(res.Errs[0], ErrStale) {
		t.Fatalf("stale state: %v", res.Errs)
	}
}

func TestUpsertKeepsLiveState(t *testing.T) {
	fx := newFixture(t)
	fx.move("T1", 5, 5, t0)
	fx.s.Apply(SetState{ID: "GD-1", At: t0, State: map[string]any{"value": 2.0}})
	res := fx.s.Apply(
		Upsert{&Entity{ID: "P1", Kind: KindPerson, Name: "张伟 (renamed)", Mobile: nil}},
		Upsert{&Entity{ID: "GD-1", Kind: KindGasDetector, Parent: "B-1", Geometry: fx.frame.Point(21, 20)}},
	)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	p, _ := fx.s.Get("P1")
	if p.Geometry == nil || p.Mobile.Tag != "T1" {
		t.Fatalf("person lost live state: %+v", p)
	}
	d, _ := fx.s.Get("GD-1")
	if d.State["value"] != 2.0 {
		t.Fatalf("detector lost state: %v", d.State)
	}
}

func TestObserversSeeResultsInRevisionOrder(t *testing.T) {
	fx := newFixture(t)
	var mu sync.Mutex
	var revs []uint64
	fx.s.Observe(func(r Result) {
		mu.Lock()
		revs = append(revs, r.Rev)
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				fx.s.Apply(SetState{ID: "GD-1", State: map[string]any{"g": g, "i": i}})
			}
		}(g)
	}
	wg.Wait()
	if len(revs) != 800 {
		t.Fatalf("%d results observed", len(revs))
	}
	for i := 1; i < len(revs); i++ {
		if revs[i] <= revs[i-1] {
			t.Fatalf("observed out of order at %d: %d after %d", i, revs[i], revs[i-1])
		}
	}
}

func TestConcurrentReadersAndWriter(t *testing.T) {
	fx := newFixture(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				fx.s.View(func(tx Tx) {
					tx.Containing(fx.frame.Point(5, 5), func(*Entity) bool { return true })
					tx.List(Query{Kinds: []Kind{KindPerson}, Limit: 1})
				})
				fx.s.Get("P1")
			}
		}()
	}
	for i := 0; i < 2000; i++ {
		fx.move("T1", float64(i%90), float64(i%70), t0.Add(time.Duration(i)*time.Second))
	}
	close(stop)
	wg.Wait()
}

// TestEntityRange: a [lo, hi] pair as JSON decodes it or as Go builds it;
// anything else, or lo ≥ hi, is no range.
func TestEntityRange(t *testing.T) {
	for _, c := range []struct {
		v      any
		lo, hi float64
		ok     bool
	}{
		{[]any{0.0, 100.0}, 0, 100, true},
		{[]float64{19.5, 25}, 19.5, 25, true},
		{[]any{"0", "50"}, 0, 50, true},
		{[]any{10.0, 10.0}, 0, 0, false},
		{[]any{0.0}, 0, 0, false},
		{[]any{0.0, "x"}, 0, 0, false},
		{"0-100", 0, 0, false},
		{nil, 0, 0, false},
	} {
		e := &Entity{Props: map[string]any{"range": c.v}}
		if lo, hi, ok := e.Range("range"); lo != c.lo || hi != c.hi || ok != c.ok {
			t.Errorf("%#v: %g, %g, %v", c.v, lo, hi, ok)
		}
	}
}
