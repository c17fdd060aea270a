package threat

import (
	"maps"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// plant is a small synthetic plant: an ammonia tank at the frame origin, a
// pump, ten ammonia detectors, a weather station and three people, on a
// frame turned 20° so that plant axes and east/north differ.
type plant struct {
	t      testing.TB
	frame  *geo.Frame
	scene  *twin.Scene
	clock  *clock
	zones  chan struct{} // signalled on every threat_zone delta
	ammo   *substance.Substance
	source orb.Point // metres east/north of the origin
	rateGS float64
}

// Detector positions, metres east/north of the tank: downwind of a west
// wind, across it, upwind, and north (downwind of a south wind).
var detectorsEN = []orb.Point{
	{30, 0}, {60, 6}, {100, -5}, {150, 12}, {220, -15},
	{-60, 0}, {0, 60}, {8, 130}, {-12, 220}, {90, 90},
}

func newPlant(t testing.TB) *plant {
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 20)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2025, 7, 1, 2, 0, 0, 0, time.UTC)}
	p := &plant{t: t, frame: f, clock: c, zones: make(chan struct{}, 1), rateGS: 400}
	p.scene = twin.New(twin.Options{SiteID: "site", Frame: f, Clock: c.Now})
	p.ammo, err = substance.Default().Get("ammonia")
	if err != nil {
		t.Fatal(err)
	}
	at := p.at
	ents := []*twin.Entity{
		{ID: "T-NH3", Kind: twin.KindTank, Geometry: at(0, 0), Height: 12, Props: map[string]any{"substance": "ammonia", "radius_m": 5.0}},
		{ID: "P-101", Kind: twin.KindEquipment, Geometry: at(45, -35), Props: map[string]any{"equipment_type": "pump", "substance": "NH3"}},
		{ID: "WS-1", Kind: twin.KindWeatherStation, Geometry: at(-150, 120), Height: 10},
		{ID: "WS-FAR", Kind: twin.KindWeatherStation, Geometry: at(5000, 5000), Height: 10},
	}
	for i, q := range detectorsEN {
		ents = append(ents, &twin.Entity{ID: detID(i), Kind: twin.KindGasDetector, Geometry: at(q[0], q[1]), Height: 0.5,
			Props: map[string]any{"gas": "NH3", "unit": "ppm"}})
	}
	for _, id := range []string{"P-IN", "P-YELLOW", "P-OUT"} {
		ents = append(ents, &twin.Entity{ID: id, Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "tag-" + id, Battery: math.NaN()}})
	}
	p.apply(upserts(ents)...)
	p.move("P-IN", 60, 0)       // on the centreline, well inside red
	p.move("P-YELLOW", 600, 20) // beyond orange, inside yellow
	p.move("P-OUT", -300, -300) // upwind of everything
	p.scene.Observe(func(r twin.Result) {
		for _, d := range r.Deltas {
			if d.Kind == twin.KindThreatZone {
				select {
				case p.zones <- struct{}{}:
				default:
				}
				return
			}
		}
	})
	return p
}

func detID(i int) string { return "GD-" + string(rune('A'+i)) }

func upserts(ents []*twin.Entity) []twin.Change {
	out := make([]twin.Change, len(ents))
	for i, e := range ents {
		out[i] = twin.Upsert{Entity: e}
	}
	return out
}

// at converts metres east/north of the origin to [lon, lat].
func (p *plant) at(e, n float64) orb.Point {
	x, y := p.frame.Plant(e, n)
	return p.frame.Point(x, y)
}

func (p *plant) apply(cs ...twin.Change) {
	if err := p.scene.Apply(cs...).Err(); err != nil {
		p.t.Fatal(err)
	}
}

func (p *plant) move(id string, e, n float64) {
	p.clock.Add(time.Millisecond)
	p.apply(twin.Move{ID: id, Fix: twin.Fix{Point: p.at(e, n), At: p.clock.Now()}, Battery: math.NaN()})
}

// weather sets the station's report, as ingest does.
func (p *plant) weather(speed, from float64, stability string) {
	st := map[string]any{"wind_speed": speed, "wind_from": from, "stability": nil, "cloud_octas": nil}
	if stability != "" {
		st["stability"] = stability
	}
	p.apply(twin.SetState{ID: "WS-1", At: p.clock.Now(), State: st})
}

// fitted is the plume the service fits readings with in a wind of the
// given class and no measured spread: a unit's wake and the class's
// default direction spread widen Briggs's σ (plume.Widened).
func fitted(rateGS, speed float64, class plume.Stability) plume.Plume {
	theta, _ := plume.DefaultSigmaThetaDeg(class)
	return plume.Plume{RateGS: rateGS, WindMS: speed, Stability: class,
		Sigma: plume.Widened{Y0M: plume.WakeSigmaYM, Z0M: plume.WakeSigmaZM, ThetaDeg: theta}}
}

// readings sets every detector's value in ppm from the plume of the known
// source in the given wind (the model the service fits), as ingest would.
func (p *plant) readings(speed, from float64, class plume.Stability) {
	pl := fitted(p.rateGS, speed, class)
	d := plume.Downwind(from)
	var cs []twin.Change
	for i, q := range detectorsEN {
		e, n := q[0]-p.source[0], q[1]-p.source[1]
		x, y := e*d[0]+n*d[1], -e*d[1]+n*d[0]
		c, err := pl.Near(x, y, 0.5)
		if err != nil {
			p.t.Fatal(err)
		}
		ppm := substance.GM3ToPPM(c, p.ammo.MolarMass(), substance.MolarVolume25C)
		cs = append(cs, twin.SetState{ID: detID(i), At: p.clock.Now(), State: map[string]any{"value": ppm, "unit": "ppm", "fault": false}})
	}
	p.apply(cs...)
}

func gasAlarm(det string, action alarm.Action) alarm.Event {
	st := alarm.Active
	if action == alarm.ActionCleared {
		st = alarm.Cleared
	}
	return alarm.Event{Action: action, Alarm: alarm.Alarm{Type: alarm.GasLevel2, Level: alarm.LevelHigh, State: st,
		Key: "gas_level2:" + det, EntityID: det}}
}

// zonesOf returns the threat_zone entities (clones) by id.
func (p *plant) zonesOf() map[string]*twin.Entity {
	out := map[string]*twin.Entity{}
	p.scene.View(func(tx twin.Tx) {
		tx.Kind(twin.KindThreatZone, func(e *twin.Entity) bool { out[e.ID] = e.Clone(); return true })
	})
	return out
}

// waitZones waits until cond holds of the scene's zones, woken by zone
// deltas; it fails after 10 s of silence.
func (p *plant) waitZones(what string, cond func(map[string]*twin.Entity) bool) map[string]*twin.Entity {
	p.t.Helper()
	for {
		if z := p.zonesOf(); cond(z) {
			return z
		}
		select {
		case <-p.zones:
		case <-time.After(10 * time.Second):
			p.t.Fatalf("timed out waiting for %s; zones: %v", what, keys(p.zonesOf()))
		}
	}
}

func keys(m map[string]*twin.Entity) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// detector returns detector i as newPlant made it, with extra properties.
func (p *plant) detector(i int, extra map[string]any) *twin.Entity {
	e, ok := p.scene.Get(detID(i))
	if !ok {
		p.t.Fatalf("no %s", detID(i))
	}
	maps.Copy(e.Props, extra)
	return e
}
