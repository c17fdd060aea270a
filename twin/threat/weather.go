package threat

import (
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
)

// DefaultCloudOctas is the cloud cover assumed when a station reports none:
// 4/8, the middle of the scale. By day it leaves Turner's insolation class
// unreduced (only more than 4/8 reduces it); by night it selects Pasquill's
// "≥ 4/8 cloud" column (D/E rather than F), so an unknown sky never yields
// the extreme classes on its own.
const DefaultCloudOctas = 4

// minModelWindMS is the floor of the wind speed the models run with: the
// Gaussian plume has C ∝ 1/u, meaningless in a calm. Below
// plume.CircleBelowWindMS (1 m/s) the zones are circles and the incident
// carries the warning WarnLowWind.
const minModelWindMS = 0.5

// station is a weather station as copied under the scene lock.
type station struct {
	id         string
	at         orb.Point // [lon, lat]
	stability  string    // reported class, "" when none
	cloudOctas int
	hasCloud   bool
	latest     windSample // the current state, used when the window is empty
	hasWind    bool
}

// stationOf copies a weather station entity.
func stationOf(e *twin.Entity) station {
	st := station{id: e.ID, at: e.Point()}
	st.stability, _ = e.State["stability"].(string)
	if c, ok := twin.AsFloat(e.State["cloud_octas"]); ok {
		st.cloudOctas, st.hasCloud = int(math.Round(c)), true
	}
	if s, from, ok := windOf(e); ok {
		st.latest, st.hasWind = windSample{at: reported(e), speedMS: s, fromDeg: from}, true
	}
	return st
}

// windOf reads a station's live wind.
func windOf(e *twin.Entity) (speedMS, fromDeg float64, ok bool) {
	s, ok1 := twin.AsFloat(e.State["wind_speed"])
	d, ok2 := twin.AsFloat(e.State["wind_from"])
	if !ok1 || !ok2 || s < 0 {
		return 0, 0, false
	}
	return s, d, true
}

// reported is the measurement time of an entity's live state.
func reported(e *twin.Entity) time.Time {
	if !e.Reported.IsZero() {
		return e.Reported
	}
	return e.Updated
}

// Weather is the wind and stability an incident was computed with.
type Weather struct {
	StationID     string  `json:"station_id"`
	WindMS        float64 `json:"wind_speed"`      // vector mean over the window, m/s at 10 m
	WindFromDeg   float64 `json:"wind_from"`       // degrees clockwise from north
	SigmaThetaDeg float64 `json:"sigma_theta_deg"` // Yamartino σθ; 0 when the window held < 2 samples
	Samples       int     `json:"samples"`
	Stability     string  `json:"stability"` // Pasquill class A–F
	// StabilityFrom is "station" when the station reported the class, else
	// "sun" (solar elevation and cloud cover).
	StabilityFrom string  `json:"stability_from"`
	CloudOctas    int     `json:"cloud_octas"`
	SunDeg        float64 `json:"sun_elevation_deg"`
}

// weatherOf combines a station's window and state at time now for a site at
// lat/lon.
func weatherOf(st station, samples []windSample, lat, lon float64, now time.Time) (Weather, plume.Stability, error) {
	ws := meanWind(samples)
	if ws.Samples == 0 {
		if !st.hasWind {
			return Weather{}, 0, fmt.Errorf("%w: station %s reports no wind", ErrNoWeather, st.id)
		}
		ws = meanWind([]windSample{st.latest})
	}
	w := Weather{StationID: st.id, WindMS: ws.SpeedMS, WindFromDeg: ws.FromDeg, SigmaThetaDeg: ws.SigmaThetaDeg,
		Samples: ws.Samples, CloudOctas: DefaultCloudOctas}
	if st.hasCloud {
		w.CloudOctas = st.cloudOctas
	}
	if st.stability != "" {
		if c, err := plume.ParseStability(st.stability); err == nil {
			w.Stability, w.StabilityFrom = c.String(), "station"
			return w, c, nil
		}
	}
	c, sun, err := SunStability(w.WindMS, w.CloudOctas, lat, lon, now)
	if err != nil {
		return Weather{}, 0, err
	}
	w.Stability, w.StabilityFrom, w.SunDeg = c.String(), "sun", sun
	return w, c, nil
}

// SunStability returns the Pasquill class for a 10 m wind, a cloud cover in
// octas (0–8; the ceiling is taken as low, the conservative reading) and
// the sun's elevation at lat/lon and time t, with that elevation in
// degrees. An intermediate cell of the table (A–B, B–C, C–D) resolves to
// its more stable class: the longer ground-level zones, the conservative
// choice for releases near the ground.
func SunStability(windMS float64, cloudOctas int, lat, lon float64, t time.Time) (plume.Stability, float64, error) {
	sun, err := plume.SolarElevationDeg(lat, lon, t)
	if err != nil {
		return 0, 0, fmt.Errorf("threat: %w", err)
	}
	cond, err := plume.ConditionsFromSun(windMS, sun, plume.Sky{CloudOctas: cloudOctas})
	if err != nil {
		return 0, 0, fmt.Errorf("threat: %w", err)
	}
	r, err := plume.Pasquill(cond)
	if err != nil {
		return 0, 0, fmt.Errorf("threat: %w", err)
	}
	return r.Stable, sun, nil
}
