package rules_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/rules"
)

// series is a synthetic detector signal: a zero offset that may change at
// a time, white noise, rounding to the sensor's resolution and clamping to
// the range, as transmitters do.
type series struct {
	zero, zeroAfter float64
	change          time.Duration // zero becomes zeroAfter from here
	sigma, res      float64
	lo, hi          float64
	freezeAt        time.Duration // the reading freezes from here (0: never)
}

func (s series) at(r *rand.Rand, t time.Duration, frozen *float64) float64 {
	if s.freezeAt > 0 && t >= s.freezeAt && !math.IsNaN(*frozen) {
		return *frozen
	}
	z := s.zero
	if s.change > 0 && t >= s.change {
		z = s.zeroAfter
	}
	v := z + r.NormFloat64()*s.sigma
	v = math.Max(s.lo, math.Min(s.hi, v))
	v = math.Round(v/s.res) * s.res
	if s.freezeAt > 0 && t >= s.freezeAt {
		*frozen = v
	}
	return v
}

// health feeds the series every dt for dur and returns when the health
// first became want and when it last left it (-1: never).
func health(t *testing.T, seed uint64, s series, l rules.Limits, c rules.DetectorConfig, dt, dur time.Duration, want rules.GasState) (first, cleared time.Duration) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	frozen := math.NaN()
	var d rules.Detector
	first, cleared = -1, -1
	for at := time.Duration(0); at <= dur; at += dt {
		d, _ = rules.StepDetector(d, rules.Reading{At: t0.Add(at), Value: s.at(r, at, &frozen)}, l, c)
		switch h := d.Health(); {
		case h == want && first < 0:
			first = at
		case h != want && first >= 0 && cleared < 0:
			cleared = at
		}
	}
	return first, cleared
}

func TestStuckOnNoisySeries(t *testing.T) {
	hour := time.Hour
	cases := []struct {
		name      string
		s         series
		wantFirst time.Duration // -1: never
	}{
		// A healthy head at 12 %LEL (a small standing leak) with 0.3 %LEL
		// noise at 0.1 resolution moves every few seconds.
		{"live at 12 %LEL", series{zero: 12, sigma: 0.3, res: 0.1, hi: 100}, -1},
		// Clean air, zero 0.4 %LEL, clamped at 0 and rounded to 1 %LEL:
		// flat at 0 for long stretches, which is not stuck.
		{"clean air at 1 %LEL resolution", series{zero: 0.2, sigma: 0.3, res: 1, hi: 100}, -1},
		// The same head freezing at 12 %LEL after an hour.
		{"frozen at 12 %LEL", series{zero: 12, sigma: 0.3, res: 0.1, hi: 100, freezeAt: hour}, hour + 30*time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				first, _ := health(t, seed, c.s, lel, rules.DetectorConfig{}, 5*time.Second, 4*hour, rules.GasStuck)
				if c.wantFirst < 0 && first >= 0 {
					t.Fatalf("seed %d: stuck at %v", seed, first)
				}
				// frozen: flagged 30 min after the last movement, the
				// freeze or a few samples before it when the frozen value
				// is within epsilon of the last ones
				if c.wantFirst >= 0 && (first < c.wantFirst-time.Minute || first > c.wantFirst) {
					t.Fatalf("seed %d: stuck at %v, want %v", seed, first, c.wantFirst)
				}
			}
		})
	}
}

func TestDriftOnNoisySeries(t *testing.T) {
	hour := time.Hour
	// cl2 is a 0–2 ppm chlorine detector at 0.33/0.67 ppm with a 0.1 ppm
	// deadband: a zero wandering to -0.06 ppm is past the drift threshold
	// (0.033 ppm) but not under-range (-0.1 ppm). With the default 2 %
	// deadband (0.04 ppm) most negative drift shows as under-range first.
	cl2 := rules.Limits{GasLimits: rules.GasLimits{Alarm1: 0.33, Alarm2: 0.67, Deadband: 0.1}, RangeHi: 2}
	cases := []struct {
		name        string
		l           rules.Limits
		c           rules.DetectorConfig
		s           series
		dur         time.Duration
		first, last time.Duration // drift window [first, last]; -1: never
		cleared     time.Duration // -1: never
	}{
		{"healthy zero 0.5 %LEL", lel, rules.DetectorConfig{}, series{zero: 0.5, sigma: 0.3, res: 0.1, lo: -5, hi: 100}, 48 * hour, -1, -1, -1},
		// The zero sits at 4 %LEL, above 10 % of 25 %LEL: flagged once a
		// full window of 24 hourly buckets has readings (23–24 h).
		{"zero at 4 %LEL", lel, rules.DetectorConfig{}, series{zero: 4, sigma: 0.3, res: 0.1, lo: -5, hi: 100}, 30 * hour, 23 * hour, 24 * hour, -1},
		// Re-zeroed (calibrated) at 30 h: clears with the first clean reading.
		{"zero at 4 %LEL, re-zeroed", lel, rules.DetectorConfig{}, series{zero: 4, zeroAfter: 0.3, change: 30 * hour, sigma: 0.3, res: 0.1, lo: -5, hi: 100}, 40 * hour, 23 * hour, 24 * hour, 30 * hour},
		{"a shorter window", lel, rules.DetectorConfig{DriftWindow: 6 * hour}, series{zero: 4, sigma: 0.3, res: 0.1, lo: -5, hi: 100}, 10 * hour, 5*hour + 45*time.Minute, 6 * hour, -1},
		{"off", lel, rules.DetectorConfig{DriftWindow: -1}, series{zero: 4, sigma: 0.3, res: 0.1, lo: -5, hi: 100}, 30 * hour, -1, -1, -1},
		{"chlorine zero below zero", cl2, rules.DetectorConfig{}, series{zero: -0.06, sigma: 0.004, res: 0.001, lo: -1, hi: 2}, 30 * hour, 23 * hour, 24 * hour, -1},
		{"chlorine healthy", cl2, rules.DetectorConfig{}, series{zero: 0.01, sigma: 0.008, res: 0.001, lo: -1, hi: 2}, 30 * hour, -1, -1, -1},
		{"oxygen is not checked", o2, rules.DetectorConfig{}, series{zero: 21.5, sigma: 0.05, res: 0.01, lo: 0, hi: 25}, 30 * hour, -1, -1, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				first, cleared := health(t, seed, c.s, c.l, c.c, time.Minute, c.dur, rules.GasDrift)
				if c.first < 0 {
					if first >= 0 {
						t.Fatalf("seed %d: drift at %v", seed, first)
					}
					continue
				}
				if first < c.first || first > c.last {
					t.Fatalf("seed %d: drift at %v, want %v–%v", seed, first, c.first, c.last)
				}
				if cleared != c.cleared {
					t.Fatalf("seed %d: drift cleared at %v, want %v", seed, cleared, c.cleared)
				}
			}
		})
	}
}

func TestDriftNeedsAFullWindow(t *testing.T) {
	// A day at 4 %LEL with a 3 h hole in the middle (the detector was off
	// the loop): no verdict until the window is whole again.
	var d rules.Detector
	for at := time.Duration(0); at <= 40*time.Hour; at += time.Minute {
		if at >= 10*time.Hour && at < 13*time.Hour {
			continue
		}
		d, _ = rules.StepDetector(d, rules.Reading{At: t0.Add(at), Value: 4}, lel, rules.DetectorConfig{StuckAfter: -1})
		whole := at >= 13*time.Hour+24*time.Hour-time.Hour
		if got := d.Health() == rules.GasDrift; got != whole {
			t.Fatalf("t+%v: drift %v, want %v", at, got, whole)
		}
	}
	lo, hi, ok := d.ZeroWindow()
	if !ok || lo != 4 || hi != 4 {
		t.Fatalf("ZeroWindow = %v, %v, %v", lo, hi, ok)
	}
}
