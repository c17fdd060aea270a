package threat

import (
	"math"
	"testing"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

func TestReadingUnits(t *testing.T) {
	p := newPlant(t)
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	methane, _ := substance.Default().Get("methane")
	ammonia, _ := substance.Default().Get("ammonia")
	for _, c := range []struct {
		name  string
		sub   *substance.Substance
		state map[string]any
		props map[string]any
		want  float64 // g/m³; NaN: not usable
	}{
		// 10 %LEL of methane (LEL 5.0 %vol) = 0.5 %vol = 5000 ppm;
		// × 16.04 g/mol / 24.465 L/mol = 3.2782 g/m³.
		{"%LEL", methane, map[string]any{"value": 10.0, "unit": "%LEL"}, nil, 5000 * 16.04 / 24.465 / 1000},
		{"%LEL below one unit", methane, map[string]any{"value": 0.4, "unit": "%LEL"}, nil, math.NaN()},
		// 100 ppm NH₃ × 17.03 / 24.465 = 69.61 mg/m³.
		{"ppm, unit from props", ammonia, map[string]any{"value": 100.0}, map[string]any{"unit": "ppm"}, 100 * 17.03 / 24.465 / 1000},
		{"mg/m3", ammonia, map[string]any{"value": 20.0, "unit": "mg/m3"}, nil, 0.020},
		{"negative is zero", ammonia, map[string]any{"value": -3.0, "unit": "ppm"}, nil, 0},
		{"fault", ammonia, map[string]any{"value": 50.0, "unit": "ppm", "fault": true}, nil, math.NaN()},
		{"offline", ammonia, map[string]any{"value": 50.0, "unit": "ppm", "state": "offline"}, nil, math.NaN()},
		{"no unit", ammonia, map[string]any{"value": 50.0}, nil, math.NaN()},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := s.reading(&twin.Entity{State: c.state, Props: c.props}, c.sub)
			if math.IsNaN(c.want) {
				if ok {
					t.Errorf("got %g g/m³, want no reading", got)
				}
				return
			}
			if !ok || math.Abs(got-c.want) > 1e-4*math.Max(c.want, 1e-3) {
				t.Errorf("got %g (%v), want %g g/m³", got, ok, c.want)
			}
		})
	}
}
