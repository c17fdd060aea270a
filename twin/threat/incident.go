package threat

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/coverage"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Warnings an incident or a zone carries: the model limits of REFERENCE §8
// that ALOHA shows.
const (
	WarnLowWind     = "wind_below_1_m_s"   // < plume.CircleBelowWindMS: zones drawn as circles
	WarnStable      = "stability_e_f"      // Gaussian zones unreliable in classes E and F
	WarnDenseGas    = "dense_gas"          // a dense cloud run in the neutral-buoyancy Gaussian model (not one the dense model covers)
	WarnTooLong     = "zone_beyond_10_km"  // a zone reaches past plume.ZoneMaxM: report "> 10 km"
	WarnTooShort    = "zone_under_10_m"    // a zone shorter than plume.ZoneMinM: not drawn
	WarnNotReached  = "level_not_reached"  // a level of concern not reached anywhere
	WarnFlammable   = "flammable_loc_used" // no toxic level: the zones are 60 % / 10 % LEL
	WarnPoorFit     = "poor_fit"           // the readings fit no plume (MaxResidualLog): zones withheld
	WarnFewReadings = "few_readings"       // under MinDetections: the source is the release source nearest upwind
	WarnRateAtLeast = "rate_lower_bound"   // every detection fitted is at full scale: the rate and zones are the least the release can be
	WarnStale       = "stale"              // the last recompute failed (see error): the zones are the last good ones, up to HoldZones old
)

// Incident is one substance's live release: the estimate, the weather and
// the zones drawn. JSON names follow the threat_zone properties.
type Incident struct {
	Substance  string    `json:"substance"`
	Detectors  []string  `json:"detectors"` // the alarming detectors
	Readings   int       `json:"readings"`  // readings fitted (detected + censored)
	Detected   int       `json:"detected"`
	Source     Source    `json:"source"`
	Weather    Weather   `json:"weather"`
	Zones      []Zone    `json:"zones"`
	Warnings   []string  `json:"warnings"`
	ComputedAt time.Time `json:"computed_at"`
	// Error says why no zones could be drawn ("" when they were); with
	// WarnStale the zones are the last good ones.
	Error string `json:"error,omitempty"`
}

// Source is the estimated release.
type Source struct {
	ID          string  `json:"source_id"` // the release source entity; "" for a free-grid point
	Lon         float64 `json:"source_lon"`
	Lat         float64 `json:"source_lat"`
	HeightM     float64 `json:"source_height_m"`
	RateGS      float64 `json:"rate_g_s"`
	Confidence  float64 `json:"confidence"`   // 0–1, see plume.Estimate
	ResidualLog float64 `json:"residual_log"` // RMS of ln(predicted/measured)
	Candidates  int     `json:"candidates"`
}

// Zone is one threat_zone entity of an incident.
type Zone struct {
	ID           string   `json:"id"`
	Level        int      `json:"level"` // 3 red, 2 orange, 1 yellow
	Color        string   `json:"color"`
	Kind         string   `json:"zone"` // "threat" or "confidence"
	PPM          float64  `json:"ppm"`
	Guideline    string   `json:"guideline"`
	DistanceM    float64  `json:"distance_m"` // downwind reach along the centreline
	PeopleAtRisk int      `json:"people_at_risk"`
	People       []string `json:"people"`
}

func (in Incident) clone() Incident {
	in.Detectors = slices.Clone(in.Detectors)
	in.Warnings = slices.Clone(in.Warnings)
	in.Zones = slices.Clone(in.Zones)
	for i := range in.Zones {
		in.Zones[i].People = slices.Clone(in.Zones[i].People)
	}
	return in
}

// incident is an Incident with the polygons of its zones, owned by Run.
type incident struct {
	Incident
	polys  []orb.Polygon // lon/lat, one per Zones entry
	prefix string        // of the zone ids; "" is "TZ-" (live zones)
}

// group is one substance's inputs, copied under the scene lock.
type group struct {
	sub        *substance.Substance
	alarming   []string
	points     []orb.Point // alarming detectors, lon/lat
	readings   []plume.Reading
	candidates []plume.Candidate
}

// colors are ALOHA's zone colours by level.
var colors = [4]string{substance.Yellow: "yellow", substance.Orange: "orange", substance.Red: "red"}

// zoneGrid is the raster handed to plume.ThreatZones: one cell, as the
// field is not used (people are tested against the exact polygons).
var zoneGrid = plume.Grid{MinE: -0.5, MinN: -0.5, CellM: 1, NX: 1, NY: 1}

// recompute rebuilds every incident from the open alarms and writes the
// zones.
func (s *Service) recompute(now time.Time, alarms []string, winds map[string][]windSample) {
	groups, stations := s.collect(alarms)
	next := make(map[string]*incident, len(groups))
	for _, g := range groups {
		in := s.compute(g, stations, winds, now)
		if in.Error != "" {
			s.m.errors.Inc()
			s.log.Warn("threat zones not drawn", "substance", g.sub.ID, "err", in.Error)
			in = hold(s.current[g.sub.ID], in, now)
		}
		next[g.sub.ID] = in
	}
	s.countPeople(next, s.people)
	s.current = next
	s.write()
	s.escalate(now)
}

// HoldZones is how long the last zones drawn stay up while later
// recomputes fail (the wind and the readings arrive apart, a detector drops
// out): the zones do not flicker off, and they say they are stale
// (WarnStale). A choice of this package, not a standard.
const HoldZones = 60 * time.Second

// hold returns failed with the zones of prev carried over, while prev's
// zones were computed less than HoldZones before now; else failed as it is.
func hold(prev, failed *incident, now time.Time) *incident {
	if prev == nil || len(prev.Zones) == 0 || now.Sub(prev.ComputedAt) >= HoldZones {
		return failed
	}
	in := &incident{Incident: prev.Incident.clone(), polys: prev.polys}
	in.Error = failed.Error
	if !slices.Contains(in.Warnings, WarnStale) {
		in.Warnings = append(in.Warnings, WarnStale)
	}
	return in
}

// recount refreshes the people in the current zones.
func (s *Service) recount() {
	if len(s.current) == 0 {
		return
	}
	if s.countPeople(s.current, s.people) {
		s.write()
		s.escalate(s.opts.Clock())
	}
}

// collect copies, under one read lock, the alarming detectors by substance,
// the readings and release sources around them, and the weather stations.
func (s *Service) collect(alarms []string) ([]*group, []station) {
	var groups []*group
	var stations []station
	s.opts.Scene.View(func(tx twin.Tx) {
		by := map[string]*group{}
		for _, id := range alarms {
			e := tx.Get(id)
			if e == nil || e.Kind != twin.KindGasDetector || !e.Placed() {
				continue
			}
			sub := s.substanceOf(e)
			if sub == nil {
				continue
			}
			g := by[sub.ID]
			if g == nil {
				g = &group{sub: sub}
				by[sub.ID] = g
				groups = append(groups, g)
			}
			if !slices.Contains(g.alarming, id) {
				g.alarming = append(g.alarming, id)
				g.points = append(g.points, e.Point())
			}
		}
		for _, g := range groups {
			s.around(tx, g)
		}
		tx.Kind(twin.KindWeatherStation, func(e *twin.Entity) bool {
			if e.Placed() {
				stations = append(stations, stationOf(e))
			}
			return true
		})
	})
	slices.SortFunc(groups, func(a, b *group) int { return cmp.Compare(a.sub.ID, b.sub.ID) })
	slices.SortFunc(stations, func(a, b station) int { return cmp.Compare(a.id, b.id) })
	return groups, stations
}

// around adds the readings and release sources of g's substance within
// RadiusM of an alarming detector: an R-tree query on the grown bound, then
// the exact distance.
func (s *Service) around(tx twin.Tx, g *group) {
	b := orb.MultiPoint(g.points).Bound()
	tx.Search(geo.ExpandM(b, s.opts.RadiusM), func(e *twin.Entity) bool {
		isDet := e.Kind == twin.KindGasDetector
		if !isDet && !coverage.IsSource(e) || !s.near(g, e.Point()) || s.substanceOf(e) != g.sub {
			return true
		}
		at := s.enu(e.Point())
		if !isDet {
			g.candidates = append(g.candidates, plume.Candidate{ID: e.ID, At: at, HeightM: math.Max(0, e.Float("release_height_m", 0))})
			return true
		}
		if c, ok := s.reading(e, g.sub); ok {
			g.readings = append(g.readings, plume.Reading{At: at, ZM: math.Max(0, e.Height), ConcentrationGM3: c, Saturated: saturated(e)})
		}
		return true
	})
	slices.SortFunc(g.candidates, func(a, b plume.Candidate) int { return cmp.Compare(a.ID, b.ID) })
}

func (s *Service) near(g *group, p orb.Point) bool {
	for _, q := range g.points {
		if geo.DistanceM(p, q) <= s.opts.RadiusM {
			return true
		}
	}
	return false
}

// unhealthy are detector states whose value is not a concentration.
var unhealthy = map[string]bool{"fault": true, "offline": true, "stuck": true, "drift": true}

// reading converts a detector's live value to g/m³ (0 for a value below
// zero); ok is false when the detector has no usable value.
func (s *Service) reading(e *twin.Entity, sub *substance.Substance) (float64, bool) {
	v, ok := twin.AsFloat(e.State["value"])
	st, _ := e.State["state"].(string)
	if !ok || e.State["fault"] == true || unhealthy[st] {
		return 0, false
	}
	name, _ := e.State["unit"].(string)
	if name == "" {
		name = e.String("unit")
	}
	u, err := substance.ParseUnit(name)
	if err != nil {
		return 0, false
	}
	if (u == substance.PctLEL || u == substance.PctVol) && v < 1 {
		return 0, false // below the scale's resolution: no information at ppm level
	}
	if v < noiseFloor(e) {
		v = 0 // clean air within the sensor's zero noise: a reading of no gas
	}
	c, err := sub.Convert(math.Max(0, v), u, substance.GM3, substance.MolarVolume25C)
	return c, err == nil
}

// saturated reports whether a detector reads at the top of its range (or
// says so): the gas is at least that much.
func saturated(e *twin.Entity) bool {
	if st, _ := e.State["state"].(string); st == "over_range" {
		return true
	}
	v, ok := twin.AsFloat(e.State["value"])
	_, hi, okR := e.Range("range")
	return ok && okR && v >= hi
}

// NoiseFloorSpan is the share of a detector's span below which a reading is
// taken as clean air (no gas) in the source estimate: a healthy sensor's
// zero wanders by a few per cent of span (toxic heads are specified to
// ±3 % of full scale or so), and a plume model cannot explain scattered
// background readings — fitting them gave a 10,000 kg/s "source" upwind of
// a one-detector leak in the demo. A choice of this package, not a standard.
const NoiseFloorSpan = 0.05

// noiseFloor is NoiseFloorSpan of the detector's range (0 without one).
func noiseFloor(e *twin.Entity) float64 {
	lo, hi, ok := e.Range("range")
	if !ok {
		return 0
	}
	return lo + NoiseFloorSpan*(hi-lo)
}

// substanceOf resolves an entity's `substance`, else its `gas`.
func (s *Service) substanceOf(e *twin.Entity) *substance.Substance {
	for _, k := range []string{"substance", "gas"} {
		if n := e.String(k); n != "" {
			if sub, err := s.opts.Library.Get(n); err == nil {
				return sub
			}
		}
	}
	return nil
}

// enu converts [lon, lat] to metres east/north of the frame origin.
func (s *Service) enu(p orb.Point) orb.Point {
	x, y := s.frame.Local(p)
	e, n := s.frame.ENU(x, y)
	return orb.Point{e, n}
}

// lonLat converts metres east/north of the frame origin to [lon, lat].
func (s *Service) lonLat(e, n float64) orb.Point {
	x, y := s.frame.Plant(e, n)
	return s.frame.Point(x, y)
}

// compute estimates the source of one group and draws its zones.
func (s *Service) compute(g *group, stations []station, winds map[string][]windSample, now time.Time) *incident {
	in := &incident{Incident: Incident{Substance: g.sub.ID, Detectors: g.alarming, Readings: len(g.readings),
		ComputedAt: now.UTC(), Warnings: []string{}}}
	fail := func(err error) *incident { in.Error = err.Error(); return in }
	st, ok := nearest(stations, winds, g.points[0])
	if !ok {
		return fail(fmt.Errorf("%w: no weather station reports wind", ErrNoWeather))
	}
	w, class, err := weatherOf(st, winds[st.id], s.opts.Lat, s.opts.Lon, now)
	if err != nil {
		return fail(err)
	}
	in.Weather = w
	in.Warnings = warnings(w, class, g.sub)
	base := plume.Plume{WindMS: math.Max(w.WindMS, minModelWindMS), Stability: class}
	opts := plume.EstimateOptions{Plume: base, WindFromDeg: w.WindFromDeg,
		Readings: g.readings, Candidates: g.candidates, GridStepM: s.opts.GridStepM,
		DetectionLimitGM3: substance.PPMToGM3(s.opts.DetectionLimitPPM, g.sub.MolarMass(), substance.MolarVolume25C),
		SourceSigmaYM:     plume.WakeSigmaYM, SourceSigmaZM: plume.WakeSigmaZM, DirectionSigmaDeg: directionSpread(w, class)}
	if detected(g.readings, opts.DetectionLimitGM3) < MinDetections {
		// Too few readings to place a source: any point upwind fits one
		// reading exactly, the farthest with the largest rate. Take the
		// release source nearest upwind of the alarming detector and fit
		// only its rate.
		c, ok := nearestUpwind(g.candidates, s.enu(g.points[0]), w.WindFromDeg)
		if !ok {
			return fail(fmt.Errorf("%w: %d detector(s) read gas and no release source lies upwind of %s", plume.ErrNoFit,
				detected(g.readings, opts.DetectionLimitGM3), g.alarming[0]))
		}
		in.Warnings = append(in.Warnings, WarnFewReadings)
		opts.Candidates, opts.GridStepM = []plume.Candidate{c}, -1
	}
	est, err := plume.EstimateSource(opts)
	in.Detected = est.Detected
	if err != nil {
		return fail(err)
	}
	est = snap(est, opts)
	if est.RateLowerBound {
		in.Warnings = append(in.Warnings, WarnRateAtLeast)
	}
	src := s.lonLat(est.Source.At[0], est.Source.At[1])
	in.Source = Source{ID: est.Source.ID, Lon: src[0], Lat: src[1], HeightM: est.Source.HeightM, RateGS: est.RateGS,
		Confidence: est.Confidence, ResidualLog: est.ResidualLog, Candidates: est.Candidates}
	if est.ResidualLog > MaxResidualLog {
		// The readings do not look like one plume in this wind: zones drawn
		// from such a fit mislead (and can span the plant).
		in.Warnings = append(in.Warnings, WarnPoorFit)
		return fail(fmt.Errorf("%w: readings fit no plume (rms log error %.2f > %.2f): zones withheld", plume.ErrNoFit, est.ResidualLog, MaxResidualLog))
	}
	if err := s.draw(in, g.sub, base, est); err != nil {
		return fail(err)
	}
	return in
}

// directionSpread is the uncertainty of the wind direction the readings
// are fitted in: the window's measured σθ, else the class's default, at
// most 45°.
func directionSpread(w Weather, class plume.Stability) float64 {
	if w.SigmaThetaDeg > 0 {
		return math.Min(45, w.SigmaThetaDeg)
	}
	d, err := plume.DefaultSigmaThetaDeg(class)
	if err != nil {
		return 0
	}
	return d
}

// MinDetections is how many detectors must read gas for the source to be
// placed by the fit; with fewer, the release source nearest upwind of the
// alarming detector is taken and only the rate is fitted.
const MinDetections = 3

// upwindHalfAngleDeg: a release source counts as upwind of a detector when
// the detector lies within this angle of the source's downwind axis (about
// twice a neutral day's 2σθ).
const upwindHalfAngleDeg = 30

// detected counts the readings at or above the detection limit.
func detected(rs []plume.Reading, limitGM3 float64) int {
	n := 0
	for _, r := range rs {
		if r.ConcentrationGM3 >= limitGM3 && r.ConcentrationGM3 > 0 {
			n++
		}
	}
	return n
}

// nearestUpwind returns the candidate nearest det (metres east/north) of
// those whose downwind axis passes the detector within upwindHalfAngleDeg,
// or whose wake holds it (within 3σy0 of the wake's spread, any
// direction: plume.Widened).
func nearestUpwind(cs []plume.Candidate, det orb.Point, fromDeg float64) (plume.Candidate, bool) {
	d := plume.Downwind(fromDeg)
	tan := math.Tan(upwindHalfAngleDeg * math.Pi / 180)
	best, bestM := plume.Candidate{}, math.Inf(1)
	for _, c := range cs {
		ve, vn := det[0]-c.At[0], det[1]-c.At[1]
		x, y := ve*d[0]+vn*d[1], math.Abs(-ve*d[1]+vn*d[0])
		inWake := math.Hypot(ve, vn) < 3*plume.WakeSigmaYM
		if (inWake || x > 0 && y <= x*tan) && math.Hypot(ve, vn) < bestM {
			best, bestM = c, math.Hypot(ve, vn)
		}
	}
	return best, !math.IsInf(bestM, 1)
}

// MaxResidualLog is the worst fit (RMS error of the natural-log
// concentrations) whose zones are drawn: ln 4, predictions off by a factor
// of four on average — twice the factor of two a Gaussian model is held to
// against field data in good conditions. A choice of this package, not a
// standard.
const MaxResidualLog = 1.3862943611198906 // ln 4

// SnapResidualLog is how much worse (in RMS log error) a release source
// within the estimate's confidence radius may fit than the best free-grid
// point and still be taken as the source: 0.05, i.e. predictions about 5 %
// further off. Equipment is where releases happen; a grid point a few
// metres away that fits marginally better (or only by rounding) is no
// reason to name no equipment. A choice of this package, not a standard.
const SnapResidualLog = 0.05

// snap replaces a free-grid estimate by the scene release source nearby
// that fits almost as well (see SnapResidualLog); the confidence is the
// free run's (the probability that the source lies within RadiusM).
func snap(est plume.Estimate, o plume.EstimateOptions) plume.Estimate {
	if est.Source.ID != "" {
		return est
	}
	var near []plume.Candidate
	for _, c := range o.Candidates {
		if math.Hypot(c.At[0]-est.Source.At[0], c.At[1]-est.Source.At[1]) <= est.RadiusM {
			near = append(near, c)
		}
	}
	if len(near) == 0 {
		return est
	}
	o.Candidates, o.GridStepM = near, -1
	alt, err := plume.EstimateSource(o)
	if err != nil || alt.ResidualLog > est.ResidualLog+SnapResidualLog {
		return est
	}
	est.Source, est.RateGS, est.ResidualLog, est.RateLowerBound = alt.Source, alt.RateGS, alt.ResidualLog, alt.RateLowerBound
	return est
}

// nearest returns the station with a wind nearest to p.
func nearest(stations []station, winds map[string][]windSample, p orb.Point) (station, bool) {
	best, bestD := -1, math.Inf(1)
	for i, st := range stations {
		if !st.hasWind && len(winds[st.id]) == 0 {
			continue
		}
		if d := geo.DistanceM(st.at, p); d < bestD {
			best, bestD = i, d
		}
	}
	if best < 0 {
		return station{}, false
	}
	return stations[best], true
}

// warnings lists the model limits the weather and substance break.
func warnings(w Weather, class plume.Stability, sub *substance.Substance) []string {
	out := []string{}
	if w.WindMS < plume.CircleBelowWindMS {
		out = append(out, WarnLowWind)
	}
	if class == plume.E || class == plume.F {
		out = append(out, WarnStable)
	}
	return out
}

// draw runs the zones at the estimated source with the substance's levels
// of concern: toxic ones, else flammable ones with the 10 s σy.
func (s *Service) draw(in *incident, sub *substance.Substance, base plume.Plume, est plume.Estimate) error {
	concerns := substance.LOC(sub).Toxic
	p := base
	p.RateGS, p.HeightM = est.RateGS, est.Source.HeightM
	if len(concerns) == 0 {
		concerns, p = substance.LOC(sub).Flammable, p.Flammable()
		in.Warnings = append(in.Warnings, WarnFlammable)
	}
	if len(concerns) == 0 {
		return fmt.Errorf("threat: %s has no level of concern", sub.ID)
	}
	locs := make([]float64, len(concerns))
	for i, c := range concerns {
		locs[i] = substance.PPMToGM3(c.PPM, sub.MolarMass(), substance.MolarVolume25C)
	}
	zs, err := plume.ThreatZones(plume.ZoneOptions{Plume: p, WindFromDeg: in.Weather.WindFromDeg,
		SigmaThetaDeg: in.Weather.SigmaThetaDeg, LOCGM3: locs, Grid: zoneGrid})
	if err != nil {
		return err
	}
	in.Weather.SigmaThetaDeg = zs.SigmaThetaDeg
	switch curve, mode := denseCurve(sub, p.RateGS, p.WindMS); {
	case mode == dense && !zs.Circle:
		for i, c := range concerns {
			reach, err := denseReachM(curve, p, sub, c.PPM)
			if err != nil {
				return err
			}
			if shape, err := denseZone(zs.Levels[i], in.Weather.WindFromDeg, reach); err == nil {
				zs.Levels[i] = shape
			}
		}
		in.Warnings = appendOnce(in.Warnings, WarnDenseModel)
	case mode != passive:
		in.Warnings = appendOnce(in.Warnings, WarnDenseGas)
	}
	for i, shape := range zs.Levels {
		c := concerns[i]
		switch {
		case !shape.Zone.Reached:
			in.Warnings = appendOnce(in.Warnings, WarnNotReached)
		case shape.Zone.TooShort:
			in.Warnings = appendOnce(in.Warnings, WarnTooShort)
		case shape.Zone.TooLong:
			in.Warnings = appendOnce(in.Warnings, WarnTooLong)
		}
		prefix := in.prefix
		if prefix == "" {
			prefix = "TZ-"
		}
		id := fmt.Sprintf("%s%s-%d", prefix, sub.ID, c.Level)
		z := Zone{ID: id, Level: c.Level, Color: colors[c.Level], Kind: "threat", PPM: c.PPM, Guideline: c.Guideline,
			DistanceM: shape.Zone.FarM, People: []string{}}
		for _, part := range []struct {
			kind string
			poly orb.Polygon
		}{{"threat", shape.Polygon}, {"confidence", shape.Confidence}} {
			if len(part.poly) == 0 || len(part.poly[0]) < 4 {
				continue
			}
			z.Kind, z.ID = part.kind, id
			if part.kind == "confidence" {
				z.ID = id + "-confidence"
			}
			in.Zones = append(in.Zones, z)
			in.polys = append(in.polys, s.toLonLat(part.poly, est.Source.At))
		}
	}
	return nil
}

func appendOnce(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// toLonLat moves a polygon from metres east/north of the source to lon/lat.
func (s *Service) toLonLat(p orb.Polygon, src orb.Point) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		ring := make(orb.Ring, len(r))
		for k, q := range r {
			ring[k] = s.lonLat(src[0]+q[0], src[1]+q[1])
		}
		ring[len(ring)-1] = ring[0] // exactly closed
		out[i] = ring
	}
	return out
}
