package substance

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustLoad(t testing.TB) *Library {
	t.Helper()
	lib, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return lib
}

func TestEmbedded(t *testing.T) {
	lib := mustLoad(t)
	if lib.Version() == "" {
		t.Error("empty version")
	}
	if again := Default(); again != lib {
		t.Error("Default did not return the library Load parsed")
	}
	if n := len(lib.All()); n < 14 {
		t.Errorf("%d substances, want at least REFERENCE §7's 14", n)
	}
}

// ref is one row of REFERENCE §7; 0 stands for "–" (absent).
type ref struct {
	id                    string
	mw, lel, uel, idlh    float64
	aegl1, aegl2, aegl3   float64
	mac, twa, stel, q, bt float64
}

// reference7 is REFERENCE §7's table, transcribed.
var reference7 = []ref{
	{"methanol", 32.04, 6.0, 36, 6000, 530, 2100, 7200, 0, 25, 50, 500, 1},
	{"ammonia", 17.03, 15, 28, 300, 30, 160, 1100, 0, 20, 30, 10, 2},
	{"chlorine", 70.90, 0, 0, 10, 0.5, 2.0, 20, 1, 0, 0, 5, 4},
	{"hydrogen_sulfide", 34.08, 4.0, 44, 100, 0.51, 27, 50, 10, 0, 0, 5, 5},
	{"benzene", 78.11, 1.2, 7.8, 500, 52, 800, 4000, 0, 6, 10, 50, 1},
	{"hydrogen", 2.016, 4.0, 75, 0, 0, 0, 0, 0, 0, 0, 5, 1.5},
	{"methane", 16.04, 5.0, 15, 0, 0, 0, 0, 0, 0, 0, 50, 1.5},
	{"carbon_monoxide", 28.01, 12.5, 74, 1200, 0, 83, 330, 0, 20, 30, 10, 2},
	// LPG: REFERENCE gives TWA 1000 only; the library adds GBZ 2.1's STEL.
	{"propane", 44.10, 2.1, 9.5, 2100, 0, 0, 0, 0, 1000, 1500, 50, 1.5},
	{"hydrogen_chloride", 36.46, 0, 0, 50, 1.8, 22, 100, 7.5, 0, 0, 20, 3},
	{"sulfur_dioxide", 64.07, 0, 0, 100, 0.20, 0.75, 30, 0, 5, 10, 20, 2},
	{"toluene", 92.14, 1.1, 7.1, 500, 67, 560, 3700, 0, 50, 100, 500, 1},
	{"ethylene", 28.05, 2.7, 36, 0, 0, 0, 0, 0, 0, 0, 50, 1.5},
	{"phosgene", 98.92, 0, 0, 2, 0, 0.30, 0.75, 0.5, 0, 0, 0.3, 20},
}

func TestReferenceValues(t *testing.T) {
	lib := mustLoad(t)
	for _, r := range reference7 {
		t.Run(r.id, func(t *testing.T) {
			s, err := lib.Get(r.id)
			if err != nil {
				t.Fatal(err)
			}
			fields := []struct {
				name string
				q    *Quantity
				want float64
			}{
				{"MW", s.MW, r.mw}, {"LEL", s.LEL, r.lel}, {"UEL", s.UEL, r.uel}, {"IDLH", s.IDLH, r.idlh},
				{"AEGL1", s.AEGL1, r.aegl1}, {"AEGL2", s.AEGL2, r.aegl2}, {"AEGL3", s.AEGL3, r.aegl3},
				{"MAC", s.MAC, r.mac}, {"TWA", s.TWA, r.twa}, {"STEL", s.STEL, r.stel},
				{"Q", s.Q, r.q}, {"Beta", s.Beta, r.bt},
			}
			for _, f := range fields {
				got, ok := f.q.Get()
				switch {
				case f.want == 0 && ok:
					t.Errorf("%s = %v, REFERENCE gives none", f.name, got)
				case f.want != 0 && got != f.want:
					t.Errorf("%s = %v (present %v), REFERENCE %v", f.name, got, ok, f.want)
				}
			}
		})
	}
}

func TestVerifyMarks(t *testing.T) {
	lib := mustLoad(t)
	for _, s := range lib.All() {
		want := s.ID == "toluene" || s.ID == "phosgene"
		if s.Verify != want {
			t.Errorf("%s: verify = %v, want %v", s.ID, s.Verify, want)
		}
	}
}

func TestDenseGas(t *testing.T) {
	lib := mustLoad(t)
	tests := map[string]bool{
		"chlorine": true, "ammonia": true, "propane": true, "hydrogen_sulfide": true, "phosgene": true,
		"hydrogen": false, "methane": false, "carbon_monoxide": false, "ethylene": false,
	}
	for id, want := range tests {
		s, err := lib.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if s.DenseGas != want {
			t.Errorf("%s: dense = %v, want %v (%s)", id, s.DenseGas, want, s.DenseGasBasis)
		}
	}
}

func TestGetAliases(t *testing.T) {
	lib := mustLoad(t)
	tests := []struct{ name, want string }{
		{"ammonia", "ammonia"}, {"NH3", "ammonia"}, {"NH₃", "ammonia"}, {"氨", "ammonia"}, {"氨气", "ammonia"},
		{"7664-41-7", "ammonia"}, {" Ammonia ", "ammonia"},
		{"H2S", "hydrogen_sulfide"}, {"Hydrogen sulfide", "hydrogen_sulfide"}, {"硫化氢", "hydrogen_sulfide"},
		{"CH3OH", "methanol"}, {"甲醇", "methanol"}, {"Cl2", "chlorine"}, {"氯气", "chlorine"},
		{"CO", "carbon_monoxide"}, {"carbon-monoxide", "carbon_monoxide"}, {"LPG", "propane"},
		{"天然气", "methane"}, {"COCl2", "phosgene"}, {"O2", "oxygen"}, {"HCl", "hydrogen_chloride"},
	}
	for _, tt := range tests {
		s, err := lib.Get(tt.name)
		if err != nil {
			t.Errorf("Get(%q): %v", tt.name, err)
			continue
		}
		if s.ID != tt.want {
			t.Errorf("Get(%q) = %s, want %s", tt.name, s.ID, tt.want)
		}
	}
	for _, name := range []string{"", "unobtainium", "NH4"} {
		if _, err := lib.Get(name); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) error = %v, want ErrNotFound", name, err)
		}
	}
}

// TestSceneGases: every gas code and substance id the demo scene's
// detectors use (scenes/internal/demogen/detectors.go) resolves.
func TestSceneGases(t *testing.T) {
	lib := mustLoad(t)
	want := map[string]string{
		"CH3OH": "methanol", "H2": "hydrogen", "CH4": "methane", "NH3": "ammonia", "H2S": "hydrogen_sulfide",
		"CO": "carbon_monoxide", "Cl2": "chlorine", "O2": Oxygen,
	}
	for gas, id := range want {
		for _, name := range []string{gas, id} {
			if s, err := lib.Get(name); err != nil || s.ID != id {
				t.Errorf("Get(%q) = %v, %v; want %s", name, s, err, id)
			}
		}
	}
}

func TestParseRejectsBrokenData(t *testing.T) {
	tests := map[string]string{
		"mw_zero":             "not a positive number",
		"lel_above_uel":       "LEL 9",
		"aegl_order":          "AEGL-1 ≤ AEGL-2",
		"no_source":           "no source",
		"missing_as_zero":     "leave a missing value out",
		"cas_check_digit":     "check digit",
		"alias_collision":     `"NH3" names both`,
		"dense_flag":          "dense_gas is false",
		"unknown_field":       "unknown field",
		"no_version":          "no version",
		"verify_without_note": "without a note",
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "broken_"+name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		})
	}
}

func TestParseRejectsTrailingData(t *testing.T) {
	if _, err := Parse(append(append([]byte(nil), embedded...), "{}"...)); !errors.Is(err, ErrInvalid) {
		t.Errorf("error = %v, want ErrInvalid", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(embedded)
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lib, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, s := range lib.All() {
			got, err := lib.Get(s.ID)
			if err != nil || got != s {
				t.Fatalf("Get(%q) = %v, %v", s.ID, got, err)
			}
			if s.MolarMass() <= 0 {
				t.Fatalf("%s: molar mass %v passed validation", s.ID, s.MolarMass())
			}
		}
	})
}

func BenchmarkGet(b *testing.B) {
	lib := mustLoad(b)
	for b.Loop() {
		if _, err := lib.Get("NH₃"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVapourPressure: the Antoine fits put methanol's normal boiling point
// at 1 atm and liquid ammonia at 15 °C near the 620 kPa gauge the demo's
// spheres hold (NIST WebBook fits).
func TestVapourPressure(t *testing.T) {
	lib := Default()
	meoh, _ := lib.Get("methanol")
	if p, ok := meoh.VapourPressurePa(337.8); !ok || math.Abs(p-101325)/101325 > 0.01 {
		t.Errorf("methanol at 337.8 K: %.0f Pa (in range %v)", p, ok)
	}
	if p, ok := meoh.VapourPressurePa(400); ok || !(p > 101325) {
		t.Errorf("methanol at 400 K is outside its fit: %.0f Pa, in range %v", p, ok)
	}
	nh3, _ := lib.Get("ammonia")
	if p, ok := nh3.VapourPressurePa(288.15); !ok || p < 700e3 || p > 740e3 {
		t.Errorf("ammonia at 15 °C: %.0f Pa", p)
	}
	if g, ok := nh3.Gamma.Get(); !ok || g != 1.31 {
		t.Errorf("ammonia γ %v", g)
	}
	cl, _ := lib.Get("chlorine")
	if _, ok := cl.VapourPressurePa(288.15); ok {
		t.Error("chlorine has no Antoine fit in the library yet")
	}
}

// TestParseRejectsBadPhysical: release-model properties are checked.
func TestParseRejectsBadPhysical(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(s map[string]any)
		want string
	}{
		"gamma below 1":          {func(s map[string]any) { s["gamma"] = map[string]any{"value": 0.9, "source": "x"} }, "gamma"},
		"antoine no source":      {func(s map[string]any) { s["antoine"].(map[string]any)["source"] = "" }, "antoine"},
		"antoine empty range":    {func(s map[string]any) { s["antoine"].(map[string]any)["t_max_k"] = 200.0 }, "antoine"},
		"antoine off boiling":    {func(s map[string]any) { s["antoine"].(map[string]any)["a"] = 5.4 }, "boiling point"},
		"density without source": {func(s map[string]any) { s["liquid_density_kg_m3"] = map[string]any{"value": 791} }, "no source"},
	} {
		var doc map[string]any
		if err := json.Unmarshal(embedded, &doc); err != nil {
			t.Fatal(err)
		}
		c.edit(doc["substances"].([]any)[0].(map[string]any)) // methanol
		b, _ := json.Marshal(doc)
		if _, err := Parse(b); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrInvalid mentioning %q", name, err, c.want)
		}
	}
}
