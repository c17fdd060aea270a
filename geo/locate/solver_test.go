package locate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		ok   bool
	}{
		{"zero is the defaults", Options{}, true},
		{"calibrated", Options{PathLossExp: 3.1, ShadowingDB: 6, TagHeightM: 1.5, MaxBeacons: 8, SnapM: 3, MaxGap: time.Minute}, true},
		{"snapping off", Options{SnapM: -1}, true},
		{"exponent too small", Options{PathLossExp: 0.5}, false},
		{"NaN exponent", Options{PathLossExp: math.NaN()}, false},
		{"negative shadowing", Options{ShadowingDB: -4}, false},
		{"two beacons", Options{MaxBeacons: 2}, false},
		{"too many beacons", Options{MaxBeacons: 65}, false},
		{"NaN snap", Options{SnapM: math.NaN()}, false},
		{"negative gap", Options{MaxGap: -time.Second}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.o.Validate()
			if (err == nil) != c.ok || err != nil && !errors.Is(err, ErrOptions) {
				t.Errorf("Validate = %v", err)
			}
		})
	}
	if _, err := NewSolver(nil, Options{}); !errors.Is(err, ErrOptions) {
		t.Errorf("nil map: %v", err)
	}
}

func TestRSSIRejects(t *testing.T) {
	p := newTestPlant(t)
	s := newSolver(t, p.m, Options{})
	good := newChannel(p.m, 1, 0).report([2]float64{10, 0}, DefaultTagHeightM)
	if _, err := s.RSSI("T", ts(10), good); err != nil {
		t.Fatal(err)
	}
	many := make([]Obs, MaxObs+1)
	for i := range many {
		many[i] = Obs{ID: "BC-001", RSSI: -70}
	}
	cases := []struct {
		name    string
		tag     string
		at      time.Time
		obs     []Obs
		want    error
		unknown int
	}{
		{"empty tag", "", ts(20), good, ErrBadReport, 0},
		{"no time", "T", time.Time{}, good, ErrBadReport, 0},
		{"NaN rssi", "T", ts(20), []Obs{{"BC-001", math.NaN()}}, ErrBadReport, 0},
		{"infinite rssi", "T", ts(20), []Obs{{"BC-001", math.Inf(-1)}}, ErrBadReport, 0},
		{"rssi above 20 dBm", "T", ts(20), []Obs{{"BC-001", 30}}, ErrBadReport, 0},
		{"too many entries", "T", ts(20), many, ErrBadReport, 0},
		{"no beacons", "T", ts(20), nil, ErrNoBeacons, 0},
		{"only unknown beacons", "T", ts(20), []Obs{{"X-1", -60}, {"", -70}}, ErrNoBeacons, 2},
		{"replayed", "T", ts(10), good, ErrOutOfOrder, 0},
		{"older", "T", ts(8), good, ErrOutOfOrder, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := s.RSSI(c.tag, c.at, c.obs)
			if !errors.Is(err, c.want) || f.Unknown != c.unknown {
				t.Errorf("err = %v, unknown %d; want %v, %d", err, f.Unknown, c.want, c.unknown)
			}
		})
	}
	// rejected reports left the track alone: the next one continues it
	f, err := s.RSSI("T", ts(12), append(good, Obs{"NOT-A-BEACON", -50}))
	if err != nil || f.Unknown != 1 || f.Beacons == 0 || dist(f.XY, [2]float64{10, 0}) > 2 {
		t.Errorf("after rejects: %+v, %v", f, err)
	}
}

func TestPositionRejects(t *testing.T) {
	p := newTestPlant(t)
	s := newSolver(t, p.m, Options{})
	ok := p.f.FastPoint(10, 0)
	cases := []struct {
		name  string
		p     orb.Point
		floor int
		sigma float64
	}{
		{"NaN lon", orb.Point{math.NaN(), 38.1}, 0, 3},
		{"lat out of range", orb.Point{106.6, 91}, 0, 3},
		{"zero sigma", ok, 0, 0},
		{"NaN sigma", ok, 0, math.NaN()},
		{"huge sigma", ok, 0, 1e9},
		{"floor", ok, 5000, 3},
		{"another continent", orb.Point{-76.34, -67.6}, 0, 3},
		{"60 km off", p.f.FastPoint(60_000, 0), 0, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Position("T", ts(1), c.p, c.floor, c.sigma); !errors.Is(err, ErrBadPosition) {
				t.Errorf("err = %v", err)
			}
		})
	}
	if s.Tags() != 0 {
		t.Errorf("rejected fixes created %d tracks", s.Tags())
	}
}

// TestPositionFixes runs GNSS-like fixes (3 m noise) of a walk along W1
// through the filter: the walkway constraint and the filter beat the raw
// fixes; an indoor UWB fix with a floor keeps the floor.
func TestPositionFixes(t *testing.T) {
	p := newTestPlant(t)
	s := newSolver(t, p.m, Options{})
	rng := rand.New(rand.NewPCG(9, 9))
	var raw, filtered []float64
	for k := range 100 {
		truth := [2]float64{-80 + 1.2*2*float64(k), 0}
		z := [2]float64{truth[0] + rng.NormFloat64()*3, truth[1] + rng.NormFloat64()*3}
		f, err := s.Position("G", ts(float64(k)*2), p.f.FastPoint(z[0], z[1]), 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		if k >= 10 {
			raw = append(raw, dist(z, truth))
			filtered = append(filtered, dist(f.XY, truth))
			if math.Abs(f.XY[1]) > 1 || f.Floor != 0 || f.Building != "" {
				t.Fatalf("step %d: %+v off the walkway", k, f)
			}
		}
	}
	if r, g := p68(raw), p68(filtered); g > r/2 {
		t.Errorf("p68 raw %.2f m, filtered %.2f m", r, g)
	}
	f, err := s.Position("U", ts(0), p.f.FastPoint(20, 30), 2, 0.3)
	if err != nil || f.Floor != 2 || f.Building != "B" || math.Abs(f.Z-(bFloorH+DefaultTagHeightM)) > 1e-9 {
		t.Errorf("UWB fix = %+v, %v", f, err)
	}
	f, err = s.Position("U", ts(2), p.f.FastPoint(20.2, 30), 0, 0.3)
	if err != nil || f.Floor != 2 {
		t.Errorf("a floorless fix in the same building keeps the floor: %+v, %v", f, err)
	}
	tf := f.Twin()
	if tf.Point != f.Point || tf.Floor != 2 || tf.At != f.At || tf.Z != f.Z {
		t.Errorf("Twin() = %+v", tf)
	}
}

// TestAccuracySynthetic runs the Annex A test shapes on the synthetic
// plant: a static site on a walkway, one on floor 3, and a walk.
func TestAccuracySynthetic(t *testing.T) {
	p := newTestPlant(t)
	s := newSolver(t, p.m, Options{})
	ch := newChannel(p.m, 11, 4)
	sites := []struct {
		xy    [2]float64
		floor int
	}{{[2]float64{-37, 0}, 0}, {[2]float64{150, 41}, 0}, {[2]float64{37, 30}, 3}}
	for i, st := range sites {
		var errs []float64
		floorOK := 0
		for k := range 300 {
			f, err := s.RSSI(fmt.Sprint("S", i), ts(float64(k)*2), ch.report(st.xy, tagZ(st.floor)))
			if err != nil {
				t.Fatal(err)
			}
			errs = append(errs, dist(f.XY, st.xy))
			if f.Floor == st.floor {
				floorOK++
			}
		}
		t.Logf("site %v floor %d: p68 %.2f m, floor right %d/300", st.xy, st.floor, p68(errs), floorOK)
		// AQ 3064.3-2025 Annex A: static ≤ 3 m at the 68.27 % point
		if e := p68(errs); e > 3 || floorOK < 285 {
			t.Errorf("site %v floor %d: p68 %.2f m, floor right %d/300", st.xy, st.floor, e, floorOK)
		}
	}
	var errs []float64
	for k := range 120 { // to x = 196, the end of the beacons
		truth := [2]float64{-90 + 1.2*2*float64(k), 0}
		f, err := s.RSSI("W", ts(float64(k)*2), ch.report(truth, DefaultTagHeightM))
		if err != nil {
			t.Fatal(err)
		}
		if k > 5 {
			errs = append(errs, dist(f.XY, truth))
		}
	}
	t.Logf("walk: p68 %.2f m", p68(errs))
	// AQ 3064.3-2025 Annex A: moving ≤ 5 m
	if e := p68(errs); e > 5 {
		t.Errorf("walk: p68 %.2f m", e)
	}
}

func TestGapRestarts(t *testing.T) {
	p := newTestPlant(t)
	s := newSolver(t, p.m, Options{MaxGap: 10 * time.Second})
	ch := newChannel(p.m, 3, 0)
	for k := range 10 {
		if _, err := s.RSSI("T", ts(float64(k)*2), ch.report([2]float64{-80, 0}, DefaultTagHeightM)); err != nil {
			t.Fatal(err)
		}
	}
	// 190 m away after a minute: a fresh track lands there at once
	f, err := s.RSSI("T", ts(78), ch.report([2]float64{110, 0}, DefaultTagHeightM))
	if err != nil || dist(f.XY, [2]float64{110, 0}) > 1 || f.SpeedMS != 0 {
		t.Errorf("after the gap: %+v, %v", f, err)
	}
}

// TestTagsAreIndependent solves two tags interleaved from several
// goroutines and alone: the fixes must be identical.
func TestTagsAreIndependent(t *testing.T) {
	p := newTestPlant(t)
	const tags, steps = 16, 40
	reports := make([][][]Obs, tags)
	for i := range reports {
		ch := newChannel(p.m, uint64(i), 4)
		for k := range steps {
			reports[i] = append(reports[i], ch.report([2]float64{-90 + float64(i*10) + float64(k), 0}, DefaultTagHeightM))
		}
	}
	solve := func(s *Solver, i int) []Fix {
		var out []Fix
		for k := range steps {
			f, err := s.RSSI(fmt.Sprint("T", i), ts(float64(k)*2), reports[i][k])
			if err != nil {
				t.Error(err)
			}
			out = append(out, f)
		}
		return out
	}
	alone := make([][]Fix, tags)
	for i := range tags {
		alone[i] = solve(newSolver(t, p.m, Options{}), i)
	}
	shared := newSolver(t, p.m, Options{})
	together := make([][]Fix, tags)
	var wg sync.WaitGroup
	for i := range tags {
		wg.Go(func() { together[i] = solve(shared, i) })
	}
	wg.Wait()
	for i := range tags {
		for k := range steps {
			if alone[i][k] != together[i][k] {
				t.Fatalf("tag %d step %d: %+v alone, %+v together", i, k, alone[i][k], together[i][k])
			}
		}
	}
	if shared.Tags() != tags {
		t.Errorf("%d tags", shared.Tags())
	}
	shared.Forget("T0")
	if n := shared.Prune(ts(2 * steps)); n != tags-1 || shared.Tags() != 0 {
		t.Errorf("pruned %d, %d left", n, shared.Tags())
	}
}

// TestStandingOffWalkway: a tag standing 3.5 m beside walkway W1 (a pump
// by the path) stays beside it when its fixes can tell the sides apart;
// only where they cannot (10 m fixes) does the walkway decide, and holds a
// tag standing on it there.
func TestStandingOffWalkway(t *testing.T) {
	p := newTestPlant(t)
	for _, c := range []struct {
		name   string
		truth  [2]float64
		sigmaM float64
		maxErr float64 // of the mean y
		maxRMS float64 // of y about the truth
	}{
		{"sharp fixes beside the walkway", [2]float64{-50, 3.5}, 1, 0.8, 1.0},
		{"blind fixes on the walkway", [2]float64{-50, 0}, 10, 0.5, 0.1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSolver(t, p.m, Options{})
			rng := rand.New(rand.NewPCG(5, 5))
			var sumY, sumY2 float64
			n := 0
			for k := range 150 {
				z := [2]float64{c.truth[0] + rng.NormFloat64()*c.sigmaM, c.truth[1] + rng.NormFloat64()*c.sigmaM}
				f, err := s.Position("S", ts(float64(k)*2), p.f.FastPoint(z[0], z[1]), 0, c.sigmaM)
				if err != nil {
					t.Fatal(err)
				}
				if k >= 100 {
					sumY += f.XY[1]
					sumY2 += (f.XY[1] - c.truth[1]) * (f.XY[1] - c.truth[1])
					n++
				}
			}
			y, rms := sumY/float64(n), math.Sqrt(sumY2/float64(n))
			if math.Abs(y-c.truth[1]) > c.maxErr || rms > c.maxRMS {
				t.Errorf("mean y %.2f m, truth %.2f m (±%.1f); rms %.2f m (≤ %.2f)", y, c.truth[1], c.maxErr, rms, c.maxRMS)
			}
		})
	}
}

// TestWalkingOnARoad: a road people walk is a walkway of the map (as it
// is one of route's pedestrian network): a tag walking along it with noisy
// fixes is held to it, so its error across the road is smaller than with
// no map constraint at all, and it is not pulled onto the walkway 10 m
// away.
func TestWalkingOnARoad(t *testing.T) {
	p := newTestPlant(t)
	const y, sigmaM = -10.0, 3.0
	acrossRMS := func(o Options) (rms float64, pulled int) {
		s := newSolver(t, p.m, o)
		rng := rand.New(rand.NewPCG(6, 6))
		var sum2 float64
		n := 0
		for k := range 120 {
			x := -90 + 1.2*2*float64(k)
			z := [2]float64{x + rng.NormFloat64()*sigmaM, y + rng.NormFloat64()*sigmaM}
			f, err := s.Position("R", ts(float64(k)*2), p.f.FastPoint(z[0], z[1]), 0, sigmaM)
			if err != nil {
				t.Fatal(err)
			}
			if k >= 20 {
				sum2 += (f.XY[1] - y) * (f.XY[1] - y)
				n++
				if f.XY[1] > -3 {
					pulled++
				}
			}
		}
		return math.Sqrt(sum2 / float64(n)), pulled
	}
	free, _ := acrossRMS(Options{SnapM: -1})
	held, pulled := acrossRMS(Options{})
	if held > 0.8*free || pulled > 0 {
		t.Errorf("across the road: rms %.2f m held by the map, %.2f m free (want ≤ 80 %%); %d fixes pulled toward the walkway", held, free, pulled)
	}
}

// TestFloorLoss: in a building whose slabs take 15 dB, a solver told so
// (Options.FloorLossDB) keeps a tag standing on floor 2 on its floor and
// within metres; one that assumes free space between floors does worse.
func TestFloorLoss(t *testing.T) {
	p := newTestPlant(t)
	truth := [2]float64{20, 30}
	run := func(lossDB float64) (p68m, floorOK float64) {
		s := newSolver(t, p.m, Options{FloorLossDB: lossDB})
		ch := newChannel(p.m, 21, 4)
		ch.slabDB = 15
		var errs []float64
		ok := 0
		for k := range 150 {
			f, err := s.RSSI("F", ts(float64(k)*2), ch.report(truth, tagZ(2)))
			if err != nil {
				t.Fatal(err)
			}
			if k >= 15 {
				errs = append(errs, dist(f.XY, truth))
				if f.Floor == 2 {
					ok++
				}
			}
		}
		return p68(errs), float64(ok) / float64(len(errs))
	}
	calErr, calFloor := run(15)
	freeErr, freeFloor := run(0)
	t.Logf("calibrated: p68 %.2f m, floor right %.3f; free space: p68 %.2f m, floor right %.3f", calErr, calFloor, freeErr, freeFloor)
	if calErr > 3 || calFloor < 0.95 {
		t.Errorf("calibrated solver: p68 %.2f m (≤ 3), floor right %.3f (≥ 0.95)", calErr, calFloor)
	}
	if calFloor < freeFloor || calFloor == freeFloor && calErr > freeErr {
		t.Errorf("the floor loss did not help: %.3f/%.2f m vs %.3f/%.2f m", calFloor, calErr, freeFloor, freeErr)
	}
	if _, err := NewSolver(p.m, Options{FloorLossDB: -1}); err == nil {
		t.Error("negative floor loss accepted")
	}
}
