package threat

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

// demoService is a threat service over the embedded demo plant.
func demoService(t *testing.T) (*Service, *twin.Scene) {
	t.Helper()
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := sc.Twin(twin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Scene: ts})
	if err != nil {
		t.Fatal(err)
	}
	return s, ts
}

var drillWeather = &WeatherInput{WindMS: 3, WindFromDeg: 315, Stability: "D"}

// TestTankLiquid: a 50 mm hole at the bottom of methanol tank 1 (level
// 62 % of 11.4 m, 0.5 kPa gauge, 15 °C): Bernoulli with Cd 0.61 gives
// 0.61·791·π·0.025²·√(2·500/791 + 2·9.80665·7.068) = 11.2 kg/s of liquid
// into the dike, whose pool evaporates into the plume.
func TestTankLiquid(t *testing.T) {
	s, ts := demoService(t)
	sc, err := s.WhatIf(WhatIf{ID: "tk1", SourceID: "TK-401", Weather: drillWeather,
		Release: Release{Type: ReleaseTankLiquid, HoleDiameterM: 0.05}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m := sc.Model
	head := 0.62 * 11.4
	want := 0.61 * 791 * math.Pi * 0.025 * 0.025 * math.Sqrt(2*500.0/791+2*9.80665*head)
	if math.Abs(m.HeadM-head) > 1e-9 || math.Abs(m.LiquidRateKgS-want)/want > 1e-3 || m.TemperatureC != 15 || m.GaugePressureKPa != 0.5 {
		t.Errorf("model %+v, want head %.3f m, liquid %.3f kg/s", m, head, want)
	}
	var dike float64
	ts.View(func(tx twin.Tx) { dike = geo.AreaM2(tx.Get("AR-TANK-DIKE").Geometry) })
	if m.PoolAreaM2 != dike || !(m.EvaporationKgS > 0) || !(m.VapourPressureKPa > 9 && m.VapourPressureKPa < 11) {
		t.Errorf("pool %+v (dike %.0f m²; methanol at 15 °C ≈ 9.9 kPa)", m, dike)
	}
	if wantRate := math.Min(m.EvaporationKgS, m.LiquidRateKgS) * 1000; math.Abs(m.RateGS-wantRate) > 1e-9*wantRate || sc.Incident.Source.RateGS != m.RateGS {
		t.Errorf("rate %g g/s, want %g", m.RateGS, wantRate)
	}
	if len(sc.Incident.Zones) == 0 {
		t.Error("no zones")
	}
	t.Logf("TK-401, 50 mm: %.1f kg/s of liquid, drains to the hole in %.0f min; pool %.0f m² evaporates %.2f kg/s → %.0f g/s for %.0f s %v",
		m.LiquidRateKgS, m.DrainTimeS/60, m.PoolAreaM2, m.EvaporationKgS, m.RateGS, m.DurationS, m.Notes)
}

// TestTankGas: a 25 mm hole in the vapour space of an ammonia sphere (620
// kPa gauge, 15 °C) chokes; the ideal-gas choked rate
// Cd·A·P·√(γM/RT·(2/(γ+1))^((γ+1)/(γ−1))) with Cd 1, γ 1.31 is 0.632 kg/s.
// Through a hole in its liquid, liquefied ammonia goes airborne whole.
func TestTankGas(t *testing.T) {
	s, _ := demoService(t)
	sc, err := s.WhatIf(WhatIf{ID: "tk5", SourceID: "TK-405", Weather: drillWeather,
		Release: Release{Type: ReleaseTankGas, HoleDiameterM: 0.025}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	const g, mw, r, tk = 1.31, 0.01703, 8.314462618, 288.15
	p := 620e3 + 101325
	want := math.Pi * 0.0125 * 0.0125 * p * math.Sqrt(g*mw/(r*tk)*math.Pow(2/(g+1), (g+1)/(g-1)))
	if m := sc.Model; !m.Choked || math.Abs(m.GasRateKgS-want)/want > 1e-3 || m.RateGS != m.GasRateKgS*1000 {
		t.Errorf("model %+v, want choked %.4f kg/s", m, want)
	}
	liq, err := s.WhatIf(WhatIf{ID: "tk5l", SourceID: "TK-405", Weather: drillWeather,
		Release: Release{Type: ReleaseTankLiquid, HoleDiameterM: 0.025}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if m := liq.Model; !slices.Contains(m.Notes, "liquefied_gas_all_airborne") || m.RateGS != m.LiquidRateKgS*1000 || m.PoolAreaM2 != 0 {
		t.Errorf("liquefied ammonia: %+v", m)
	}
}

// TestPuddle: a pool's evaporation grows with its area, and the release
// models refuse what they cannot do.
func TestPuddle(t *testing.T) {
	s, _ := demoService(t)
	run := func(rel Release, src string) (Scenario, error) {
		return s.WhatIf(WhatIf{ID: "p", SourceID: src, Substance: "methanol", Weather: drillWeather, Release: rel}, time.Now())
	}
	small, err1 := run(Release{Type: ReleasePuddle, PoolAreaM2: 100}, "P-401A")
	big, err2 := run(Release{Type: ReleasePuddle, PoolAreaM2: 400}, "P-401A")
	if err1 != nil || err2 != nil || !(big.Model.RateGS > 3*small.Model.RateGS) || small.Model.TemperatureC != 20 {
		t.Errorf("100 m²: %+v, 400 m²: %+v (%v %v)", small.Model, big.Model, err1, err2)
	}
	for name, c := range map[string]struct {
		rel Release
		src string
	}{
		"puddle without area":    {Release{Type: ReleasePuddle}, "P-401A"},
		"tank release on a pump": {Release{Type: ReleaseTankLiquid, HoleDiameterM: 0.05}, "P-401A"},
		"no hole":                {Release{Type: ReleaseTankLiquid}, "TK-401"},
		"hole above the liquid":  {Release{Type: ReleaseTankLiquid, HoleDiameterM: 0.05, HoleHeightM: 11}, "TK-401"},
		"gas with no γ":          {Release{Type: ReleaseTankGas, HoleDiameterM: 0.05}, "TK-401"},
		"unknown type":           {Release{Type: "bleve"}, "TK-401"},
	} {
		if _, err := run(c.rel, c.src); !errors.Is(err, ErrWhatIf) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
