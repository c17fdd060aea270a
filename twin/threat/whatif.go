package threat

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/coverage"
)

// ErrWhatIf is returned for a what-if scenario that cannot be computed as
// asked (a bad source, substance, release or weather); test with
// errors.Is.
var ErrWhatIf = errors.New("threat: bad what-if scenario")

// WhatIf is a what-if release, as emergency staff plan one in ALOHA: a
// place (a scene release source, or a point), a substance, a release and
// the weather.
type WhatIf struct {
	// ID names the scenario; the zones are WI-<ID>-<substance>-<level>.
	ID string `json:"id"`
	// SourceID is a scene entity (equipment or a tank) the gas escapes
	// from: its place, substance and release_height_m. Else Lon/Lat.
	SourceID string  `json:"source_id,omitempty"`
	Lon      float64 `json:"lon,omitempty"`
	Lat      float64 `json:"lat,omitempty"`
	// HeightM is the release height, m; nil: the source's
	// release_height_m, else 0.
	HeightM *float64 `json:"height_m,omitempty"`
	// Substance is a substance library name; default the source's.
	Substance string  `json:"substance,omitempty"`
	Release   Release `json:"release"`
	// Weather is the weather to plan with; nil: the live wind of the
	// station nearest the source (its 10-min mean and spread) and its
	// class.
	Weather *WeatherInput `json:"weather,omitempty"`
}

// Release is a what-if release.
type Release struct {
	// Type is ReleaseDirect ("direct", a known rate), ReleaseTankLiquid,
	// ReleaseTankGas (a hole in a scene tank, from its level, pressure
	// and temperature) or ReleasePuddle (a pool's evaporation).
	Type   string  `json:"type"`
	RateGS float64 `json:"rate_g_s,omitempty"` // direct: g/s, > 0
	// DurationS is how long the release lasts, s; 0 continuous (or, for
	// the models, as long as the liquid lasts). A finite release shortens
	// the zones (erf correction, Beals σx).
	DurationS float64 `json:"duration_s,omitempty"`
	// HoleDiameterM and HoleHeightM place the hole of a tank release (the
	// height above the tank's bottom; 0 at the bottom).
	HoleDiameterM float64 `json:"hole_diameter_m,omitempty"`
	HoleHeightM   float64 `json:"hole_height_m,omitempty"`
	// PoolAreaM2 is the pool of a puddle, or of a tank's liquid spill
	// (default the tank's dike).
	PoolAreaM2 float64 `json:"pool_area_m2,omitempty"`
	// TemperatureC is the liquid's temperature; default the tank's, else
	// 20 °C.
	TemperatureC *float64 `json:"temperature_c,omitempty"`
}

// WeatherInput is weather given for a what-if scenario.
type WeatherInput struct {
	WindMS      float64 `json:"wind_speed"` // m/s at 10 m, > 0
	WindFromDeg float64 `json:"wind_from"`  // degrees clockwise from north, 0–360
	Stability   string  `json:"stability"`  // Pasquill class A–F
	// SigmaThetaDeg is the wind direction's spread for the confidence
	// lines; 0: the class's default.
	SigmaThetaDeg float64 `json:"sigma_theta_deg,omitempty"`
}

// MaxReleaseS is ALOHA's longest release: beyond an hour its zones are
// drawn with a warning (REFERENCE §8 "release ≤ 1 h").
const MaxReleaseS = 3600

// WarnLongRelease: the release lasts longer than MaxReleaseS.
const WarnLongRelease = "release_over_1_h"

// Scenario is a computed what-if: the incident (source, weather, zones with
// the people in them now, warnings) and its zones as GeoJSON features with
// the threat_zone properties.
type Scenario struct {
	Incident Incident                   `json:"incident"`
	Zones    *geojson.FeatureCollection `json:"zones"`
	// Model is how the rate was worked out (the release model's figures).
	Model SourceModel `json:"source_model"`
}

// WhatIf computes a what-if scenario's zones at time now. It is safe for
// concurrent use and changes nothing: the zones are not written into the
// scene (a plan is not an incident).
func (s *Service) WhatIf(w WhatIf, now time.Time) (Scenario, error) {
	bad := func(format string, a ...any) (Scenario, error) {
		return Scenario{}, fmt.Errorf("%w: "+format, append([]any{ErrWhatIf}, a...)...)
	}
	if w.ID == "" || strings.ContainsAny(w.ID, "/ ") {
		return bad("id %q (want a non-empty id without '/' or spaces)", w.ID)
	}
	switch rel := w.Release; {
	case rel.Type == ReleaseDirect && (!(rel.RateGS > 0) || math.IsInf(rel.RateGS, 1)):
		return bad("rate %g g/s (want > 0)", rel.RateGS)
	case !(rel.DurationS >= 0) || math.IsInf(rel.DurationS, 1):
		return bad("duration %g s (want ≥ 0; 0 continuous)", rel.DurationS)
	}
	var src *twin.Entity
	var stations []station
	var dike float64
	s.opts.Scene.View(func(tx twin.Tx) {
		if w.SourceID != "" {
			if e := tx.Get(w.SourceID); e != nil && e.Placed() {
				src = e.Clone()
				dike = dikeArea(tx, e)
			}
		}
		tx.Kind(twin.KindWeatherStation, func(e *twin.Entity) bool {
			if e.Placed() {
				stations = append(stations, stationOf(e))
			}
			return true
		})
	})
	at := orb.Point{w.Lon, w.Lat}
	name, height := w.Substance, 0.0
	switch {
	case w.SourceID != "" && src == nil:
		return bad("no placed entity %q", w.SourceID)
	case src != nil:
		if !coverage.IsSource(src) && src.String("substance") == "" {
			return bad("%s holds no substance", src.ID)
		}
		at, height = src.Point(), math.Max(0, src.Float("release_height_m", 0))
		if name == "" {
			name = src.String("substance")
		}
	case !(w.Lat >= -90 && w.Lat <= 90 && w.Lon >= -180 && w.Lon <= 180) || w.Lon == 0 && w.Lat == 0:
		return bad("no source_id and no lon/lat")
	}
	if w.HeightM != nil {
		if !(*w.HeightM >= 0) || math.IsInf(*w.HeightM, 1) {
			return bad("height %g m", *w.HeightM)
		}
		height = *w.HeightM
	}
	sub, err := s.opts.Library.Get(name)
	if err != nil {
		return bad("substance: %v", err)
	}
	weather, class, err := s.whatIfWeather(w.Weather, stations, at, now)
	if err != nil {
		return Scenario{}, err
	}
	u := math.Max(weather.WindMS, minModelWindMS)
	model, err := s.sourceModel(w.Release, src, sub, u, dike)
	if err != nil {
		return Scenario{}, err
	}
	in := &incident{Incident: Incident{Substance: sub.ID, ComputedAt: now.UTC(), Weather: weather,
		Warnings: warnings(weather, class, sub), Detectors: []string{}}, prefix: "WI-" + w.ID + "-"}
	if model.DurationS > MaxReleaseS {
		in.Warnings = append(in.Warnings, WarnLongRelease)
	}
	en := s.enu(at)
	in.Source = Source{ID: w.SourceID, Lon: at[0], Lat: at[1], HeightM: height, RateGS: model.RateGS, Confidence: 1}
	base := plume.Plume{WindMS: u, Stability: class, DurationS: model.DurationS}
	est := plume.Estimate{Source: plume.Candidate{ID: w.SourceID, At: en, HeightM: height}, RateGS: model.RateGS}
	if err := s.draw(in, sub, base, est); err != nil {
		return Scenario{}, fmt.Errorf("%w: %v", ErrWhatIf, err)
	}
	s.countPeople(map[string]*incident{sub.ID: in}, nil)
	fc := geojson.NewFeatureCollection()
	for i := range in.Zones {
		e := s.entity(in, i)
		f := geojson.NewFeature(e.Geometry)
		f.ID = e.ID
		f.Properties = e.Props
		f.Properties["id"], f.Properties["kind"] = e.ID, string(twin.KindThreatZone)
		f.Properties["origin"] = scenarioOrigin
		f.Properties["scenario_id"] = w.ID
		fc.Append(f)
	}
	return Scenario{Incident: in.Incident.clone(), Zones: fc, Model: model}, nil
}

// scenarioOrigin is the `origin` of a what-if scenario's zones.
const scenarioOrigin = "scenario"

// whatIfWeather is the given weather, or the live weather of the station
// nearest p.
func (s *Service) whatIfWeather(in *WeatherInput, stations []station, p orb.Point, now time.Time) (Weather, plume.Stability, error) {
	if in == nil {
		s.mu.Lock()
		winds := s.windsLocked()
		s.mu.Unlock()
		st, ok := nearest(stations, winds, p)
		if !ok {
			return Weather{}, 0, fmt.Errorf("%w: no weather station reports wind: give the weather", ErrWhatIf)
		}
		return weatherOf(st, winds[st.id], s.opts.Lat, s.opts.Lon, now)
	}
	class, err := plume.ParseStability(in.Stability)
	switch {
	case err != nil:
		return Weather{}, 0, fmt.Errorf("%w: stability %q (want A–F)", ErrWhatIf, in.Stability)
	case !(in.WindMS > 0) || in.WindMS > 50:
		return Weather{}, 0, fmt.Errorf("%w: wind %g m/s (want > 0, ≤ 50)", ErrWhatIf, in.WindMS)
	case !(in.WindFromDeg >= 0 && in.WindFromDeg <= 360):
		return Weather{}, 0, fmt.Errorf("%w: wind from %g° (want 0–360)", ErrWhatIf, in.WindFromDeg)
	case !(in.SigmaThetaDeg >= 0 && in.SigmaThetaDeg <= 90):
		return Weather{}, 0, fmt.Errorf("%w: σθ %g° (want 0–90)", ErrWhatIf, in.SigmaThetaDeg)
	}
	return Weather{WindMS: in.WindMS, WindFromDeg: math.Mod(in.WindFromDeg, 360), SigmaThetaDeg: in.SigmaThetaDeg,
		Stability: class.String(), StabilityFrom: "given"}, class, nil
}
