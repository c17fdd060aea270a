package bench

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/fence"
	"github.com/chemtwin/chemtwin/twin/gather"
)

// The acceptance tests of AQ 3064.3-2025 Annex A as simulations
// (../shared/REFERENCE.md §1): tags stand in a layout on the demo plant,
// each reports the beacons it hears every 2 s through the Annex A channel
// (RSSI₁ₘ − 10·2.2·log₁₀ d + N(0, 4²), beacons beyond 30 m unheard), the
// positioning solver turns the reports into fixes, and the gathering
// detector or the fence engine runs on those fixes. The alarm state is
// sampled every 4 s (≤ 5 s) over 10 simulated minutes at several places;
// a "must" layout counts a sample without its alarm as missed, a "must
// not" layout a sample with it as false. The standard asks a missed-alarm
// rate below 10 % and a false-alarm rate below 15 %.

const (
	annexMinutes = 10
	annexSampleS = 4.0
	annexPlaces  = 5 // places per seed
	annexSeeds   = 3
)

// annexTrial is one layout at one place: tag offsets (plant metres) from
// the place, and what the engine under test says at each sample.
type annexTrial struct {
	offsets [][2]float64
	// moved, when set, gives tag i's offset at time s instead (a tag that
	// crosses a boundary).
	moved func(i int, s float64) [2]float64
}

// runTrial feeds the layout's fixes at place c to feed and calls sample
// after every round of reports (the engine's tick); the answers every
// annexSampleS from settleS on count. It returns the samples and how many
// of them were alarmed, and logs the samples as a line of 0s and 1s.
func runTrial(t *testing.T, p *plant, rng *rand.Rand, c [2]float64, tr annexTrial, settleS float64,
	feed func(i int, f locate.Fix), sample func(s float64) bool) (n, alarmed int) {
	t.Helper()
	sv, err := locate.NewSolver(p.m, locate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := channel{m: p.m, rng: rng}
	var line []byte
	for k := 0; float64(k)*reportEveryS <= annexMinutes*60; k++ {
		s := float64(k) * reportEveryS
		for i, off := range tr.offsets {
			if tr.moved != nil {
				off = tr.moved(i, s)
			}
			// Tags report out of step (a tag's own 2 s clock).
			f, err := sv.RSSI(fmt.Sprintf("T%d", i), at(s+0.1*float64(i)), ch.report([2]float64{c[0] + off[0], c[1] + off[1]}, tagHeightM))
			if err != nil {
				continue // nothing heard: no fix this time
			}
			feed(i, f)
		}
		// The engine runs all along (the caller's tick); its state counts
		// from settleS on, every annexSampleS.
		on := sample(s + reportEveryS - 0.01)
		if s >= settleS && math.Mod(s, annexSampleS) == 0 {
			n++
			line = append(line, '0')
			if on {
				alarmed++
				line[len(line)-1] = '1'
			}
		}
	}
	t.Logf("place %.0f,%.0f: %d of %d alarmed %s", c[0], c[1], alarmed, n, line)
	return n, alarmed
}

// annexRuns yields the places of the trials with the random source of
// each: annexPlaces places for each of annexSeeds seeds of stream.
func annexRuns(t *testing.T, p *plant, stream uint64) iter.Seq2[*rand.Rand, [2]float64] {
	return func(yield func(*rand.Rand, [2]float64) bool) {
		for seed := range uint64(annexSeeds) {
			rng := rand.New(rand.NewPCG(3064+seed, stream))
			for _, c := range annexPlacesOf(t, p, rng) {
				if !yield(rng, c) {
					return
				}
			}
		}
	}
}

// annexPlacesOf picks outdoor places in the demo's working areas
// (production, storage, loading …: the areas the standard asks covered),
// far apart, with 20 m of the area and no building around each.
func annexPlacesOf(t *testing.T, p *plant, rng *rand.Rand) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for tries := 0; len(out) < annexPlaces && tries < 100000; tries++ {
		xy := p.yardPoint(rng)
		ok := true
		for _, q := range out {
			ok = ok && math.Hypot(q[0]-xy[0], q[1]-xy[1]) > 60
		}
		for _, d := range circle(8, 20, 0) {
			if _, indoor := p.m.BuildingAt([2]float64{xy[0] + d[0], xy[1] + d[1]}); indoor {
				ok = false
			}
		}
		if _, indoor := p.m.BuildingAt(xy); ok && !indoor {
			out = append(out, xy)
		}
	}
	if len(out) < annexPlaces {
		t.Fatalf("only %d places in the working areas", len(out))
	}
	return out
}

func checkRates(t *testing.T, what string, mustN, missed, notN, false_ int) {
	t.Helper()
	missRate, falseRate := float64(missed)/float64(mustN), float64(false_)/float64(notN)
	t.Logf("%s: missed %d of %d samples (%.1f %%), false %d of %d (%.1f %%)", what, missed, mustN, 100*missRate, false_, notN, 100*falseRate)
	if missRate >= 0.10 || falseRate >= 0.15 {
		t.Errorf("%s: missed-alarm rate %.1f %% (< 10 %%), false-alarm rate %.1f %% (< 15 %%)", what, 100*missRate, 100*falseRate)
	}
}

// circle returns n points on a circle of radius r, starting at angle a0.
func circle(n int, r, a0 float64) [][2]float64 {
	out := make([][2]float64, n)
	for i := range out {
		s, c := math.Sincos(a0 + 2*math.Pi*float64(i)/float64(n))
		out[i] = [2]float64{r * c, r * s}
	}
	return out
}

// TestAnnexAGathering: radius 15 m, threshold 6. Must alarm: one tag at
// the centre and five on a 12 m circle. Must not: one at the centre, four
// on the 12 m circle and one just outside 18 m.
func TestAnnexAGathering(t *testing.T) {
	if testing.Short() {
		t.Skip("Annex A simulation")
	}
	p, err := loadPlant()
	if err != nil {
		t.Fatal(err)
	}
	must := append([][2]float64{{0, 0}}, circle(5, 12, 0.3)...)
	not := append(append([][2]float64{{0, 0}}, circle(4, 12, 0.3)...), [2]float64{-18.5, 0.5})
	var mustN, missed, notN, falseN int
	for rng, c := range annexRuns(t, p, 3) {
		for _, layout := range []struct {
			offsets [][2]float64
			must    bool
		}{{must, true}, {not, false}} {
			d, err := gather.NewDetector(gather.Config{MinPersons: 6})
			if err != nil {
				t.Fatal(err)
			}
			feed := func(i int, f locate.Fix) {
				if err := d.Update(gather.Fix{PersonID: fmt.Sprintf("P%d", i), X: f.XY[0], Y: f.XY[1], Floor: f.Floor, At: f.At}); err != nil {
					t.Fatal(err)
				}
			}
			sample := func(s float64) bool {
				d.Tick(at(s))
				for _, g := range d.Gatherings() {
					if g.Raised && !g.Dispersed {
						return true
					}
				}
				return false
			}
			// The alarm is due 60 s after the group forms; sample from 70 s.
			n, a := runTrial(t, p, rng, c, annexTrial{offsets: layout.offsets}, 70, feed, sample)
			if layout.must {
				mustN, missed = mustN+n, missed+n-a
			} else {
				notN, falseN = notN+n, falseN+a
			}
		}
	}
	checkRates(t, "gathering", mustN, missed, notN, falseN)
}

// fenceTrial runs a fence layout through the fence engine and reports the
// samples and alarmed samples of alarm type typ.
func fenceTrial(t *testing.T, p *plant, rng *rand.Rand, c [2]float64, props map[string]any, tr annexTrial, settleS float64) (int, int) {
	t.Helper()
	f := p.m.Frame()
	sq := orb.Polygon{{{c[0] - 7.5, c[1] - 7.5}, {c[0] + 7.5, c[1] - 7.5}, {c[0] + 7.5, c[1] + 7.5}, {c[0] - 7.5, c[1] + 7.5}, {c[0] - 7.5, c[1] - 7.5}}}
	set, err := fence.Compile([]*twin.Entity{{ID: "FN-A", Kind: twin.KindFence, Name: "Annex A", Geometry: f.ToGeometry(sq), Props: props}}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	e, err := fence.NewEngine(set, fence.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var out []fence.Transition
	active := map[string]bool{}
	apply := func(ts []fence.Transition) {
		for _, tr := range ts {
			active[tr.Raise.Key] = !tr.Clear
		}
	}
	for i := range tr.offsets {
		out = e.SetSubject(out[:0], fence.Subject{ID: fmt.Sprintf("P%d", i), Kind: twin.KindPerson, IdentityType: "internal"}, at(0))
		apply(out)
	}
	feed := func(i int, fx locate.Fix) {
		var err error
		out, err = e.Update(out[:0], fmt.Sprintf("P%d", i), fx.Twin())
		if err != nil {
			t.Fatal(err)
		}
		apply(out)
	}
	sample := func(s float64) bool {
		apply(e.Tick(out[:0], at(s)))
		for _, on := range active {
			if on {
				return true
			}
		}
		return false
	}
	return runTrial(t, p, rng, c, tr, settleS, feed, sample)
}

// TestAnnexAHeadcount: a 15 m square with an over-staffing limit of 4.
// Must alarm: four tags, each 3 m inside an edge. Must not: three inside
// and one outside, 3 m from the edge. (The Annex's "limit 4, four tags
// alarm" is max_persons 3: our limit is the most allowed.)
func TestAnnexAHeadcount(t *testing.T) {
	if testing.Short() {
		t.Skip("Annex A simulation")
	}
	p, err := loadPlant()
	if err != nil {
		t.Fatal(err)
	}
	props := map[string]any{"rule": "headcount", "max_persons": 3.0}
	must := [][2]float64{{0, -4.5}, {4.5, 0}, {0, 4.5}, {-4.5, 0}} // 3 m inside each edge
	not := [][2]float64{{0, -4.5}, {4.5, 0}, {0, 4.5}, {-10.5, 0}} // the last 3 m outside
	var mustN, missed, notN, falseN int
	for rng, c := range annexRuns(t, p, 4) {
		n, a := fenceTrial(t, p, rng, c, props, annexTrial{offsets: must}, 30)
		mustN, missed = mustN+n, missed+n-a
		n, a = fenceTrial(t, p, rng, c, props, annexTrial{offsets: not}, 30)
		notN, falseN = notN+n, falseN+a
	}
	checkRates(t, "headcount", mustN, missed, notN, falseN)
}

// TestAnnexACrossing: one tag outside the fence must alarm; one 3 m inside
// must not. The fence keeps people in (keep_in): the tag that must alarm
// is inside for the first minute, then stands 3 m outside.
func TestAnnexACrossing(t *testing.T) {
	if testing.Short() {
		t.Skip("Annex A simulation")
	}
	p, err := loadPlant()
	if err != nil {
		t.Fatal(err)
	}
	props := map[string]any{"rule": "keep_in"}
	out := annexTrial{offsets: [][2]float64{{0, 0}}, moved: func(_ int, s float64) [2]float64 {
		if s < 60 {
			return [2]float64{0, 0}
		}
		return [2]float64{10.5, 0} // 3 m outside the east edge
	}}
	in := annexTrial{offsets: [][2]float64{{4.5, 0}}} // 3 m inside the east edge
	var mustN, missed, notN, falseN int
	for rng, c := range annexRuns(t, p, 5) {
		n, a := fenceTrial(t, p, rng, c, props, out, 70) // the alarm is due ≤ 5 s after the crossing
		mustN, missed = mustN+n, missed+n-a
		n, a = fenceTrial(t, p, rng, c, props, in, 10)
		notN, falseN = notN+n, falseN+a
	}
	checkRates(t, "crossing", mustN, missed, notN, falseN)
}
