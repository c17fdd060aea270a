package threat

import (
	"math"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/geo/plume"
)

func samples(dirs ...float64) []windSample {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]windSample, len(dirs))
	for i, d := range dirs {
		out[i] = windSample{at: t0.Add(time.Duration(i) * time.Minute), speedMS: 2, fromDeg: d}
	}
	return out
}

// TestYamartinoHandCases checks σθ against cases worked by hand from
// Yamartino (1984) eq. 8: σθ = arcsin(ε)(1 + 0.1547ε³), ε = √(1 − sa² − ca²).
func TestYamartinoHandCases(t *testing.T) {
	for _, c := range []struct {
		name            string
		dirs            []float64
		sigma, from, ms float64
	}{
		// sa = 0, ca = cos 10° → ε = sin 10° = 0.173648; arcsin ε = 10°;
		// × (1 + 0.154701·0.005236) = 10.00810°. Mean from north, 2·cos 10°.
		{"350 and 10", []float64{350, 10}, 10.00810, 0, 2 * math.Cos(10*math.Pi/180)},
		// sa = ca = 0.5 → ε = √0.5; arcsin ε = 45°; × (1 + 0.154701·0.353553)
		// = 47.46124°. Mean from 45°, speed 2·√0.5.
		{"0 and 90", []float64{0, 90}, 47.46124, 45, math.Sqrt2},
		{"steady", []float64{270, 270, 270}, 0, 270, 2},
		{"one sample", []float64{123}, 0, 123, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := meanWind(samples(c.dirs...))
			if math.Abs(w.SigmaThetaDeg-c.sigma) > 1e-4 {
				t.Errorf("σθ %.5f°, want %.5f°", w.SigmaThetaDeg, c.sigma)
			}
			if d := math.Abs(math.Mod(w.FromDeg-c.from+540, 360) - 180); d > 1e-9 {
				t.Errorf("direction %.6f°, want %g°", w.FromDeg, c.from)
			}
			if math.Abs(w.SpeedMS-c.ms) > 1e-9 {
				t.Errorf("speed %.6f m/s, want %.6f", w.SpeedMS, c.ms)
			}
		})
	}
}

func TestWindowKeepsTheLastTenMinutes(t *testing.T) {
	var w windWindow
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		w.add(windSample{at: t0.Add(time.Duration(i) * time.Minute), speedMS: 3, fromDeg: 90}, 10*time.Minute)
	}
	if len(w.samples) != 11 || !w.samples[0].at.Equal(t0.Add(9*time.Minute)) {
		t.Fatalf("%d samples from %s", len(w.samples), w.samples[0].at)
	}
	if w.add(windSample{at: t0.Add(19 * time.Minute), speedMS: 9, fromDeg: 0}, 10*time.Minute) {
		t.Error("a repeated report was added")
	}
}

func TestSunStability(t *testing.T) {
	const lat, lon = 38.1, 106.6 // Ningdong, Ningxia
	for _, c := range []struct {
		name   string
		at     time.Time
		windMS float64
		octas  int
		want   []plume.Stability
	}{
		// Solar noon at 106.6° E is about 04:54 UTC; on 21 June the sun
		// stands at 90 − 38.1 + 23.4 ≈ 75° > 60°: strong insolation, and a
		// 2.5 m/s wind gives the A–B cell (Turner 1970 Table 1).
		{"summer noon clear", time.Date(2024, 6, 21, 4, 54, 0, 0, time.UTC), 2.5, 0, []plume.Stability{plume.A, plume.B}},
		{"summer noon clear calm", time.Date(2024, 6, 21, 4, 54, 0, 0, time.UTC), 1.5, 0, []plume.Stability{plume.A}},
		// Local midnight in December, 8/8 low cloud: overcast → D.
		{"night overcast", time.Date(2024, 12, 21, 16, 54, 0, 0, time.UTC), 2.5, 8, []plume.Stability{plume.D}},
		// Clear night, light wind: F.
		{"night clear", time.Date(2024, 12, 21, 16, 54, 0, 0, time.UTC), 2.5, 0, []plume.Stability{plume.F}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, sun, err := SunStability(c.windMS, c.octas, lat, lon, c.at)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range c.want {
				found = found || got == w
			}
			if !found {
				t.Errorf("class %s (sun %.1f°), want one of %v", got, sun, c.want)
			}
		})
	}
}
