package locate

import (
	"math"
	"testing"
)

func TestPathLoss(t *testing.T) {
	m := NewPathLoss(2.2, 4)
	cases := []struct {
		name      string
		got, want float64
	}{
		{"RSSI at 1 m is RSSI₁ₘ", m.RSSI(-59, 1), -59},
		{"RSSI at 10 m: −59 − 22", m.RSSI(-59, 10), -81},
		{"RSSI at 30 m", m.RSSI(-59, 30), -59 - 22*math.Log10(30)},
		{"near field clamped at 0.1 m", m.RSSI(-59, 0), m.RSSI(-59, 0.1)},
		{"range of −81 dBm", m.RangeM(-59, -81), 10},
		{"range of −59 dBm", m.RangeM(-59, -59), 1},
		// σ_d = d·ln10·σ/(10n): 42 % of the distance at n = 2.2, σ = 4 dB
		{"range σ at 10 m", m.RangeSigmaM(10), 10 * math.Ln10 * 4 / 22},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if math.Abs(c.got-c.want) > 1e-9 {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
	for _, d := range []float64{0.5, 1, 3.7, 15, 29.9, 120} {
		if got := m.RangeM(-65, m.RSSI(-65, d)); math.Abs(got-d) > 1e-9*d {
			t.Errorf("RangeM(RSSI(%v)) = %v", d, got)
		}
	}
}
