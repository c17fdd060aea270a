package substance

import (
	"errors"
	"testing"
)

// TestSetpointsReference reproduces REFERENCE §6's example setpoints in
// mg/m³ from the §7 table with the default MAC-else-PC-TWA basis.
func TestSetpointsReference(t *testing.T) {
	tests := []struct {
		name           string
		level1, level2 float64
		basis          string
	}{
		{"H2S", 10, 20, "MAC"}, {"Cl2", 1, 2, "MAC"}, {"HCl", 7.5, 15, "MAC"}, {"phosgene", 0.5, 1, "MAC"},
		{"NH3", 20, 40, "PC-TWA"}, {"CO", 20, 40, "PC-TWA"}, {"methanol", 25, 50, "PC-TWA"},
		{"benzene", 6, 12, "PC-TWA"}, {"toluene", 50, 100, "PC-TWA"}, {"SO2", 5, 10, "PC-TWA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp, err := Setpoints(mustGet(t, tt.name), "mg/m³", 0, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if sp.Kind != KindToxic || sp.Basis != tt.basis || sp.Level1 != tt.level1 || sp.Level2 != tt.level2 {
				t.Errorf("got %s %s %v/%v, want toxic %s %v/%v", sp.Kind, sp.Basis, sp.Level1, sp.Level2, tt.basis, tt.level1, tt.level2)
			}
		})
	}
}

func TestSetpoints(t *testing.T) {
	tests := []struct {
		name, sub, unit string
		rangeMax        float64
		opt             Options
		kind            Kind
		basis           string
		level1, level2  float64
	}{
		// NH₃ 20 mg/m³ PC-TWA at 24.055 L/mol: 28.25 / 56.50 ppm.
		{"NH3 ppm", "ammonia", "ppm", 100, Options{}, KindToxic, "PC-TWA", 28.2502, 56.5004},
		// The same NH₃ on a %LEL detector is a combustible setpoint.
		{"NH3 %LEL", "ammonia", "%LEL", 100, Options{}, KindCombustible, "LEL", 25, 50},
		{"methanol %LEL", "CH3OH", "%LEL", 100, Options{}, KindCombustible, "LEL", 25, 50},
		// H₂ LEL 4.0 %vol: 25/50 %LEL = 1/2 %vol.
		{"H2 %VOL", "H2", "%VOL", 4, Options{}, KindCombustible, "LEL", 1, 2},
		// Methane has no toxic limit: a ppm detector gets 25/50 %LEL in ppm.
		{"CH4 ppm", "methane", "ppm", 0, Options{}, KindCombustible, "LEL", 12500, 25000},
		// H₂S MAC 10 mg/m³ = 7.058 ppm; 200 % OEL = 14.12 ppm fits 0–20 ppm.
		{"H2S ppm range 20", "H2S", "ppm", 20, Options{}, KindToxic, "MAC", 7.05839, 14.1168},
		// …but not 0–10 ppm: 5/10 % of IDLH 100 ppm.
		{"H2S ppm range 10 IDLH", "H2S", "ppm", 10, Options{}, KindToxic, "IDLH", 5, 10},
		// Cl₂ MAC 1 mg/m³ = 0.3393 ppm; 200 % fits a 0–1 ppm cell.
		{"Cl2 ppm range 1", "Cl2", "ppm", 1, Options{}, KindToxic, "MAC", 0.339281, 0.678561},
		// HCl MAC 7.5 mg/m³ = 4.948 ppm; 200 % (9.90 ppm) exceeds 0–5 ppm,
		// 5/10 % of IDLH 50 ppm (2.5/5 ppm) fits.
		{"HCl ppm range 5 IDLH", "HCl", "ppm", 5, Options{}, KindToxic, "IDLH", 2.5, 5},
		{"O2", "oxygen", "%VOL", 25, Options{}, KindOxygen, "O2", 19.5, 23.5},
		{"NH3 STEL basis", "ammonia", "mg/m3", 0, Options{OEL: STELElseMAC}, KindToxic, "PC-STEL", 30, 60},
		{"H2S TWA basis falls to MAC", "H2S", "mg/m3", 0, Options{OEL: TWAElseMAC}, KindToxic, "MAC", 10, 20},
		// At 25 °C: 20 × 24.465 / 17.03 = 28.7317 ppm.
		{"NH3 ppm 25C", "ammonia", "ppm", 0, Options{MolarVolume: MolarVolume25C}, KindToxic, "PC-TWA", 28.7317, 57.4633},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp, err := Setpoints(mustGet(t, tt.sub), tt.unit, tt.rangeMax, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if sp.Kind != tt.kind || sp.Basis != tt.basis || !near(sp.Level1, tt.level1, 1e-5) || !near(sp.Level2, tt.level2, 1e-5) {
				t.Errorf("got %s %s %.6g/%.6g %s, want %s %s %v/%v", sp.Kind, sp.Basis, sp.Level1, sp.Level2, sp.Unit,
					tt.kind, tt.basis, tt.level1, tt.level2)
			}
			if sp.Clause == "" {
				t.Error("no clause cited")
			}
		})
	}
}

func TestSetpointsErrors(t *testing.T) {
	tests := []struct {
		name, sub, unit string
		rangeMax        float64
		want            error
	}{
		// Methanol 200 % OEL is 37.5 ppm and 10 % IDLH 600 ppm: neither fits 0–20.
		{"range covers neither", "methanol", "ppm", 20, ErrRange},
		{"combustible range", "methane", "%LEL", 40, ErrRange},
		{"oxygen range", "oxygen", "%VOL", 20, ErrRange},
		// Cl₂: 200 % OEL 0.68 ppm is above 0–0.6 ppm, 10 % IDLH 1 ppm too.
		{"Cl2 fallback too high", "chlorine", "ppm", 0.6, ErrRange},
		{"oxygen in ppm", "oxygen", "ppm", 0, ErrUnit},
		{"no LEL", "chlorine", "%LEL", 100, ErrNoValue},
		{"unknown unit", "ammonia", "ppb", 100, ErrUnit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Setpoints(mustGet(t, tt.sub), tt.unit, tt.rangeMax, Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func BenchmarkSetpoints(b *testing.B) {
	s := mustGet(b, "H2S")
	for b.Loop() {
		if _, err := Setpoints(s, "ppm", 10, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
