package substance

import (
	"errors"
	"math"
	"testing"
)

// near reports whether got is within rel (relative) of want.
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func mustGet(t testing.TB, name string) *Substance {
	t.Helper()
	s, err := mustLoad(t).Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMolarVolume(t *testing.T) {
	// REFERENCE §6: 24.055 L/mol at 20 °C, 24.465 at 25 °C; tolerance 1e-4
	// relative, the precision of the printed values.
	tests := []struct{ tempC, want float64 }{{0, MolarVolume0C}, {20, MolarVolume20C}, {25, MolarVolume25C}}
	for _, tt := range tests {
		if got := MolarVolume(tt.tempC); !near(got, tt.want, 1e-4) {
			t.Errorf("MolarVolume(%v) = %.4f, want %.3f", tt.tempC, got, tt.want)
		}
	}
}

func TestConversions(t *testing.T) {
	cl2, nh3, ch4 := mustGet(t, "chlorine"), mustGet(t, "ammonia"), mustGet(t, "methane")
	tests := []struct {
		name     string
		s        *Substance
		v        float64
		from, to Unit
		vm, want float64
		rel      float64
	}{
		// REFERENCE §8 CCPS puff case: 2.250 g/m³ is 776 ppm Cl₂ at 25 °C
		// (both printed to 3–4 digits: tolerance 0.1 %).
		{"Cl2 ppm→g/m3 25C", cl2, 776, PPM, GM3, MolarVolume25C, 2.250, 1e-3},
		{"Cl2 g/m3→ppm 25C", cl2, 2.250, GM3, PPM, MolarVolume25C, 776, 1e-3},
		// GBZ 2.1 NH₃ PC-TWA 20 mg/m³ at 20 °C: 20 × 24.055 / 17.03.
		{"NH3 mg/m3→ppm 20C", nh3, 20, MgM3, PPM, MolarVolume20C, 28.2502, 1e-5},
		{"NH3 ppm→mg/m3 20C", nh3, 28.2502, PPM, MgM3, MolarVolume20C, 20, 1e-5},
		// Methane LEL 5.0 %vol: 25 %LEL = 1.25 %vol = 12 500 ppm.
		{"CH4 %LEL→%VOL", ch4, 25, PctLEL, PctVol, 0, 1.25, 1e-12},
		{"CH4 %LEL→ppm", ch4, 25, PctLEL, PPM, 0, 12500, 1e-12},
		{"CH4 ppm→%LEL", ch4, 2500, PPM, PctLEL, 0, 5, 1e-12},
		{"NH3 %VOL→ppm", nh3, 0.5, PctVol, PPM, 0, 5000, 1e-12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.Convert(tt.v, tt.from, tt.to, tt.vm)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got, tt.want, tt.rel) {
				t.Errorf("got %.6g, want %.6g ±%g", got, tt.want, tt.rel)
			}
		})
	}
}

func TestConvertRoundTrip(t *testing.T) {
	units := []Unit{PPM, MgM3, GM3, PctVol, PctLEL}
	for _, s := range mustLoad(t).All() {
		for _, u := range units {
			if u == PctLEL && !s.Combustible() {
				continue
			}
			v, err := s.FromPPM(123.4, u, MolarVolume25C)
			if err != nil {
				t.Fatalf("%s FromPPM %s: %v", s.ID, u, err)
			}
			back, err := s.ToPPM(v, u, MolarVolume25C)
			if err != nil || !near(back, 123.4, 1e-12) {
				t.Errorf("%s via %s: %v, %v", s.ID, u, back, err)
			}
		}
	}
}

func TestConvertErrors(t *testing.T) {
	cl2 := mustGet(t, "chlorine")
	if _, err := cl2.Convert(1, PPM, PctLEL, MolarVolume20C); !errors.Is(err, ErrNoValue) {
		t.Errorf("Cl2 to %%LEL: %v, want ErrNoValue", err)
	}
	if _, err := cl2.Convert(1, Unit("furlong"), PPM, MolarVolume20C); !errors.Is(err, ErrUnit) {
		t.Errorf("bad unit: %v, want ErrUnit", err)
	}
}

func TestParseUnit(t *testing.T) {
	tests := map[string]Unit{
		"ppm": PPM, "PPM": PPM, "mg/m3": MgM3, "mg/m³": MgM3, "MG/M3": MgM3, "g/m3": GM3,
		"%VOL": PctVol, "%vol": PctVol, "% VOL": PctVol, "%LEL": PctLEL, "%lel": PctLEL,
	}
	for in, want := range tests {
		if got, err := ParseUnit(in); err != nil || got != want {
			t.Errorf("ParseUnit(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ppb", "%"} {
		if _, err := ParseUnit(in); !errors.Is(err, ErrUnit) {
			t.Errorf("ParseUnit(%q) error = %v, want ErrUnit", in, err)
		}
	}
}

func BenchmarkConvertGM3ToPPM(b *testing.B) {
	s := mustGet(b, "chlorine")
	var sum float64
	for b.Loop() {
		v, _ := s.Convert(2.25, GM3, PPM, MolarVolume25C)
		sum += v
	}
	_ = sum
}
