package ingest

import (
	"fmt"
	"time"
)

// Ranges of the weather payload.
const (
	MaxWindSpeedMS = 75.0 // m/s at 10 m: above the strongest typhoon gusts on record in China
	MinTempC       = -60.0
	MaxTempC       = 60.0
	MaxCloudOctas  = 8 // WMO code 2700: 0 (clear) … 8 (overcast)
)

// Weather is a parsed weather-station report.
type Weather struct {
	WindSpeedMS float64  // at 10 m
	WindFromDeg float64  // direction the wind blows from, degrees clockwise from north
	TempC       *float64 // nil when absent
	CloudOctas  *int     // nil when absent
	// Stability is the Pasquill–Gifford class A (very unstable) … F (stable),
	// "" when absent.
	Stability string
	At        time.Time
}

// State returns the live state a report sets on the weather station. Absent
// optional fields delete the previous values, so the state is the latest
// report's.
func (w Weather) State() map[string]any {
	st := map[string]any{
		"wind_speed":  w.WindSpeedMS,
		"wind_from":   w.WindFromDeg,
		"temp_c":      nil,
		"cloud_octas": nil,
		"stability":   nil,
		"reading_ts":  w.At.UTC().Format(time.RFC3339Nano),
	}
	if w.TempC != nil {
		st["temp_c"] = *w.TempC
	}
	if w.CloudOctas != nil {
		st["cloud_octas"] = *w.CloudOctas
	}
	if w.Stability != "" {
		st["stability"] = w.Stability
	}
	return st
}

// ParseWeather parses the payload of chemtwin/{site}/weather/{station}:
// `wind_speed` m/s 0–75, `wind_from` degrees 0–360, optional `temp_c`
// −60…60, `cloud_octas` 0–8, `stability` A–F, `ts`.
func ParseWeather(payload []byte, env Env) (Weather, error) {
	env = env.withDefaults()
	o, err := decode(payload, env)
	if err != nil {
		return Weather{}, err
	}
	var w Weather
	speed, errW := o.required("wind_speed", 0, MaxWindSpeedMS)
	from, errD := o.required("wind_from", 0, 360)
	temp, okT, errT := o.number("temp_c", MinTempC, MaxTempC)
	octas, okC, errC := o.integer("cloud_octas", 0, MaxCloudOctas)
	stab, _, errS := o.str("stability", 1)
	if errS == nil && stab != "" && (stab[0] < 'A' || stab[0] > 'F') {
		errS = fmt.Errorf("%w: stability: %q is not a class A–F", ErrBadField, stab)
	}
	if err := firstErr(errW, errD, errT, errC, errS); err != nil {
		return Weather{}, err
	}
	if w.At, err = o.ts(env); err != nil {
		return Weather{}, err
	}
	w.WindSpeedMS, w.WindFromDeg, w.Stability = speed, from, stab
	if okT {
		w.TempC = &temp
	}
	if okC {
		w.CloudOctas = &octas
	}
	return w, nil
}
