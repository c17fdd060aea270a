package rules_test

import (
	"errors"
	"math"
	"testing"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/rules"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// ppm converts mg/m³ at 20 °C (24.055 L/mol, REFERENCE §6) for molar mass mw.
func ppm(mgM3, mw float64) float64 { return mgM3 * 24.055 / mw }

func TestLimitsOf(t *testing.T) {
	lib, err := substance.Load()
	if err != nil {
		t.Fatal(err)
	}
	det := func(props map[string]any) *twin.Entity {
		return &twin.Entity{ID: "GD", Kind: twin.KindGasDetector, Props: props}
	}
	// Expected values from REFERENCE §6–7: NH₃ PC-TWA 20 mg/m³, MW 17.03;
	// H₂S MAC 10 mg/m³, MW 34.08, IDLH 100 ppm; methanol 25/50 %LEL.
	nh3 := ppm(20, 17.03)
	cases := []struct {
		name           string
		props          map[string]any
		a1, a2, lo, hi float64
		oxygen         bool
		basis          string
		err            error
	}{
		{"explicit", map[string]any{"gas": "CH3OH", "unit": "%LEL", "range": []any{0.0, 100.0}, "alarm1": 20.0, "alarm2": 40.0},
			20, 40, 0, 100, false, rules.BasisScene, nil},
		{"combustible from the library", map[string]any{"gas": "CH3OH", "substance": "methanol", "unit": "%LEL", "range": []any{0.0, 100.0}},
			25, 50, 0, 100, false, "LEL", nil},
		{"toxic 100/200 % OEL in ppm", map[string]any{"gas": "NH3", "unit": "ppm", "range": []float64{0, 100}},
			nh3, 2 * nh3, 0, 100, false, "PC-TWA", nil},
		{"alarm1 overridden, alarm2 derived", map[string]any{"gas": "NH3", "unit": "ppm", "range": []any{0.0, 100.0}, "alarm1": 25.0},
			25, 2 * nh3, 0, 100, false, "scene+PC-TWA", nil},
		{"toxic in mg/m3", map[string]any{"substance": "ammonia", "unit": "mg/m3", "range": []any{0.0, 100.0}},
			20, 40, 0, 100, false, "PC-TWA", nil},
		{"range too small for 200 % OEL: 5/10 % IDLH", map[string]any{"gas": "H2S", "unit": "ppm", "range": []any{0.0, 10.0}},
			5, 10, 0, 10, false, "IDLH", nil},
		{"H2S on a 0–25 ppm range: OEL", map[string]any{"gas": "H2S", "unit": "ppm", "range": []any{0.0, 25.0}},
			ppm(10, 34.08), 2 * ppm(10, 34.08), 0, 25, false, "MAC", nil},
		{"oxygen by type", map[string]any{"detector_type": "oxygen", "unit": "%VOL", "range": []any{0.0, 25.0}},
			19.5, 23.5, 0, 25, true, "O2", nil},
		{"oxygen by gas", map[string]any{"gas": "O2", "unit": "%VOL", "range": []any{0.0, 25.0}},
			19.5, 23.5, 0, 25, true, "O2", nil},
		{"range cannot hold any setpoint", map[string]any{"gas": "H2S", "unit": "ppm", "range": []any{0.0, 1.0}},
			0, 0, 0, 0, false, "", substance.ErrRange},
		{"unknown substance", map[string]any{"gas": "XeF6", "unit": "ppm"}, 0, 0, 0, 0, false, "", substance.ErrNotFound},
		{"unknown unit", map[string]any{"gas": "NH3", "unit": "furlongs"}, 0, 0, 0, 0, false, "", substance.ErrUnit},
		{"nothing to go on", map[string]any{"unit": "ppm"}, 0, 0, 0, 0, false, "", rules.ErrSetpoints},
		{"alarm1 above alarm2", map[string]any{"gas": "CH4", "unit": "%LEL", "alarm1": 50.0, "alarm2": 25.0}, 0, 0, 0, 0, false, "", rules.ErrSetpoints},
		{"bad range is unknown", map[string]any{"gas": "CH4", "unit": "%LEL", "range": []any{100.0, 0.0}, "alarm1": 25.0, "alarm2": 50.0},
			25, 50, 0, 0, false, rules.BasisScene, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := rules.LimitsOf(det(c.props), lib)
			if c.err != nil {
				if !errors.Is(err, c.err) || !errors.Is(err, rules.ErrSetpoints) {
					t.Fatalf("err = %v, want %v and %v", err, c.err, rules.ErrSetpoints)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// 0.1 %: the library's molar masses carry more digits than §7.
			if !near(l.Alarm1, c.a1, 1e-3) || !near(l.Alarm2, c.a2, 1e-3) || l.RangeLo != c.lo || l.RangeHi != c.hi ||
				l.Oxygen != c.oxygen || l.Basis != c.basis {
				t.Fatalf("limits = %+v, want %v/%v on %v–%v oxygen %v basis %s", l, c.a1, c.a2, c.lo, c.hi, c.oxygen, c.basis)
			}
			span := c.hi - c.lo
			if span <= 0 {
				span = c.a2
			}
			if !near(l.Deadband, rules.DefaultDeadband*span, 1e-9) {
				t.Fatalf("deadband %v, want %v", l.Deadband, rules.DefaultDeadband*span)
			}
		})
	}
	if _, err := rules.LimitsOf(det(map[string]any{"gas": "NH3", "unit": "ppm"}), nil); !errors.Is(err, rules.ErrSetpoints) {
		t.Fatalf("no library, no setpoints: err = %v", err)
	}
}

func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-12)
}
