package bench

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

// The channel of the AQ 3064.3-2025 Annex A simulations, fixed by the issue:
// RSSI = RSSI₁ₘ − 10·n·log₁₀(d) + N(0, σ²), beacons beyond 30 m unheard
// (line of sight not modelled), one report per 2 s (AQ 3064.3 §5: tags
// upload ≥ 30 times a minute). The solver is tuned, never this.
const (
	chanN        = 2.2
	chanSigmaDB  = 4.0
	chanRSSI1m   = -59.0
	chanRangeM   = 30.0
	reportEveryS = 2.0
	tagHeightM   = 1.2 // a worn tag above the floor
)

// channel simulates what a tag hears.
type channel struct {
	m   *locate.Map
	rng *rand.Rand
}

// report returns one report of a tag at xy, height z above ground: every
// beacon within range with a shadowed RSSI, strongest first, at most
// ingest.MaxBeacons (what one rssi message may carry).
func (c *channel) report(xy [2]float64, z float64) []locate.Obs {
	var obs []locate.Obs
	c.m.BeaconsWithin(xy, chanRangeM, func(b locate.Beacon) bool {
		dx, dy, dz := b.XY[0]-xy[0], b.XY[1]-xy[1], b.Z-z
		d := math.Sqrt(dx*dx + dy*dy + dz*dz)
		if d <= chanRangeM {
			rssi := chanRSSI1m - 10*chanN*math.Log10(math.Max(d, 0.1)) + c.rng.NormFloat64()*chanSigmaDB
			obs = append(obs, locate.Obs{ID: b.ID, RSSI: rssi})
		}
		return true
	})
	slices.SortStableFunc(obs, func(a, b locate.Obs) int { return cmp.Compare(b.RSSI, a.RSSI) })
	return obs[:min(len(obs), ingest.MaxBeacons)]
}

// plant is the demo plant prepared for the simulations.
type plant struct {
	m     *locate.Map
	walks []route.Line // outdoor walkways
	halls []route.Line // indoor corridors above the ground floor
	net   *route.Graph // the outdoor walkway network
	// yards are the outdoor working areas (production, storage, loading,
	// packaging) as plant-metre boxes x0, y0, x1, y1 shrunk by 20 m, in a
	// fixed order: where people stand at equipment, off the walkways.
	yards [][4]float64
}

func loadPlant() (*plant, error) {
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		return nil, err
	}
	s, err := sc.Twin(twin.Options{})
	if err != nil {
		return nil, err
	}
	m, err := locate.NewMap(s, nil)
	if err != nil {
		return nil, fmt.Errorf("bench: positioning map: %w", err)
	}
	lines, err := route.LinesFromScene(s, s.Frame())
	if err != nil {
		return nil, err
	}
	p := &plant{m: m}
	f := s.Frame()
	s.View(func(tx twin.Tx) {
		tx.Kind(twin.KindArea, func(e *twin.Entity) bool {
			switch e.String("area_type") {
			case "production", "storage", "logistics", "packaging":
				b := e.Geometry.Bound()
				x0, y0 := f.FastLocal(b.Min)
				x1, y1 := f.FastLocal(b.Max)
				if x1-x0 > 40 && y1-y0 > 40 {
					p.yards = append(p.yards, [4]float64{x0 + 20, y0 + 20, x1 - 20, y1 - 20})
				}
			}
			return true
		})
	})
	slices.SortFunc(p.yards, func(a, b [4]float64) int { return cmp.Compare(a[0]*1e6+a[1], b[0]*1e6+b[1]) }) // the scene's map order is random
	for _, l := range lines {
		switch {
		case l.Vehicle || l.Stairs():
		case l.Floor == 0:
			p.walks = append(p.walks, l)
		case l.Floor >= 2:
			p.halls = append(p.halls, l)
		}
	}
	if len(p.walks) == 0 || len(p.halls) == 0 || len(p.yards) == 0 {
		return nil, errors.New("bench: the demo plant has no walkways, upper-floor corridors or working areas")
	}
	p.net, err = route.Build(p.walks, route.Options{})
	return p, err
}

// site is a test point: plant metres, floor, height above ground.
type site struct {
	XY    [2]float64 `json:"xy_m"`
	Floor int        `json:"floor"`
	Z     float64    `json:"-"`
}

// pointOn returns a random point on a random line of ls.
func pointOn(rng *rand.Rand, ls []route.Line) ([2]float64, route.Line) {
	l := ls[rng.IntN(len(ls))]
	i := 1 + rng.IntN(len(l.Points)-1)
	a, b := l.Points[i-1], l.Points[i]
	t := rng.Float64()
	return [2]float64{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, l
}

// sites picks n static test sites at least 15 m apart (AQ 3064.3 Annex A):
// a third on upper-floor corridors of multi-storey buildings, a third on
// outdoor walkways and a third on open ground in the working areas, where
// people stand at equipment off the walkways.
func (p *plant) sites(rng *rand.Rand, n int) []site {
	var out []site
	far := func(xy [2]float64) bool {
		for _, s := range out {
			if math.Hypot(s.XY[0]-xy[0], s.XY[1]-xy[1]) < 15 {
				return false
			}
		}
		return true
	}
	for len(out) < n {
		switch k := len(out) * 3 / n; k {
		case 0: // indoors, upstairs
			xy, l := pointOn(rng, p.halls)
			b, ok := p.m.BuildingAt(xy)
			if ok && far(xy) {
				out = append(out, site{XY: xy, Floor: l.Floor, Z: tagHeightM + b.FloorBaseM(l.Floor)})
			}
		case 1: // on a walkway
			xy, _ := pointOn(rng, p.walks)
			if far(xy) {
				out = append(out, site{XY: xy, Z: tagHeightM})
			}
		default: // in a yard
			xy := p.yardPoint(rng)
			if _, indoor := p.m.BuildingAt(xy); !indoor && far(xy) {
				out = append(out, site{XY: xy, Z: tagHeightM})
			}
		}
	}
	return out
}

// yardPoint returns a random point of a random working area.
func (p *plant) yardPoint(rng *rand.Rand) [2]float64 {
	b := p.yards[rng.IntN(len(p.yards))]
	return [2]float64{b[0] + rng.Float64()*(b[2]-b[0]), b[1] + rng.Float64()*(b[3]-b[1])}
}

// walkRoute returns a route of lengthM metres along the outdoor walkways:
// the start of the shortest path between two random nodes far enough apart.
func (p *plant) walkRoute(rng *rand.Rand, lengthM float64) ([][2]float64, error) {
	for range 1000 {
		a, b := p.net.Node(rng.IntN(p.net.NumNodes())), p.net.Node(rng.IntN(p.net.NumNodes()))
		from, _ := p.net.Nearest(a.P, route.Pedestrian)
		to, _ := p.net.Nearest(b.P, route.Pedestrian)
		path, err := p.net.Shortest(from, to, route.Pedestrian)
		if err != nil || path.LengthM < lengthM {
			continue
		}
		return cutPath(path.Points, lengthM), nil
	}
	return nil, errors.New("bench: no walkway route long enough")
}

// cutPath returns the first lengthM metres of a polyline.
func cutPath(pts [][2]float64, lengthM float64) [][2]float64 {
	out := [][2]float64{pts[0]}
	left := lengthM
	for i := 1; i < len(pts) && left > 0; i++ {
		d := math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1])
		if d >= left {
			t := left / d
			out = append(out, [2]float64{pts[i-1][0] + t*(pts[i][0]-pts[i-1][0]), pts[i-1][1] + t*(pts[i][1]-pts[i-1][1])})
			break
		}
		out = append(out, pts[i])
		left -= d
	}
	return out
}

// along returns the point s metres along a polyline.
func along(pts [][2]float64, s float64) [2]float64 {
	for i := 1; i < len(pts); i++ {
		d := math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1])
		if s <= d && d > 0 {
			t := s / d
			return [2]float64{pts[i-1][0] + t*(pts[i][0]-pts[i-1][0]), pts[i-1][1] + t*(pts[i][1]-pts[i-1][1])}
		}
		s -= d
	}
	return pts[len(pts)-1]
}

// errorStats summarises horizontal errors: the 68.27 % point (AQ 3064.3
// Annex A: the 1σ point of the error distribution), the mean and the 95 %
// point.
func errorStats(errs []float64) (p68, mean, p95 float64) {
	if len(errs) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := slices.Clone(errs)
	slices.Sort(s)
	q := func(f float64) float64 {
		i := int(math.Ceil(f*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	var sum float64
	for _, e := range s {
		sum += e
	}
	return q(0.6827), sum / float64(len(s)), q(0.95)
}
