package sim

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Release is a scripted continuous gas release (Options.Releases): the
// simulator's detectors read what a Gaussian plume from the source gives at
// their place in the regional wind of the moment, so that the live chain
// (detectors → gas alarms → source estimate → threat zones → people at
// risk) runs on readings with the shape of a real cloud.
type Release struct {
	// Name names the release in logs, e.g. "ammonia-leak".
	Name string
	// SourceID is the scene entity the gas escapes from: equipment or a
	// tank, outdoors. The release point is its position at its
	// release_height_m (default 0, at ground level), as the threat
	// service's source estimate takes it.
	SourceID string
	// Substance is a substance library name; default the source's
	// substance.
	Substance string
	// RateGS is the release rate, g/s, > 0.
	RateGS float64
	// StartS is when the release starts, seconds after simulation time
	// zero, ≥ 0.
	StartS float64
	// DurationS is how long it lasts, s; 0: until the simulator stops.
	DurationS float64
}

// scenarios are the named releases of `chemtwin serve --scenario` on the
// demo plant, each from a release source whose plume crosses a part of
// the plant where people work under the prevailing north-west wind.
var scenarios = map[string]Release{
	// A liquid-ammonia feed pump's seal fails in the p-nitroaniline unit:
	// 100 g/s (360 kg/h) of ammonia gas. Under a 3–4 m/s class C–D wind
	// its AEGL-2 zone (160 ppm) reaches a few hundred metres downwind.
	"ammonia-leak": {Name: "ammonia-leak", SourceID: "P-101A", Substance: "ammonia", RateGS: 100},
	// The PPD unit's methanol feed pump sprays; 200 g/s of vapour from the
	// spray and its pool. Methanol's levels of concern are high (AEGL-1
	// 530 ppm), so its zones stay within about a hundred metres.
	"methanol-leak": {Name: "methanol-leak", SourceID: "P-201", Substance: "methanol", RateGS: 200},
}

// Scenario returns the named scenario's release, starting startS seconds
// after simulation time zero.
func Scenario(name string, startS float64) (Release, error) {
	r, ok := scenarios[name]
	if !ok {
		return Release{}, fmt.Errorf("%w: no scenario %q (have %s)", ErrOptions, name, strings.Join(ScenarioNames(), ", "))
	}
	r.StartS = startS
	return r, nil
}

// ScenarioNames lists the named scenarios, sorted.
func ScenarioNames() []string {
	var out []string
	for k := range scenarios {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Release dispersion. The plume is Briggs's open-country σ set (the one
// the threat service fits) in the regional wind of the moment, its class
// by Turner's key from wind, cloud and sun (pasquill). A reading is the
// plume's concentration at the detector times a lognormal factor (σ 0.3 in
// the logarithm: the fluctuation of one-second samples about the 10-min
// mean a Gaussian plume gives), seen through the sensor's first-order
// response (τ 10 s, T90 ≈ 23 s). The gas reaches a detector x metres
// downwind x/u seconds after the release starts and leaves x/u seconds
// after it stops, each over releaseRampS.
//
// The leak is not a point: the gas leaves it mixed into the wake of the
// unit's pumps, pipes and structures, a volume source (plume.Widened with
// plume.WakeSigmaYM/ZM) whose initial spread adds to the plume's in
// quadrature and reaches about as far upwind as it is wide. Without it a
// detector 1.6 m beside a pump would see a plume a few centimetres wide
// pass it by.
const (
	releaseNoiseLn = 0.3
	sensorTauS     = 10.0
	releaseRampS   = 10.0
)

// wake is the releases' σ set.
var wake = plume.Widened{Y0M: plume.WakeSigmaYM, Z0M: plume.WakeSigmaZM}

// release is a Release resolved against the scene.
type release struct {
	Release
	sub  *substance.Substance
	at   [2]float64 // plant metres
	hM   float64    // release height above ground
	c    *climate
	endS float64 // +Inf for an open-ended release
}

// resolveReleases checks the releases against the scene and the substance
// library.
func resolveReleases(s *twin.Scene, f *geo.Frame, rs []Release) ([]*release, error) {
	lib := substance.Default()
	var out []*release
	for _, r := range rs {
		if !(r.RateGS > 0) || math.IsInf(r.RateGS, 0) || !(r.StartS >= 0) || math.IsInf(r.StartS, 0) ||
			!(r.DurationS >= 0) || math.IsInf(r.DurationS, 0) {
			return nil, fmt.Errorf("%w: release %q: rate %g g/s, start %g s, duration %g s", ErrOptions, r.Name, r.RateGS, r.StartS, r.DurationS)
		}
		var src *twin.Entity
		s.View(func(tx twin.Tx) {
			if e := tx.Get(r.SourceID); e != nil {
				src = e.Clone()
			}
		})
		if src == nil || src.Geometry == nil {
			return nil, fmt.Errorf("%w: release %q: source %q is not in the scene", ErrOptions, r.Name, r.SourceID)
		}
		if src.Float("floor", 0) > 0 {
			return nil, fmt.Errorf("%w: release %q: source %s is indoors (floor %g); the plume model is for open air", ErrOptions, r.Name, src.ID, src.Float("floor", 0))
		}
		name := r.Substance
		if name == "" {
			name = src.String("substance")
		}
		sub, err := lib.Get(name)
		if err != nil {
			return nil, fmt.Errorf("%w: release %q: %v", ErrOptions, r.Name, err)
		}
		rel := &release{Release: r, sub: sub, at: plantPoint(f, src.Point()), hM: math.Max(0, src.Float("release_height_m", 0)), endS: math.Inf(1)}
		if r.DurationS > 0 {
			rel.endS = r.StartS + r.DurationS
		}
		out = append(out, rel)
	}
	return out, nil
}

// exposure is one detector's view of one release: the sensor's response
// state.
type exposure struct {
	rel   *release
	unit  substance.Unit
	zM    float64
	lag   float64 // the sensor's filtered reading, detector units
	lastT float64
}

// exposures returns the detector's exposures to the releases: one for
// each release of the substance it measures, when it is outdoors and its
// unit converts.
func exposures(e *twin.Entity, rels []*release) []*exposure {
	if len(rels) == 0 || e.Float("floor", 0) > 0 {
		return nil
	}
	name := e.String("substance")
	if name == "" {
		name = e.String("gas")
	}
	sub, err := substance.Default().Get(name)
	if err != nil {
		return nil
	}
	u, err := substance.ParseUnit(e.String("unit"))
	if err != nil {
		return nil
	}
	var out []*exposure
	for _, r := range rels {
		if r.sub.ID != sub.ID {
			continue
		}
		if _, err := sub.FromPPM(1, u, substance.MolarVolume20C); err != nil {
			continue
		}
		out = append(out, &exposure{rel: r, unit: u, zM: math.Max(0, e.Height)})
	}
	return out
}

// at returns the sensor's reading of the release at simulation time t
// (epoch ms) for a detector at p, in its units, advancing the sensor.
func (x *exposure) at(ms int64, t float64, p [2]float64, d *detector) float64 {
	target := x.rel.concentration(ms, t, p, x.zM)
	if target > 0 {
		target *= math.Exp(normal(d.r, releaseNoiseLn))
		ppm := substance.GM3ToPPM(target, x.rel.sub.MolarMass(), substance.MolarVolume20C)
		target, _ = x.rel.sub.FromPPM(ppm, x.unit, substance.MolarVolume20C)
	}
	dt := t - x.lastT
	x.lastT = t
	x.lag = target + (x.lag-target)*math.Exp(-max(dt, 0)/sensorTauS)
	return x.lag
}

// concentration is the plume's concentration at plant point p, height zM,
// at epoch ms (simulation second t), g/m³.
func (r *release) concentration(ms int64, t float64, p [2]float64, zM float64) float64 {
	if t < r.StartS {
		return 0
	}
	u, from := r.c.meanWind(ms)
	to := (from + 180) * math.Pi / 180
	de, dn := p[0]-r.at[0], p[1]-r.at[1]
	x := de*math.Sin(to) + dn*math.Cos(to)
	y := -de*math.Cos(to) + dn*math.Sin(to)
	travel := max(x, 0) / u
	on := smoothstep((t - r.StartS - travel) / releaseRampS)
	off := 1 - smoothstep((t-r.endS-travel)/releaseRampS)
	if on*off <= 0 {
		return 0
	}
	class, err := plume.ParseStability(pasquill(u, r.c.octas(), solarElevationDeg(ms, r.c.lat, r.c.lon)))
	if err != nil {
		return 0
	}
	pl := plume.Plume{RateGS: r.RateGS, WindMS: u, HeightM: r.hM, Stability: class, Sigma: wake}
	c, err := pl.Near(x, y, zM)
	if err != nil {
		return 0
	}
	return c * on * off
}

// smoothstep rises from 0 at x ≤ 0 to 1 at x ≥ 1.
func smoothstep(x float64) float64 {
	x = math.Max(0, math.Min(1, x))
	return x * x * (3 - 2*x)
}
