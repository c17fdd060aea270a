package plume

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseStability(t *testing.T) {
	for i, name := range []string{"A", "B", "C", "D", "E", "F"} {
		for _, in := range []string{name, strings.ToLower(name), " " + name + "\t"} {
			s, err := ParseStability(in)
			if err != nil || s != A+Stability(i) || s.String() != name {
				t.Errorf("ParseStability(%q) = %v, %v", in, s, err)
			}
		}
	}
	for _, in := range []string{"", "G", "AB", "a-b", "1", "@", "`"} {
		if _, err := ParseStability(in); !errors.Is(err, ErrStability) {
			t.Errorf("ParseStability(%q): %v", in, err)
		}
	}
	if got := Stability(0).String(); got != "Stability(0)" {
		t.Errorf("zero String = %q", got)
	}
}

// TestPasquillTable checks every cell against the table in REFERENCE §8:
// rows < 2, 2–3, 3–5, 5–6, > 6 m/s; columns strong, moderate, slight,
// night ≥ 4/8 cloud, night ≤ 3/8.
func TestPasquillTable(t *testing.T) {
	want := [5]string{
		"A A-B B E F",
		"A-B B C E F",
		"B B-C C D E",
		"C C-D D D D",
		"C D D D D",
	}
	winds := [5]float64{1.5, 2.5, 4, 5.5, 8}
	for r, u := range winds {
		cols := [5]Conditions{
			{WindMS: u, Insolation: Strong}, {WindMS: u, Insolation: Moderate}, {WindMS: u, Insolation: Slight},
			{WindMS: u, Night: true, CloudOctas: 5}, {WindMS: u, Night: true, CloudOctas: 2},
		}
		var got []string
		for _, c := range cols {
			cell, err := Pasquill(c)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, cell.String())
		}
		if g := strings.Join(got, " "); g != want[r] {
			t.Errorf("u = %g: got %q, want %q", u, g, want[r])
		}
	}
	for _, tc := range []struct {
		name string
		c    Conditions
		want Stability
	}{
		{"boundary-2-is-second-row", Conditions{WindMS: 2, Insolation: Strong}, A}, // A–B → A
		{"boundary-6-is-last-row", Conditions{WindMS: 6, Insolation: Moderate}, D},
		{"octas-4-is-cloudy", Conditions{WindMS: 2.5, Night: true, CloudOctas: 4}, E},
		{"octas-3-is-clear", Conditions{WindMS: 2.5, Night: true, CloudOctas: 3}, F},
		{"overcast-day", Conditions{WindMS: 1, Insolation: Strong, Overcast: true}, D},
		{"overcast-night", Conditions{WindMS: 1, Night: true, Overcast: true}, D},
		{"b-c-picks-b", Conditions{WindMS: 4, Insolation: Moderate}, B},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cell, err := Pasquill(tc.c)
			if err != nil || cell.Class() != tc.want {
				t.Errorf("got %v (%v), want %v", cell, err, tc.want)
			}
		})
	}
	for _, c := range []Conditions{{WindMS: math.NaN(), Insolation: Strong}, {WindMS: -1, Insolation: Strong},
		{WindMS: 3}, {WindMS: 3, Night: true, CloudOctas: 9}} {
		if _, err := Pasquill(c); !errors.Is(err, ErrInput) {
			t.Errorf("Pasquill(%+v): %v", c, err)
		}
	}
}

func TestConditionsFromSun(t *testing.T) {
	for _, tc := range []struct {
		name string
		elev float64
		sky  Sky
		want Conditions
	}{
		{"high-sun-clear", 65, Sky{}, Conditions{Insolation: Strong}},
		{"mid-sun-clear", 40, Sky{CloudOctas: 4}, Conditions{Insolation: Moderate, CloudOctas: 4}},
		{"low-sun", 20, Sky{}, Conditions{Insolation: Slight}},
		{"very-low-sun", 10, Sky{}, Conditions{Insolation: Slight}},
		{"high-sun-low-broken-cloud", 65, Sky{CloudOctas: 6, CeilingM: 1000}, Conditions{Insolation: Slight, CloudOctas: 6}},
		{"high-sun-mid-cloud", 65, Sky{CloudOctas: 6, CeilingM: 3000}, Conditions{Insolation: Moderate, CloudOctas: 6}},
		{"high-sun-high-cloud", 65, Sky{CloudOctas: 6, CeilingM: 6000}, Conditions{Insolation: Strong, CloudOctas: 6}},
		{"high-sun-high-overcast", 65, Sky{CloudOctas: 8, CeilingM: 6000}, Conditions{Insolation: Moderate, CloudOctas: 8}},
		{"low-overcast", 65, Sky{CloudOctas: 8}, Conditions{Overcast: true, CloudOctas: 8}},
		{"night", -5, Sky{CloudOctas: 2}, Conditions{Night: true, CloudOctas: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.WindMS = 3
			got, err := ConditionsFromSun(3, tc.elev, tc.sky)
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	if _, err := ConditionsFromSun(3, math.NaN(), Sky{}); !errors.Is(err, ErrInput) {
		t.Errorf("NaN elevation: %v", err)
	}
	if _, err := ConditionsFromSun(3, 30, Sky{CloudOctas: 9}); !errors.Is(err, ErrInput) {
		t.Errorf("9 octas: %v", err)
	}
}

// TestSolarElevation checks the NOAA algorithm against astronomical facts:
// the noon altitude 90° − φ + δ at the June solstice (δ = 23.44°), and the
// time of solar noon at Greenwich shifted by the equation of time (about
// +16.4 min on 3 November, −14.2 min on 11 February).
func TestSolarElevation(t *testing.T) {
	noon := func(lat, lon float64, day time.Time) (time.Time, float64) {
		best, at := -90.0, day
		for m := 0; m < 1440; m++ {
			tt := day.Add(time.Duration(m) * time.Minute)
			e, err := SolarElevationDeg(lat, lon, tt)
			if err != nil {
				t.Fatal(err)
			}
			if e > best {
				best, at = e, tt
			}
		}
		return at, best
	}
	for _, tc := range []struct {
		name     string
		lat, lon float64
		day      time.Time
		elev     float64
		noonMin  float64 // UTC minutes of solar noon
	}{
		{"solstice-40N", 40, 0, time.Date(2024, 6, 20, 0, 0, 0, 0, time.UTC), 90 - 40 + 23.44, 720 + 1.7},
		{"november-greenwich", 51.48, 0, time.Date(2024, 11, 3, 0, 0, 0, 0, time.UTC), math.NaN(), 720 - 16.4},
		{"february-greenwich", 51.48, 0, time.Date(2024, 2, 11, 0, 0, 0, 0, time.UTC), math.NaN(), 720 + 14.2},
		{"beijing-solstice", 39.9042, 116.4074, time.Date(2024, 6, 20, 0, 0, 0, 0, time.UTC), 90 - 39.9042 + 23.44,
			720 + 1.7 - 4*116.4074},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, e := noon(tc.lat, tc.lon, tc.day)
			if !math.IsNaN(tc.elev) && math.Abs(e-tc.elev) > 0.05 {
				t.Errorf("noon elevation %.3f°, want %.2f°", e, tc.elev)
			}
			if m := at.Sub(tc.day).Minutes(); math.Abs(m-tc.noonMin) > 1.5 {
				t.Errorf("solar noon at %.0f min UTC, want %.1f", m, tc.noonMin)
			}
		})
	}
	if e, _ := SolarElevationDeg(0, 0, time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC)); e > -85 {
		t.Errorf("midnight at the equator: %g°", e)
	}
	if _, err := SolarElevationDeg(91, 0, time.Now()); !errors.Is(err, ErrInput) {
		t.Errorf("lat 91: %v", err)
	}
}
