package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/chemtwin/chemtwin/geo/locate"
)

// PositioningOptions size the positioning benchmark; zero values are the
// defaults, which are the AQ 3064.3-2025 Annex A test.
type PositioningOptions struct {
	Seed        uint64        // default 1
	Sites       int           // static sites; default 6
	Fixes       int           // reports per static site; default 300 (10 min at one per 2 s)
	RouteM      float64       // dynamic route length; default 500 m
	Checkpoints int           // default 100
	Tags        int           // tags in the throughput stream; default 1,000
	Duration    time.Duration // throughput measuring time per phase; default 2 s
	// Solver tunes the solver under test (never the channel).
	Solver locate.Options
}

// Annex A test parameters (AQ 3064.3-2025 Annex A).
const (
	walkSpeedMS  = 1.2 // ≥ 1 m/s
	pauseS       = 10.0
	takeAfterS   = 5.0  // the first fix after T+5 s counts …
	validWithinS = 10.0 // … unless it comes after T+10 s
	warmUpS      = 10.0 // the tester stands at the start before walking
)

func (o PositioningOptions) withDefaults() PositioningOptions {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Sites == 0 {
		o.Sites = 6
	}
	if o.Fixes == 0 {
		o.Fixes = 300
	}
	if o.RouteM == 0 {
		o.RouteM = 500
	}
	if o.Checkpoints == 0 {
		o.Checkpoints = 100
	}
	if o.Tags == 0 {
		o.Tags = 1000
	}
	if o.Duration == 0 {
		o.Duration = 2 * time.Second
	}
	return o
}

// SiteResult is one static site's figures.
type SiteResult struct {
	site
	P68M       float64 `json:"p68_m"`
	FloorRatio float64 `json:"floor_correct_ratio"`
}

// PositioningResult is what `chemtwin bench positioning` prints. Errors are
// horizontal distances to the truth in metres; p68 is the 68.27 % point.
type PositioningResult struct {
	Beacons          int          `json:"beacons"`
	StaticP68M       float64      `json:"static_p68_m"` // AQ 3064.3 limit 3 m
	StaticMeanM      float64      `json:"static_mean_m"`
	StaticP95M       float64      `json:"static_p95_m"`
	StaticFloorRatio float64      `json:"static_floor_correct_ratio"`
	StaticFixes      int          `json:"static_fixes"`
	Sites            []SiteResult `json:"sites"`
	DynamicP68M      float64      `json:"dynamic_p68_m"` // AQ 3064.3 limit 5 m
	DynamicMeanM     float64      `json:"dynamic_mean_m"`
	DynamicP95M      float64      `json:"dynamic_p95_m"`
	// DynamicValidRatio: checkpoints with a fix in (T+5 s, T+10 s]; > 95 %.
	DynamicValidRatio float64 `json:"dynamic_valid_ratio"`
	DynamicFloorRatio float64 `json:"dynamic_floor_correct_ratio"`
	RouteM            float64 `json:"route_m"`
	Checkpoints       int     `json:"checkpoints"`
	// Throughput of RSSI reports solved (least squares, floor, filter, map)
	// on one goroutine, and on all cores with the tags split among them.
	FixesPerS         float64 `json:"fixes_per_s"`
	FixNs             float64 `json:"fix_ns"`
	FixesPerSAllCores float64 `json:"fixes_per_s_all_cores"`
	Cores             int     `json:"cores"`
}

// Positioning runs the static and the dynamic accuracy test of AQ 3064.3
// Annex A as simulations on the demo plant's beacons, then measures the
// solver's throughput.
func Positioning(ctx context.Context, o PositioningOptions) (PositioningResult, error) {
	o = o.withDefaults()
	if err := o.Solver.Validate(); err != nil {
		return PositioningResult{}, err
	}
	p, err := loadPlant()
	if err != nil {
		return PositioningResult{}, err
	}
	res := PositioningResult{Beacons: p.m.NumBeacons(), RouteM: o.RouteM, Checkpoints: o.Checkpoints}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	if err := p.static(rng, o, &res); err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := p.dynamic(rng, o, &res); err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, p.throughput(ctx, rng, o, &res)
}

// epoch is the simulations' clock start.
var epoch = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return epoch.Add(time.Duration(s * float64(time.Second))) }

// static: each site is held for o.Fixes reports by a fresh tag.
func (p *plant) static(rng *rand.Rand, o PositioningOptions, res *PositioningResult) error {
	sv, err := locate.NewSolver(p.m, o.Solver)
	if err != nil {
		return err
	}
	ch := channel{m: p.m, rng: rng}
	var all []float64
	floorOK := 0
	for i, st := range p.sites(rng, o.Sites) {
		tag := fmt.Sprintf("S-%d", i)
		var errs []float64
		ok := 0
		for k := range o.Fixes {
			f, err := sv.RSSI(tag, at(float64(k)*reportEveryS), ch.report(st.XY, st.Z))
			if err != nil {
				return fmt.Errorf("bench: static site %d report %d: %w", i, k, err)
			}
			errs = append(errs, math.Hypot(f.XY[0]-st.XY[0], f.XY[1]-st.XY[1]))
			if f.Floor == st.Floor {
				ok++
			}
		}
		p68, _, _ := errorStats(errs)
		res.Sites = append(res.Sites, SiteResult{site: st, P68M: p68, FloorRatio: float64(ok) / float64(o.Fixes)})
		all = append(all, errs...)
		floorOK += ok
	}
	res.StaticP68M, res.StaticMeanM, res.StaticP95M = errorStats(all)
	res.StaticFixes = len(all)
	res.StaticFloorRatio = float64(floorOK) / float64(len(all))
	return nil
}

// dynamic walks the route past the checkpoints: walk to each at
// walkSpeedMS, pause pauseS there; at arrival time T the first fix after
// T+5 s counts, and none by T+10 s is invalid.
func (p *plant) dynamic(rng *rand.Rand, o PositioningOptions, res *PositioningResult) error {
	path, err := p.walkRoute(rng, o.RouteM)
	if err != nil {
		return err
	}
	sv, err := locate.NewSolver(p.m, o.Solver)
	if err != nil {
		return err
	}
	ch := channel{m: p.m, rng: rng}
	leg := o.RouteM / float64(o.Checkpoints)
	legS := leg / walkSpeedMS
	cycle := legS + pauseS
	// where returns the distance along the route at time t.
	where := func(t float64) float64 {
		t -= warmUpS
		if t <= 0 {
			return 0
		}
		k := math.Floor(t / cycle)
		return math.Min(o.RouteM, k*leg+math.Min(t-k*cycle, legS)*walkSpeedMS)
	}
	end := warmUpS + float64(o.Checkpoints)*cycle
	phase := rng.Float64() * reportEveryS
	var fixes []locate.Fix
	for t := phase; t <= end; t += reportEveryS {
		f, err := sv.RSSI("D-1", at(t), ch.report(along(path, where(t)), tagHeightM))
		if err != nil {
			return fmt.Errorf("bench: dynamic report at %.0f s: %w", t, err)
		}
		fixes = append(fixes, f)
	}
	var errs []float64
	valid, floorOK := 0, 0
	for k := 1; k <= o.Checkpoints; k++ {
		arrive := warmUpS + float64(k-1)*cycle + legS
		truth := along(path, float64(k)*leg)
		for _, f := range fixes {
			s := f.At.Sub(epoch).Seconds()
			if s <= arrive+takeAfterS {
				continue
			}
			if s <= arrive+validWithinS {
				valid++
				errs = append(errs, math.Hypot(f.XY[0]-truth[0], f.XY[1]-truth[1]))
				if f.Floor == 0 {
					floorOK++
				}
			}
			break
		}
	}
	res.DynamicP68M, res.DynamicMeanM, res.DynamicP95M = errorStats(errs)
	res.DynamicValidRatio = float64(valid) / float64(o.Checkpoints)
	res.DynamicFloorRatio = float64(floorOK) / float64(max(valid, 1))
	return nil
}

// throughput solves a stream of reports from o.Tags tags — three in four
// walking the outdoor walkways, one in four standing on an upper floor —
// first on one goroutine, then on all cores with the tags split among
// them, each phase for o.Duration.
func (p *plant) throughput(ctx context.Context, rng *rand.Rand, o PositioningOptions, res *PositioningResult) error {
	const steps = 50
	ch := channel{m: p.m, rng: rng}
	stream := make([][][]locate.Obs, o.Tags) // tag → step → report
	for i := range stream {
		var path [][2]float64
		st := site{Z: tagHeightM}
		if i%4 == 3 {
			st = p.sites(rng, 1)[0]
		} else {
			var err error
			if path, err = p.walkRoute(rng, steps*reportEveryS*walkSpeedMS); err != nil {
				return err
			}
		}
		for k := range steps {
			xy := st.XY
			if path != nil {
				xy = along(path, float64(k)*reportEveryS*walkSpeedMS)
			}
			stream[i] = append(stream[i], ch.report(xy, st.Z))
		}
	}
	tags := make([]string, o.Tags)
	for i := range tags {
		tags[i] = fmt.Sprintf("T-%05d", i)
	}
	n, d, err := p.solveStream(ctx, o, stream, tags, 1)
	if err != nil {
		return err
	}
	res.FixesPerS, res.FixNs = float64(n)/d.Seconds(), float64(d.Nanoseconds())/float64(n)
	res.Cores = runtime.GOMAXPROCS(0)
	n, d, err = p.solveStream(ctx, o, stream, tags, res.Cores)
	res.FixesPerSAllCores = float64(n) / d.Seconds()
	return err
}

// solveStream runs passes over the stream (a fresh solver each) on workers
// goroutines until o.Duration has passed, and returns the fixes solved and
// the time taken.
func (p *plant) solveStream(ctx context.Context, o PositioningOptions, stream [][][]locate.Obs, tags []string, workers int) (int, time.Duration, error) {
	start := time.Now()
	n := 0
	for time.Since(start) < o.Duration && ctx.Err() == nil {
		sv, err := locate.NewSolver(p.m, o.Solver)
		if err != nil {
			return 0, 0, err
		}
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for w := range workers {
			wg.Go(func() {
				for k := range len(stream[0]) {
					for i := w; i < len(stream); i += workers {
						if _, err := sv.RSSI(tags[i], at(float64(k)*reportEveryS), stream[i][k]); err != nil && errs[w] == nil {
							errs[w] = fmt.Errorf("bench: throughput tag %s: %w", tags[i], err)
						}
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return 0, 0, err
			}
		}
		n += len(stream) * len(stream[0])
	}
	return n, time.Since(start), ctx.Err()
}
