package route

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testLines is a small hand-drawn network (plant metres):
//
//   - A, a two-way road (0,0)→(100,0), crossed by the road B (50,−50)→(50,50)
//     without a shared vertex: Build must node the crossing at (50,0);
//   - C, a walkway starting 0.3 m off A's interior at x=80 (a T-junction);
//   - D, a road starting 0.4 m after A's end (a gap under the 0.5 m
//     tolerance: joined) and E starting 0.6 m after D's end (over it: apart);
//   - F, a one-way road (100,0)→(50,50), which also crosses C at (80,20);
//   - G0 an outdoor walkway down from (0,0) to (0,−20), S stairs
//     (0,−20)→(0,−26) from the ground floor (1) to floor 2 (default climb
//     4 m), and U a floor-2 walkway (0,−26)→(10,−26)→(10,−10)→(−10,−10)
//     that passes over G0 at (0,−10) without touching it.
func testLines() []Line {
	road := func(id string, pts ...[2]float64) Line {
		return Line{ID: id, Points: pts, Vehicle: true, Pedestrian: true, WidthM: 6, SpeedLimitKmh: 20}
	}
	walk := func(id string, floor int, pts ...[2]float64) Line {
		return Line{ID: id, Points: pts, Pedestrian: true, Floor: floor, FloorTo: floor, WidthM: 1.5}
	}
	f := road("F", [2]float64{100, 0}, [2]float64{50, 50})
	f.Oneway = true
	return []Line{
		road("A", [2]float64{0, 0}, [2]float64{100, 0}),
		road("B", [2]float64{50, -50}, [2]float64{50, 50}),
		walk("C", 0, [2]float64{80, 0.3}, [2]float64{80, 40}),
		road("D", [2]float64{100.4, 0}, [2]float64{150, 0}),
		road("E", [2]float64{150.6, 0}, [2]float64{200, 0}),
		f,
		walk("G0", 0, [2]float64{0, 0}, [2]float64{0, -20}),
		{ID: "S", Points: [][2]float64{{0, -20}, {0, -26}}, Pedestrian: true, Floor: 1, FloorTo: 2},
		walk("U", 2, [2]float64{0, -26}, [2]float64{10, -26}, [2]float64{10, -10}, [2]float64{-10, -10}),
	}
}

func buildTest(t testing.TB) *Graph {
	t.Helper()
	g, err := Build(testLines(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// snapOn snaps p to the nearest edge on floor for mode, failing the test
// when there is none.
func snapOn(t testing.TB, g *Graph, p [2]float64, floor int, mode Mode) Snap {
	t.Helper()
	s, ok := g.NearestOn(p, floor, mode)
	if !ok {
		t.Fatalf("no %s edge near %v on floor %d", mode, p, floor)
	}
	if s.DistM > 1e-6 {
		t.Fatalf("snap of %v is %.3f m off the network", p, s.DistM)
	}
	return s
}

func TestShortestKnownLengths(t *testing.T) {
	g := buildTest(t)
	diag := 50 * math.Sqrt2
	kink := math.Hypot(30, 0.3) + math.Hypot(20, 0.3) // A from x=50 to 100, through C's end at (80, 0.3)
	cases := []struct {
		name           string
		from, to       [2]float64
		fromFl, toFl   int
		mode           Mode
		want           float64
		wantErr        error
		wantEdgesOfSrc []string // the source lines the path runs on, in order, deduplicated
	}{
		{"crossing is noded", [2]float64{10, 0}, [2]float64{50, 40}, 0, 0, Vehicle, 80, nil, []string{"A", "B"}},
		{"one-way forwards", [2]float64{100, 0}, [2]float64{50, 50}, 0, 0, Vehicle, diag, nil, []string{"F"}},
		{"one-way not backwards", [2]float64{50, 50}, [2]float64{100, 0}, 0, 0, Vehicle, 50 + kink, nil, []string{"B", "A"}},
		{"pedestrians ignore one-way", [2]float64{50, 50}, [2]float64{100, 0}, 0, 0, Pedestrian, diag, nil, []string{"F"}},
		{"T-junction joins", [2]float64{80, 40}, [2]float64{0, 0}, 0, 0, Pedestrian, 39.7 + math.Hypot(30, 0.3) + 50, nil, []string{"C", "A"}},
		{"gap under tolerance joins", [2]float64{10, 0}, [2]float64{140, 0}, 0, 0, Vehicle, 40 + kink + 40, nil, []string{"A", "D"}},
		{"gap over tolerance splits", [2]float64{10, 0}, [2]float64{160, 0}, 0, 0, Vehicle, 0, ErrNoPath, nil},
		{"walkway onto road", [2]float64{80, 30}, [2]float64{10, 0}, 0, 0, Pedestrian, 29.7 + math.Hypot(30, 0.3) + 40, nil, []string{"C", "A"}},
		{"stairs between floors", [2]float64{-10, -10}, [2]float64{0, -5}, 2, 0, Pedestrian, 20 + 16 + 10 + math.Hypot(6, 4) + 15, nil, []string{"U", "S", "G0"}},
		{"same edge", [2]float64{20, 0}, [2]float64{30, 0}, 0, 0, Vehicle, 10, nil, []string{"A"}},
		{"same point", [2]float64{20, 0}, [2]float64{20, 0}, 0, 0, Vehicle, 0, nil, []string{"A"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from := snapOn(t, g, c.from, c.fromFl, c.mode)
			to := snapOn(t, g, c.to, c.toFl, c.mode)
			p, err := g.Shortest(from, to, c.mode)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(p.LengthM-c.want) > 1e-6 {
				t.Errorf("length = %.6f, want %.6f (points %v)", p.LengthM, c.want, p.Points)
			}
			checkPath(t, g, p, from, to)
			var srcs []string
			for _, e := range p.Edges {
				srcs = append(srcs, g.Edge(e).Source)
			}
			if srcs = slices.Compact(srcs); !slices.Equal(srcs, c.wantEdgesOfSrc) {
				t.Errorf("path runs on %v, want %v", srcs, c.wantEdgesOfSrc)
			}
		})
	}
}

// checkPath verifies a path's invariants: it runs from one snap to the
// other, its legs lie on their edges and add up to its length.
func checkPath(t *testing.T, g *Graph, p Path, from, to Snap) {
	t.Helper()
	if len(p.Points) != len(p.Edges)+1 || len(p.Levels) != len(p.Points) || len(p.LegsM) != len(p.Edges) {
		t.Fatalf("inconsistent path: %d points, %d levels, %d edges, %d legs", len(p.Points), len(p.Levels), len(p.Edges), len(p.LegsM))
	}
	if p.Points[0] != from.Point || p.Points[len(p.Points)-1] != to.Point {
		t.Errorf("path %v does not run from %v to %v", p.Points, from.Point, to.Point)
	}
	sum := 0.0
	for i, e := range p.Edges {
		ed := g.Edge(e)
		a, b := g.Node(ed.From).P, g.Node(ed.To).P
		for _, q := range [][2]float64{p.Points[i], p.Points[i+1]} {
			if d := dist(q, lerp(a, b, projectT(a, b, q))); d > 1e-6 {
				t.Errorf("leg %d point %v is %.3g m off its edge %d", i, q, d, e)
			}
		}
		if p.LegsM[i] < dist(p.Points[i], p.Points[i+1])-1e-9 {
			t.Errorf("leg %d is %.3f m, shorter than the straight line %.3f", i, p.LegsM[i], dist(p.Points[i], p.Points[i+1]))
		}
		sum += p.LegsM[i]
	}
	if math.Abs(sum-p.LengthM) > 1e-9 {
		t.Errorf("legs add up to %v, length %v", sum, p.LengthM)
	}
}

func TestNodingAndSnapping(t *testing.T) {
	g := buildTest(t)
	nodeAt := func(p [2]float64, level float64) int {
		for i := range g.NumNodes() {
			if n := g.Node(i); dist(n.P, p) < 1e-9 && n.Level == level {
				return i
			}
		}
		return -1
	}
	cases := []struct {
		name   string
		p      [2]float64
		level  float64
		degree int // -1: no node there
	}{
		{"crossing A×B", [2]float64{50, 0}, 0, 4},
		{"T-junction end of C on A", [2]float64{80, 0.3}, 0, 3},
		{"A end, D start and F start merged", [2]float64{100, 0}, 0, 3},
		{"D start snapped away", [2]float64{100.4, 0}, 0, -1},
		{"E stays apart", [2]float64{150.6, 0}, 0, 1},
		{"crossing C×F", [2]float64{80, 20}, 0, 4},
		{"floor 2 does not cross the ground", [2]float64{0, -10}, 0, -1},
		{"stairs foot", [2]float64{0, -20}, 0, 2},
		{"stairs head", [2]float64{0, -26}, 1, 2},
		{"origin joins A, G0", [2]float64{0, 0}, 0, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := nodeAt(c.p, c.level)
			switch {
			case c.degree < 0 && n >= 0:
				t.Errorf("unexpected node %d at %v", n, c.p)
			case c.degree >= 0 && n < 0:
				t.Errorf("no node at %v level %v", c.p, c.level)
			case c.degree >= 0 && g.Degree(n) != c.degree:
				t.Errorf("degree %d, want %d", g.Degree(n), c.degree)
			}
		})
	}
}

func TestComponents(t *testing.T) {
	g := buildTest(t)
	cases := []struct {
		mode  Mode
		lines [][]string
	}{
		{Vehicle, [][]string{{"A", "B", "D", "F"}, {"E"}}},
		{Pedestrian, [][]string{{"A", "B", "C", "D", "F", "G0", "S", "U"}, {"E"}}},
	}
	for _, c := range cases {
		t.Run(c.mode.String(), func(t *testing.T) {
			comps := g.Components(c.mode)
			var got [][]string
			for _, cp := range comps {
				got = append(got, cp.Lines)
			}
			if !slices.EqualFunc(got, c.lines, slices.Equal) {
				t.Fatalf("components %v, want %v", got, c.lines)
			}
			if e := comps[1]; math.Abs(e.LengthM-49.4) > 1e-9 || e.Min != [2]float64{150.6, 0} || e.Max != [2]float64{200, 0} {
				t.Errorf("E component: %+v", e)
			}
		})
	}
}

func TestBuildRejectsBadLines(t *testing.T) {
	lines := append(testLines(),
		Line{ID: "one point", Points: [][2]float64{{1, 1}}, Pedestrian: true},
		Line{ID: "nan", Points: [][2]float64{{1, 1}, {math.NaN(), 2}}, Pedestrian: true},
		Line{ID: "far", Points: [][2]float64{{1, 1}, {1e9, 2}}, Pedestrian: true},
		Line{ID: "repeated", Points: [][2]float64{{1, 1}, {1, 1}}, Pedestrian: true},
		Line{ID: "negative width", Points: [][2]float64{{1, 1}, {2, 2}}, WidthM: -1},
		Line{ID: "high floor", Points: [][2]float64{{1, 1}, {2, 2}}, Floor: 1000, FloorTo: 1000},
	)
	g, err := Build(lines, Options{})
	if !errors.Is(err, ErrBadLine) {
		t.Fatalf("err = %v, want ErrBadLine", err)
	}
	for _, id := range []string{"one point", "nan", "far", "repeated", "negative width", "high floor"} {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("error does not name %q: %v", id, err)
		}
	}
	good := buildTest(t)
	if g == nil || g.NumEdges() != good.NumEdges() || g.NumNodes() != good.NumNodes() {
		t.Fatalf("the good lines were not kept: %v", g)
	}
	for _, o := range []Options{{SnapM: math.NaN()}, {SnapM: 1000}, {FloorHeightM: -1}} {
		if _, err := Build(nil, o); !errors.Is(err, ErrBadOptions) {
			t.Errorf("options %+v: err = %v", o, err)
		}
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	a, b := buildTest(t), buildTest(t)
	if a.NumNodes() != b.NumNodes() || a.NumEdges() != b.NumEdges() {
		t.Fatal("sizes differ")
	}
	for i := range a.NumNodes() {
		if a.Node(i) != b.Node(i) {
			t.Fatalf("node %d differs", i)
		}
	}
	for i := range a.NumEdges() {
		if a.Edge(i) != b.Edge(i) {
			t.Fatalf("edge %d differs", i)
		}
	}
}

func TestStorey(t *testing.T) {
	for _, c := range []struct{ floor, level int }{{-2, -2}, {-1, -1}, {0, 0}, {1, 0}, {2, 1}, {5, 4}} {
		if got := Storey(c.floor); got != c.level {
			t.Errorf("Storey(%d) = %d, want %d", c.floor, got, c.level)
		}
		if c.floor != 0 && Floor(c.level) != c.floor {
			t.Errorf("Floor(%d) = %d, want %d", c.level, Floor(c.level), c.floor)
		}
	}
	// A ground-floor corridor (floor 1) meets an outdoor path (floor 0).
	g, err := Build([]Line{
		{ID: "path", Points: [][2]float64{{0, 0}, {10, 0}}, Pedestrian: true},
		{ID: "corridor", Points: [][2]float64{{10, 0}, {20, 0}}, Pedestrian: true, Floor: 1, FloorTo: 1},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := g.Components(Pedestrian); len(c) != 1 {
		t.Errorf("outdoors and the ground floor form %d components", len(c))
	}
}

func TestExactSnapping(t *testing.T) {
	g, err := Build(testLines(), Options{SnapM: -1})
	if err != nil {
		t.Fatal(err)
	}
	// With exact matching the 0.4 m gap and the 0.3 m T-junction stay open.
	from := snapOn(t, g, [2]float64{10, 0}, 0, Vehicle)
	to := snapOn(t, g, [2]float64{140, 0}, 0, Vehicle)
	if _, err := g.Shortest(from, to, Vehicle); !errors.Is(err, ErrNoPath) {
		t.Errorf("err = %v, want ErrNoPath across an unsnapped gap", err)
	}
}

func TestShortestBadSnaps(t *testing.T) {
	g := buildTest(t)
	ok := snapOn(t, g, [2]float64{10, 0}, 0, Vehicle)
	walkway := snapOn(t, g, [2]float64{80, 30}, 0, Pedestrian)
	for name, s := range map[string]Snap{
		"edge out of range": {Edge: g.NumEdges()},
		"negative edge":     {Edge: -1},
		"t out of range":    {Edge: 0, T: 1.5},
		"t NaN":             {Edge: 0, T: math.NaN()},
		"closed to mode":    walkway,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := g.Shortest(ok, s, Vehicle); !errors.Is(err, ErrBadSnap) {
				t.Errorf("err = %v, want ErrBadSnap", err)
			}
		})
	}
}

func TestNearest(t *testing.T) {
	g := buildTest(t)
	s, ok := g.Nearest([2]float64{30, 7}, Vehicle)
	if !ok || g.Edge(s.Edge).Source != "A" || s.Point != [2]float64{30, 0} || math.Abs(s.DistM-7) > 1e-9 {
		t.Errorf("Nearest = %+v %v", s, ok)
	}
	// (79, 30) is 1 m from walkway C but vehicles must snap to a road.
	s, _ = g.Nearest([2]float64{79, 30}, Vehicle)
	if src := g.Edge(s.Edge).Source; src != "F" && src != "B" {
		t.Errorf("vehicle snapped to %s", src)
	}
	if s, _ := g.Nearest([2]float64{79, 30}, Pedestrian); g.Edge(s.Edge).Source != "C" || math.Abs(s.DistM-1) > 1e-9 {
		t.Errorf("pedestrian snap %+v", s)
	}
	if _, ok := (&Graph{}).Nearest([2]float64{0, 0}, Pedestrian); ok {
		t.Error("empty graph found a snap")
	}
}

func TestConcurrentQueries(t *testing.T) {
	g := buildTest(t)
	from := snapOn(t, g, [2]float64{-10, -10}, 2, Pedestrian)
	to := snapOn(t, g, [2]float64{80, 40}, 0, Pedestrian)
	want, err := g.Shortest(from, to, Pedestrian)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				p, err := g.Shortest(from, to, Pedestrian)
				if err != nil || p.LengthM != want.LengthM {
					t.Errorf("concurrent query: %v %v", p.LengthM, err)
					return
				}
				g.Nearest([2]float64{40, 3}, Vehicle)
			}
		})
	}
	wg.Wait()
}
