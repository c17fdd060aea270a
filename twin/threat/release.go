package threat

import (
	"fmt"
	"math"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Release types of a what-if scenario, ALOHA's source options.
const (
	// ReleaseDirect is a known rate (ALOHA's "direct").
	ReleaseDirect = "direct"
	// ReleaseTankLiquid is liquid through a hole below the liquid level of
	// a scene tank (Bernoulli, Cd 0.61, the head falling as it drains): a
	// liquid that boils below the tank's temperature (a liquefied gas)
	// goes airborne whole — the conservative stand-in for a flashing
	// two-phase jet; any other spreads into a pool (the tank's dike, or
	// pool_area_m2) that evaporates.
	ReleaseTankLiquid = "tank_liquid"
	// ReleaseTankGas is gas through a hole above the liquid (or in a gas
	// holder): choked or unchoked flow at the tank's pressure.
	ReleaseTankGas = "tank_gas"
	// ReleasePuddle is evaporation from a pool of given area.
	ReleasePuddle = "puddle"
)

// SourceModel is what a release model worked out: the rate and duration
// the dispersion gets, and the figures behind them.
type SourceModel struct {
	Type      string  `json:"type"`
	RateGS    float64 `json:"rate_g_s"`   // into the air
	DurationS float64 `json:"duration_s"` // 0: continuous (an hour or more)
	// Tank figures: liquid head above the hole, gauge pressure and
	// temperature used (live state before scene properties).
	HeadM            float64 `json:"head_m,omitempty"`
	GaugePressureKPa float64 `json:"gauge_pressure_kpa,omitempty"`
	TemperatureC     float64 `json:"temperature_c"`
	// Liquid through the hole: the initial rate and the time to drain to
	// the hole.
	LiquidRateKgS float64 `json:"liquid_rate_kg_s,omitempty"`
	DrainTimeS    float64 `json:"drain_time_s,omitempty"`
	// Pool: its area, the liquid's vapour pressure and the evaporation rate.
	PoolAreaM2        float64 `json:"pool_area_m2,omitempty"`
	VapourPressureKPa float64 `json:"vapour_pressure_kpa,omitempty"`
	EvaporationKgS    float64 `json:"evaporation_kg_s,omitempty"`
	// Gas through the hole.
	GasRateKgS float64 `json:"gas_rate_kg_s,omitempty"`
	Choked     bool    `json:"choked,omitempty"`
	// Notes say where the model simplified: "liquefied_gas_all_airborne",
	// "pool_limited_by_spill" (the pool evaporates what the hole feeds it).
	Notes []string `json:"notes,omitempty"`
}

// defaultTempC is the temperature of a pool or tank that gives none.
const defaultTempC = 20.0

// sourceModel works out the rate of a what-if release at src (nil for a
// point) in wind u, m/s.
func (s *Service) sourceModel(rel Release, src *twin.Entity, sub *substance.Substance, u float64, dikeAreaM2 float64) (SourceModel, error) {
	bad := func(format string, a ...any) (SourceModel, error) {
		return SourceModel{}, fmt.Errorf("%w: %s release: "+format, append([]any{ErrWhatIf, rel.Type}, a...)...)
	}
	m := SourceModel{Type: rel.Type, TemperatureC: defaultTempC, DurationS: rel.DurationS}
	if rel.TemperatureC != nil {
		m.TemperatureC = *rel.TemperatureC
	} else if src != nil {
		m.TemperatureC = tankValue(src, "temperature_c", defaultTempC)
	}
	if !(m.TemperatureC > -100 && m.TemperatureC < 400) {
		return bad("temperature %g °C", m.TemperatureC)
	}
	tempK := m.TemperatureC + substance.ZeroCelsiusK
	switch rel.Type {
	case ReleaseDirect:
		m.RateGS = rel.RateGS
		return m, nil
	case ReleasePuddle:
		if !(rel.PoolAreaM2 > 0) {
			return bad("pool_area_m2 %g (want > 0)", rel.PoolAreaM2)
		}
		return s.puddle(m, rel.PoolAreaM2, sub, u, tempK)
	case ReleaseTankLiquid, ReleaseTankGas:
	default:
		return bad("unknown type (want direct, tank_liquid, tank_gas or puddle)")
	}
	if src == nil || src.Kind != twin.KindTank {
		return bad("needs a tank as source_id")
	}
	if !(rel.HoleDiameterM > 0 && rel.HoleDiameterM < 2) {
		return bad("hole_diameter_m %g (want 0–2 m)", rel.HoleDiameterM)
	}
	m.GaugePressureKPa = tankValue(src, "pressure_kpa", 0)
	if rel.Type == ReleaseTankGas {
		g, ok := sub.Gamma.Get()
		if !ok {
			return bad("the library has no γ for %s", sub.ID)
		}
		h := plume.GasHole{HoleDiameterM: rel.HoleDiameterM, Cd: plume.GasCd, Gamma: g, MolarMassGMol: sub.MolarMass(),
			PressurePa: m.GaugePressureKPa*1000 + atmospherePa, TempK: tempK}
		rate, err := h.RateKgS()
		if err != nil {
			return bad("%v", err)
		}
		m.GasRateKgS, m.Choked, m.RateGS = rate, h.Choked(), rate*1000
		if !(m.RateGS > 0) {
			return bad("the tank is not above ambient pressure (%g kPa gauge)", m.GaugePressureKPa)
		}
		return m, nil
	}
	rho, ok := sub.LiquidDensity.Get()
	if !ok {
		return bad("the library has no liquid density for %s", sub.ID)
	}
	level, height, radius := tankValue(src, "level_pct", math.NaN()), src.Height, src.Float("radius_m", 0)
	m.HeadM = level/100*height - math.Max(0, rel.HoleHeightM)
	if !(m.HeadM > 0) || !(radius > 0) {
		return bad("no liquid above the hole (level %g %% of %g m, hole at %g m, radius %g m)", level, height, rel.HoleHeightM, radius)
	}
	h := plume.LiquidHole{HoleDiameterM: rel.HoleDiameterM, Cd: plume.LiquidCd, DensityKgM3: rho,
		GaugePressurePa: m.GaugePressureKPa * 1000, HeadM: m.HeadM, TankAreaM2: math.Pi * radius * radius}
	liquid, err := h.RateKgS()
	if err != nil {
		return bad("%v", err)
	}
	drain, err := h.DrainTimeS()
	if err != nil {
		return bad("%v", err)
	}
	m.LiquidRateKgS, m.DrainTimeS = liquid, drain
	if tb, ok := sub.BoilingPoint.Get(); ok && tempK >= tb {
		m.RateGS = liquid * 1000
		m.Notes = append(m.Notes, "liquefied_gas_all_airborne")
		if m.DurationS == 0 && drain < MaxReleaseS {
			m.DurationS = drain
		}
		return m, nil
	}
	area := rel.PoolAreaM2
	if !(area > 0) {
		area = dikeAreaM2
	}
	if !(area > 0) {
		return bad("the tank has no dike: give pool_area_m2")
	}
	m, err = s.puddle(m, area, sub, u, tempK)
	if err != nil {
		return m, err
	}
	if m.EvaporationKgS > liquid {
		m.RateGS = liquid * 1000 // the pool cannot outrun the spill feeding it
		m.Notes = append(m.Notes, "pool_limited_by_spill")
	}
	if m.DurationS == 0 && drain < MaxReleaseS {
		m.DurationS = drain // the spill stops; the pool left over is not followed
	}
	return m, nil
}

// puddle fills m with the evaporation of a pool of area m² at tempK in wind
// u (a pool kept full: ALOHA's puddle of unlimited depth).
func (s *Service) puddle(m SourceModel, area float64, sub *substance.Substance, u, tempK float64) (SourceModel, error) {
	psat, ok := sub.VapourPressurePa(tempK)
	if sub.Antoine == nil {
		return m, fmt.Errorf("%w: the library has no vapour pressure for %s", ErrWhatIf, sub.ID)
	}
	if !ok {
		return m, fmt.Errorf("%w: %.1f °C is outside %s's vapour-pressure fit", ErrWhatIf, tempK-substance.ZeroCelsiusK, sub.ID)
	}
	p := plume.Puddle{AreaM2: area, WindMS: u, TempK: tempK, VapourPressurePa: psat, MolarMassGMol: sub.MolarMass(), HighVolatility: true}
	rate, err := p.RateKgS()
	if err != nil {
		return m, fmt.Errorf("%w: pool: %v", ErrWhatIf, err)
	}
	m.PoolAreaM2, m.VapourPressureKPa, m.EvaporationKgS, m.RateGS = area, psat/1000, rate, rate*1000
	return m, nil
}

// tankValue reads a tank figure: the live state first (a level or pressure
// transmitter), else the scene property, else def.
func tankValue(e *twin.Entity, key string, def float64) float64 {
	if v, ok := twin.AsFloat(e.State[key]); ok && !math.IsNaN(v) {
		return v
	}
	return e.Float(key, def)
}

// dikeArea is the area, m², of the dike (an area entity) a tank names.
func dikeArea(tx twin.Tx, tank *twin.Entity) float64 {
	id := tank.String("dike")
	if id == "" {
		return 0
	}
	d := tx.Get(id)
	if d == nil || d.Geometry == nil {
		return 0
	}
	return geo.AreaM2(d.Geometry)
}
