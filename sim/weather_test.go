package sim

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestPasquill(t *testing.T) {
	cases := []struct {
		name  string
		wind  float64
		octas int
		sun   float64
		want  string
	}{
		{"calm summer noon", 1.5, 1, 70, "A"},
		{"moderate sun, light wind", 2.5, 2, 45, "B"},
		{"slight sun, 4 m/s", 4, 2, 20, "C"},
		{"cloud weakens strong sun", 1.5, 6, 70, "B"},
		{"windy day", 7, 0, 70, "C"},
		{"overcast day", 1, 8, 70, "D"},
		{"clear calm night", 1, 1, -20, "F"},
		{"cloudy calm night", 1, 5, -20, "E"},
		{"clear night, 4 m/s", 4, 2, -20, "E"},
		{"cloudy night, 4 m/s", 4, 6, -20, "D"},
		{"windy night", 6.5, 0, -20, "D"},
		{"overcast night", 1, 8, -20, "D"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pasquill(c.wind, c.octas, c.sun); got != c.want {
				t.Errorf("pasquill(%v, %v, %v) = %s, want %s", c.wind, c.octas, c.sun, got, c.want)
			}
		})
	}
}

// Reference elevations: at solar noon 90° − latitude + declination (±23.44°
// at the solstices), at midnight its negative mirror; the equator at the
// March equinox's 12:00 UTC about 88° (the sun 7 min past its meridian).
// The formula neglects the equation of time, so 2° are allowed.
func TestSolarElevation(t *testing.T) {
	cases := []struct {
		name     string
		at       time.Time
		lat, lon float64
		want     float64
	}{
		{"Ningdong, summer solstice noon (13:06 Beijing)", time.Date(2025, 6, 21, 5, 6, 0, 0, time.UTC), 38.1, 106.6, 75.3},
		{"Ningdong, winter solstice noon", time.Date(2025, 12, 21, 5, 4, 0, 0, time.UTC), 38.1, 106.6, 28.5},
		{"Ningdong, midnight", time.Date(2025, 6, 21, 17, 6, 0, 0, time.UTC), 38.1, 106.6, -28.4},
		{"equator, equinox noon", time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC), 0, 0, 88.0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := solarElevationDeg(c.at.UnixMilli(), c.lat, c.lon); math.Abs(got-c.want) > 2 {
				t.Errorf("elevation %.1f°, want %.1f°", got, c.want)
			}
		})
	}
}

// weatherDay runs a station alone for 24 h from start and returns its
// reports.
func weatherDay(t *testing.T, start time.Time) []weatherMsg {
	t.Helper()
	s := newTestSim(t, testPlant{}, Options{Seed: 6, Start: start})
	var out []weatherMsg
	for at := start; at.Before(start.Add(24 * time.Hour)); at = at.Add(10 * time.Second) {
		for _, m := range s.Step(at) {
			var w weatherMsg
			decodeStrict(t, m.Payload, &w)
			out = append(out, w)
		}
	}
	return out
}

func TestNingdongWeather(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	cases := []struct {
		name             string
		start            time.Time
		minC, maxC       float64 // plausible extremes of the day
		minRangeC        float64 // warmest minus coldest hour
		afternoonWarmest bool
	}{
		{"July", time.Date(2025, 7, 15, 0, 0, 0, 0, cst), 10, 38, 8, true},
		{"January", time.Date(2025, 1, 15, 0, 0, 0, 0, cst), -25, 8, 8, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := weatherDay(t, c.start)
			if len(ws) < 8639 || len(ws) > 8641 {
				t.Fatalf("%d reports in a day, want 8640", len(ws))
			}
			var speeds []float64
			var east, north float64
			hourly := make([]float64, 24)
			for _, w := range ws {
				speeds = append(speeds, *w.WindSpeed)
				from := *w.WindFrom * math.Pi / 180
				east += math.Sin(from) * *w.WindSpeed
				north += math.Cos(from) * *w.WindSpeed
				if *w.TempC < c.minC || *w.TempC > c.maxC {
					t.Fatalf("%.1f °C", *w.TempC)
				}
				hourly[time.UnixMilli(*w.TS).In(cst).Hour()] += *w.TempC / 360
			}
			slices.Sort(speeds)
			if med := speeds[len(speeds)/2]; med < 2 || med > 5 {
				t.Errorf("median wind %.1f m/s, want 2–5", med)
			}
			mean := math.Mod(math.Atan2(east, north)*180/math.Pi+360, 360)
			if math.Abs(mean-prevailingFromDeg) > 45 {
				t.Errorf("mean wind from %.0f°, want north-west", mean)
			}
			warm, cold := slices.Index(hourly, slices.Max(hourly)), slices.Index(hourly, slices.Min(hourly))
			if slices.Max(hourly)-slices.Min(hourly) < c.minRangeC || warm < 12 || warm > 19 || cold > 8 && cold < 22 {
				t.Errorf("hourly means %v: warmest at %d h, coldest at %d h", hourly, warm, cold)
			}
		})
	}
}
