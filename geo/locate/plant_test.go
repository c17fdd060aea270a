package locate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// testPlant is a small synthetic plant in plant metres:
//
//   - walkway W1 along y = 0 from x = −100 to 200, beacons every 15 m, 3 m up;
//   - walkway W2 along x = 150 from y = 0 to 80, beacons every 15 m;
//   - a road along y = −10, 7 m wide, that people walk (no beacons);
//   - a vehicle-only road along y = 90 from x = −100 to 100 (not a walkway);
//   - building B, x 0…60, y 20…40, 3 floors of 4 m: on every floor a
//     corridor along y = 30 and beacons in two rows (y 25 and 35) every
//     12 m, 3 m above the floor; a door path from (30, 20) to W1.
type testPlant struct {
	f *geo.Frame
	s *twin.Scene
	m *Map
}

const (
	bFloors = 3
	bFloorH = 4.0
)

func newTestPlant(t testing.TB) *testPlant {
	t.Helper()
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1150, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPlant{f: f, s: twin.New(twin.Options{SiteID: "t", Frame: f})}
	var ch []twin.Change
	add := func(e *twin.Entity) { ch = append(ch, twin.Upsert{Entity: e}) }
	line := func(pts ...[2]float64) orb.LineString {
		ls := make(orb.LineString, len(pts))
		for i, q := range pts {
			ls[i] = f.FastPoint(q[0], q[1])
		}
		return ls
	}
	add(&twin.Entity{ID: "B", Kind: twin.KindBuilding, Height: bFloors * bFloorH,
		Geometry: orb.Polygon{orb.Ring(line([2]float64{0, 20}, [2]float64{60, 20}, [2]float64{60, 40}, [2]float64{0, 40}, [2]float64{0, 20}))},
		Props:    map[string]any{"floors": float64(bFloors), "floor_height_m": bFloorH}})
	add(&twin.Entity{ID: "W1", Kind: twin.KindWalkway, Geometry: line([2]float64{-100, 0}, [2]float64{200, 0}), Props: map[string]any{"width_m": 1.5}})
	add(&twin.Entity{ID: "W2", Kind: twin.KindWalkway, Geometry: line([2]float64{150, 0}, [2]float64{150, 80}), Props: map[string]any{"width_m": 1.5}})
	add(&twin.Entity{ID: "DOOR", Kind: twin.KindWalkway, Geometry: line([2]float64{30, 20}, [2]float64{30, 0}), Props: map[string]any{"width_m": 1.5}})
	add(&twin.Entity{ID: "R1", Kind: twin.KindRoad, Geometry: line([2]float64{-100, -10}, [2]float64{200, -10}), Props: map[string]any{"width_m": 7.0}})
	add(&twin.Entity{ID: "R2", Kind: twin.KindRoad, Geometry: line([2]float64{-100, 90}, [2]float64{100, 90}), Props: map[string]any{"width_m": 7.0, "pedestrian": false}})
	n := 0
	beacon := func(x, y, h float64, floor int, parent string) {
		n++
		props := map[string]any{"rssi_1m": -59.0}
		if floor > 0 {
			props["floor"] = float64(floor)
		}
		add(&twin.Entity{ID: fmt.Sprintf("BC-%03d", n), Kind: twin.KindBeacon, Parent: parent, Height: h, Geometry: f.FastPoint(x, y), Props: props})
	}
	for x := -90.0; x <= 195; x += 15 {
		beacon(x, 0, 3, 0, "")
	}
	for y := 15.0; y <= 75; y += 15 {
		beacon(150, y, 3, 0, "")
	}
	for fl := 1; fl <= bFloors; fl++ {
		add(&twin.Entity{ID: fmt.Sprintf("C%d", fl), Kind: twin.KindWalkway, Parent: "B",
			Geometry: line([2]float64{2, 30}, [2]float64{58, 30}), Props: map[string]any{"floor": float64(fl), "width_m": 2.0}})
		for _, y := range []float64{25, 35} {
			for x := 6.0; x < 60; x += 12 {
				beacon(x, y, float64(fl-1)*bFloorH+3, fl, "B")
			}
		}
	}
	if err := p.s.Apply(ch...).Err(); err != nil {
		t.Fatal(err)
	}
	if p.m, err = NewMap(p.s, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

// tagZ is the true height of a tag on a floor of B (0: outdoors).
func tagZ(floor int) float64 {
	if floor <= 1 {
		return DefaultTagHeightM
	}
	return float64(floor-1)*bFloorH + DefaultTagHeightM
}

// channel is the AQ 3064.3 Annex A simulation channel: RSSI₁ₘ − 10·n·log₁₀(d)
// + N(0, σ²), n = 2.2, σ = sigma dB, beacons beyond 30 m unheard.
type channel struct {
	m     *Map
	rng   *rand.Rand
	sigma float64
	// slabDB, when set, attenuates an indoor beacon by this much per floor
	// slab between it and the tag (real buildings; Annex A has none).
	slabDB float64
}

func newChannel(m *Map, seed uint64, sigma float64) *channel {
	return &channel{m: m, rng: rand.New(rand.NewPCG(seed, 1)), sigma: sigma}
}

func (c *channel) report(xy [2]float64, z float64) []Obs {
	var obs []Obs
	c.m.BeaconsWithin(xy, 30, func(b Beacon) bool {
		d := math.Sqrt((b.XY[0]-xy[0])*(b.XY[0]-xy[0]) + (b.XY[1]-xy[1])*(b.XY[1]-xy[1]) + (b.Z-z)*(b.Z-z))
		if d <= 30 {
			rssi := b.RSSI1m - 22*math.Log10(d) + c.rng.NormFloat64()*c.sigma
			if b.Floor > 0 {
				tagStorey := math.Round((z - DefaultTagHeightM) / bFloorH)
				rssi -= c.slabDB * math.Abs(float64(b.Floor-1)-tagStorey)
			}
			obs = append(obs, Obs{ID: b.ID, RSSI: rssi})
		}
		return true
	})
	return obs
}

var t0 = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

func ts(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// p68 returns the 68.27 % point of errs (AQ 3064.3 Annex A).
func p68(errs []float64) float64 {
	s := append([]float64(nil), errs...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[int(math.Ceil(0.6827*float64(len(s))))-1]
}

func dist(a, b [2]float64) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

func newSolver(t testing.TB, m *Map, o Options) *Solver {
	t.Helper()
	s, err := NewSolver(m, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
