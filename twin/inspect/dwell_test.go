package inspect

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

func autoPoint(id string, loc orb.Point) *Point {
	return &Point{ID: id, Name: id, Location: loc, Code: id, RadiusM: 15, MinDwellS: 20, Auto: true, Checklist: []Item{}}
}

func sec(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// walk feeds person's fixes every step seconds from t = a to b (inclusive)
// at the positions pos(t) gives, collecting what was entered and left.
func walk(d *Dwell, person string, a, b, step float64, pos func(s float64) orb.Point) (entered, left map[float64][]string) {
	entered, left = map[float64][]string{}, map[float64][]string{}
	for s := a; s <= b; s += step {
		e, l := d.Observe(person, sec(s), pos(s))
		if e != nil {
			entered[s] = e
		}
		if l != nil {
			left[s] = l
		}
	}
	return entered, left
}

func TestDwellStop(t *testing.T) {
	var d Dwell
	if err := d.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
		t.Fatal(err)
	}
	// Outside until 10 s, standing 3 m off the point from 10 to 35 s,
	// gone from 36 s; a fix a second.
	entered, left := walk(&d, "alice", 0, 50, 1, func(s float64) orb.Point {
		switch {
		case s < 10:
			return east(origin, 20, 0)
		case s <= 35:
			return east(origin, 3, 0)
		}
		return east(origin, 30, 0)
	})
	if fmt.Sprint(entered) != "map[10:[A]]" || fmt.Sprint(left) != "map[36:[A]]" {
		t.Fatalf("entered %v, left %v", entered, left)
	}
	if _, ok := d.Inside("alice", "A", sec(50)); ok {
		t.Error("inside after leaving")
	}
	due := d.Due(sec(50))
	if len(due) != 1 || due[0].Dwell() != 25*time.Second || due[0].Person != "alice" || !due[0].Since.Equal(sec(10)) {
		t.Fatalf("due %+v", due)
	}
	if again := d.Due(sec(51)); len(again) != 0 {
		t.Errorf("reported twice: %+v", again)
	}
}

func TestDwellOngoingStayReportedOnce(t *testing.T) {
	var d Dwell
	if err := d.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
		t.Fatal(err)
	}
	walk(&d, "bob", 0, 18, 2, func(float64) orb.Point { return east(origin, 0, 5) })
	if since, ok := d.Inside("bob", "A", sec(19)); !ok || !since.Equal(t0) {
		t.Fatalf("inside %v %v", since, ok)
	}
	if due := d.Due(sec(19)); len(due) != 0 {
		t.Fatalf("due after 18 s: %+v", due)
	}
	walk(&d, "bob", 20, 40, 2, func(float64) orb.Point { return east(origin, 0, 5) })
	due := d.Due(sec(41))
	if len(due) != 1 || due[0].Dwell() != 40*time.Second {
		t.Fatalf("due %+v", due)
	}
	walk(&d, "bob", 42, 44, 2, func(float64) orb.Point { return east(origin, 50, 0) })
	if due := d.Due(sec(45)); len(due) != 0 {
		t.Errorf("the ended stay was reported again: %+v", due)
	}
	// Its auto check-in verifies as at the stay's last fix.
	c, err := Verify(due0(t, due).Visit(autoPoint("A", origin), nil))
	if err != nil || !c.Auto || c.DwellS != 40 || c.Status != RecordNormal {
		t.Errorf("auto check-in %+v %v", c, err)
	}
}

func due0(t *testing.T, due []Stay) Stay {
	t.Helper()
	if len(due) == 0 {
		t.Fatal("nothing due")
	}
	return due[0]
}

func TestDwellWalkingPast(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offsetM float64 // from the point, across the walk
		speedMS float64
		wantDue bool
		minInS  float64
		maxInS  float64
	}{
		// A chord of 2·√(15² − 10²) = 22.4 m at 1.4 m/s: 16 s inside.
		{"past at 10 m", 10, 1.4, false, 14, 17},
		// Straight through the centre at walking pace the tag is 21–25 s
		// inside a 15 m radius, longer than the 20 s dwell, but it is not
		// a stop: a fix 10 m (StopM) from the stop's centroid restarts
		// the stop, every ~2·10 m / speed.
		{"through the centre at 1.4 m/s", 0, 1.4, false, 21, 22},
		{"through the centre at 1.2 m/s", 0, 1.2, false, 24, 25},
		{"through the centre at 1.05 m/s", 0, 1.05, false, 28, 29},
		{"through the centre, briskly", 0, 1.8, false, 15, 17},
		// Dawdling through at 0.5 m/s (60 s inside) is a stop at the point.
		{"through the centre at 0.5 m/s", 0, 0.5, true, 58, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Dwell
			if err := d.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
				t.Fatal(err)
			}
			entered, left := walk(&d, "carol", 0, 120, 1, func(s float64) orb.Point {
				return east(origin, -40+tc.speedMS*s, tc.offsetM)
			})
			if len(entered) != 1 || len(left) != 1 {
				t.Fatalf("entered %v, left %v", entered, left)
			}
			var in, out float64
			for s := range entered {
				in = s
			}
			for s := range left {
				out = s
			}
			if got := out - 1 - in; got < tc.minInS || got > tc.maxInS {
				t.Errorf("inside %v s, want %v–%v", got, tc.minInS, tc.maxInS)
			}
			if due := d.Due(sec(121)); (len(due) == 1) != tc.wantDue {
				t.Errorf("due %+v, want due %v", due, tc.wantDue)
			}
		})
	}
}

// A standing tag's fixes scatter by the positioning error: at AQ
// 3064.3—2025's static accuracy (≤ 3 m at 68 %, σ = 3 / 1.51 ≈ 2 m per
// axis) it stays one stop for five minutes, whatever the noise's draw.
// (At the moving accuracy, σ 3.3 m, about 4 % of 40 s stops restart once
// on noise: the inspector's dwell then counts from the restart.)
func TestDwellStandingNoise(t *testing.T) {
	for seed := range uint64(20) {
		var d Dwell
		if err := d.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 2))
		walk(&d, "dave", 0, 300, 2, func(float64) orb.Point {
			return east(origin, 4+rng.NormFloat64()*2, rng.NormFloat64()*2)
		})
		since, ok := d.Inside("dave", "A", sec(301))
		if !ok || !since.Equal(t0) {
			t.Fatalf("seed %d: inside since %v (%v), want the first fix: the stop restarted on noise", seed, since.Sub(t0), ok)
		}
	}
}

// A stop that reached the dwell is reported even when the tag then walks
// on within the radius (a new stop) before Due runs; a stay is reported
// once.
func TestDwellHeldStop(t *testing.T) {
	var d Dwell
	if err := d.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
		t.Fatal(err)
	}
	walk(&d, "erin", 0, 25, 1, func(float64) orb.Point { return east(origin, -8, 0) })
	walk(&d, "erin", 26, 40, 1, func(s float64) orb.Point { return east(origin, -8+1.2*(s-25), 0) })
	if since, ok := d.Inside("erin", "A", sec(40)); !ok || !since.After(sec(26)) {
		t.Fatalf("inside since %v (%v): the walk did not start a new stop", since.Sub(t0), ok)
	}
	due := d.Due(sec(41))
	if len(due) != 1 || !due[0].Since.Equal(t0) || due[0].Dwell() < 25*time.Second || due[0].Dwell() > 35*time.Second {
		t.Fatalf("due %+v, want the held 25 s stop", due)
	}
	walk(&d, "erin", 41, 80, 1, func(float64) orb.Point { return east(origin, 9, 0) })
	if again := d.Due(sec(81)); len(again) != 0 {
		t.Errorf("the stay was reported twice: %+v", again)
	}
}

func TestDwellSilentGap(t *testing.T) {
	var d Dwell
	if err := d.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
		t.Fatal(err)
	}
	at := func(float64) orb.Point { return east(origin, 2, 2) }
	walk(&d, "dan", 0, 10, 2, at)
	// Silent for 35 s (> MaxGap 30 s): no longer inside, even before the
	// next fix shows whether the tag moved.
	if _, ok := d.Inside("dan", "A", sec(41)); ok {
		t.Error("inside through a silence")
	}
	e, l := d.Observe("dan", sec(45), at(45))
	if fmt.Sprint(e, l) != "[A] [A]" {
		t.Fatalf("after the gap: entered %v, left %v", e, l)
	}
	if since, ok := d.Inside("dan", "A", sec(46)); !ok || !since.Equal(sec(45)) {
		t.Errorf("new stay since %v %v, want 45 s", since, ok)
	}
	// A gap within MaxGap keeps the stay.
	d.Observe("dan", sec(70), at(70))
	if since, _ := d.Inside("dan", "A", sec(70)); !since.Equal(sec(45)) {
		t.Errorf("25 s gap ended the stay: since %v", since)
	}
	// A stay that reached the dwell before the tag fell silent is due once,
	// ending at its last fix; Due ends the silent stay.
	var d2 Dwell
	if err := d2.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
		t.Fatal(err)
	}
	walk(&d2, "eve", 0, 24, 2, at)
	due := d2.Due(sec(100))
	if len(due) != 1 || !due[0].Last.Equal(sec(24)) {
		t.Fatalf("due %+v", due)
	}
	if _, ok := d2.Inside("eve", "A", sec(100)); ok {
		t.Error("still inside")
	}
	// Custom gap.
	d3 := Dwell{MaxGap: 5 * time.Second}
	if err := d3.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
		t.Fatal(err)
	}
	walk(&d3, "eve", 0, 20, 6, at)
	if since, _ := d3.Inside("eve", "A", sec(18)); !since.Equal(sec(18)) {
		t.Errorf("6 s fixes with a 5 s gap: since %v", since)
	}
}

func TestDwellIgnores(t *testing.T) {
	var d Dwell
	if err := d.SetPoints([]*Point{autoPoint("A", origin), autoPoint("B", east(origin, 20, 0))}); err != nil {
		t.Fatal(err)
	}
	// Between two points 20 m apart the tag is within both radii.
	if e, _ := d.Observe("f", sec(10), east(origin, 10, 0)); fmt.Sprint(e) != "[A B]" {
		t.Fatalf("entered %v", e)
	}
	// An older fix, or a fix nowhere, changes nothing.
	if e, l := d.Observe("f", sec(5), east(origin, 500, 0)); e != nil || l != nil {
		t.Errorf("old fix: %v %v", e, l)
	}
	if e, l := d.Observe("f", sec(11), orb.Point{200, 0}); e != nil || l != nil {
		t.Errorf("invalid fix: %v %v", e, l)
	}
	if since, ok := d.Inside("f", "B", sec(12)); !ok || !since.Equal(sec(10)) {
		t.Errorf("B since %v %v", since, ok)
	}
	// Removing B drops its stay.
	if err := d.SetPoints([]*Point{autoPoint("A", origin)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Inside("f", "B", sec(12)); ok {
		t.Error("inside a removed point")
	}
	if e, l := d.Observe("f", sec(14), east(origin, 10, 0)); e != nil || l != nil {
		t.Errorf("after removal: %v %v", e, l)
	}
	// A bad point set is refused whole.
	for _, bad := range [][]*Point{{nil}, {{ID: "X", Location: orb.Point{0, 95}, RadiusM: 15}}, {{ID: "X", Location: origin}},
		{autoPoint("A", origin), autoPoint("A", origin)}} {
		if err := d.SetPoints(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetPoints(%v): %v", bad, err)
		}
	}
	if _, ok := d.Inside("f", "A", sec(14)); !ok {
		t.Error("a refused set changed the points")
	}
	var empty Dwell
	if e, l := empty.Observe("g", t0, origin); e != nil || l != nil || empty.Due(t0) != nil {
		t.Error("an empty Dwell found something")
	}
}

// randomPoints scatters n points over a 1 km square about origin.
func randomPoints(r *rand.Rand, n int) []*Point {
	ps := make([]*Point, n)
	for i := range ps {
		ps[i] = autoPoint(fmt.Sprintf("P%04d", i), east(origin, r.Float64()*1000, r.Float64()*1000))
		ps[i].RadiusM = 5 + r.Float64()*25
	}
	return ps
}

func bruteInside(ps []*Point, loc orb.Point) []string {
	var ids []string
	for _, p := range ps {
		if geo.DistanceM(loc, p.Location) <= p.RadiusM {
			ids = append(ids, p.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// Concurrent feeds for many people, with Inside and Due alongside; at the
// end each person's stays match a brute-force search of their last fix.
func TestDwellConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ps := randomPoints(r, 1000)
	var d Dwell
	if err := d.SetPoints(ps); err != nil {
		t.Fatal(err)
	}
	const workers, people, fixes = 8, 40, 200
	last := make([][]orb.Point, workers)
	var wg sync.WaitGroup
	for w := range workers {
		last[w] = make([]orb.Point, people)
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range fixes {
				for p := range people {
					loc := east(origin, r.Float64()*1000, r.Float64()*1000)
					d.Observe(fmt.Sprintf("w%d-p%d", w, p), sec(float64(i*2)), loc)
					last[w][p] = loc
				}
			}
		})
	}
	stop := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				d.Inside("w0-p0", "P0001", sec(10))
				d.Due(sec(10))
			}
		}
	})
	wg.Wait()
	close(stop)
	reader.Wait()
	now := sec(float64((fixes - 1) * 2))
	checked := 0
	for w := range workers {
		for p := range people {
			person := fmt.Sprintf("w%d-p%d", w, p)
			want := bruteInside(ps, last[w][p])
			var got []string
			for _, pt := range ps {
				if _, ok := d.Inside(person, pt.ID, now); ok {
					got = append(got, pt.ID)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s inside %v, want %v", person, got, want)
			}
			checked += len(want)
		}
	}
	if checked == 0 {
		t.Fatal("no one ended inside a point: the test checks nothing")
	}
}

func BenchmarkDwellObserve(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	var d Dwell
	if err := d.SetPoints(randomPoints(r, 1000)); err != nil {
		b.Fatal(err)
	}
	const people = 2000
	names := make([]string, people)
	locs := make([]orb.Point, people)
	for i := range names {
		names[i] = fmt.Sprintf("person-%d", i)
		locs[i] = east(origin, r.Float64()*1000, r.Float64()*1000)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := i % people
		// Each person walks 1.5 m a step, as at a fix every 2 s at 0.75 m/s.
		locs[p] = east(locs[p], 1.5*(r.Float64()-0.5)*2, 1.5*(r.Float64()-0.5)*2)
		d.Observe(names[p], sec(float64(i/people)*2), locs[p])
		i++
	}
}
