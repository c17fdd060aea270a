package substance

import "math"

// Quantity is one number from the library with the source it was taken
// from. A nil *Quantity is a value the sources do not give.
type Quantity struct {
	Value  float64 `json:"value"`
	Source string  `json:"source"`
}

// Get returns the value and whether it is present; it is safe on nil.
func (q *Quantity) Get() (float64, bool) {
	if q == nil {
		return 0, false
	}
	return q.Value, true
}

// Substance is one chemical of the library. The library's substances are
// shared between goroutines: read them, never modify them. Concentrations are ppm (by
// volume) for the emergency guidelines, mg/m³ (at 20 °C) for the Chinese
// occupational exposure limits and %vol for the flammability limits.
type Substance struct {
	// ID is the stable lowercase key, e.g. "ammonia", "hydrogen_sulfide".
	ID      string   `json:"id"`
	NameZh  string   `json:"name_zh"`
	NameEn  string   `json:"name_en"`
	CAS     string   `json:"cas"`
	Formula string   `json:"formula"`
	Aliases []string `json:"aliases,omitempty"`

	// MW is the molar mass, g/mol; always present.
	MW *Quantity `json:"mw_g_mol"`
	// LEL and UEL are the lower and upper explosive limits, %vol.
	LEL *Quantity `json:"lel_pct_vol,omitempty"`
	UEL *Quantity `json:"uel_pct_vol,omitempty"`
	// IDLH is NIOSH's immediately-dangerous-to-life-or-health level, ppm.
	IDLH *Quantity `json:"idlh_ppm,omitempty"`
	// AEGL1..3 are the 60-minute Acute Exposure Guideline Levels, ppm.
	AEGL1 *Quantity `json:"aegl1_ppm,omitempty"`
	AEGL2 *Quantity `json:"aegl2_ppm,omitempty"`
	AEGL3 *Quantity `json:"aegl3_ppm,omitempty"`
	// ERPG1..3 are AIHA's Emergency Response Planning Guidelines, ppm.
	ERPG1 *Quantity `json:"erpg1_ppm,omitempty"`
	ERPG2 *Quantity `json:"erpg2_ppm,omitempty"`
	ERPG3 *Quantity `json:"erpg3_ppm,omitempty"`
	// PAC1..3 are DOE's Protective Action Criteria, ppm.
	PAC1 *Quantity `json:"pac1_ppm,omitempty"`
	PAC2 *Quantity `json:"pac2_ppm,omitempty"`
	PAC3 *Quantity `json:"pac3_ppm,omitempty"`
	// MAC, TWA and STEL are the GBZ 2.1-2019 occupational exposure limits
	// (maximum allowable, 8 h time-weighted average, 15 min short-term),
	// mg/m³.
	MAC  *Quantity `json:"mac_mg_m3,omitempty"`
	TWA  *Quantity `json:"pc_twa_mg_m3,omitempty"`
	STEL *Quantity `json:"pc_stel_mg_m3,omitempty"`
	// Q is the GB 18218-2018 critical quantity, t; Beta its correction
	// factor β.
	Q    *Quantity `json:"q_t,omitempty"`
	Beta *Quantity `json:"beta,omitempty"`

	// Physical properties the release models need (geo/plume LiquidHole,
	// GasHole, Puddle): the liquid's density (at 20 °C, or at the
	// temperature the source names), the normal boiling point, the gas's
	// ratio of specific heats γ, and the vapour pressure by Antoine.
	LiquidDensity *Quantity `json:"liquid_density_kg_m3,omitempty"`
	BoilingPoint  *Quantity `json:"boiling_point_k,omitempty"`
	Gamma         *Quantity `json:"gamma,omitempty"`
	Antoine       *Antoine  `json:"antoine,omitempty"`

	// DenseGas is set when a release forms a cloud denser than air; see
	// the package documentation for the rule and DenseGasBasis for why.
	DenseGas      bool   `json:"dense_gas"`
	DenseGasBasis string `json:"dense_gas_basis"`
	// Verify marks an entry with values still to be checked against the
	// primary tables; Note says which.
	Verify bool   `json:"verify,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Oxygen is the ID of oxygen, which detectors watch for deficiency and
// enrichment rather than against a toxic or flammable limit.
const Oxygen = "oxygen"

// MolarMass returns the molar mass in g/mol.
func (s *Substance) MolarMass() float64 { return s.MW.Value }

// Combustible reports whether the substance has a lower explosive limit.
func (s *Substance) Combustible() bool { return s.LEL != nil }

// Toxic reports whether the substance has an occupational exposure limit
// or an IDLH.
func (s *Substance) Toxic() bool {
	return s.MAC != nil || s.TWA != nil || s.STEL != nil || s.IDLH != nil
}

// OELBasis chooses which GBZ 2.1 limit toxic-gas setpoints are based on.
type OELBasis int

const (
	// MACElseTWA uses the MAC where one exists, else the PC-TWA: common
	// vendor practice (REFERENCE §6) and the default.
	MACElseTWA OELBasis = iota
	// TWAElseMAC uses the PC-TWA where one exists, else the MAC.
	TWAElseMAC
	// STELElseMAC uses the PC-STEL where one exists, else the MAC, else
	// the PC-TWA.
	STELElseMAC
)

// OEL returns the occupational exposure limit in mg/m³ chosen by b, the
// name of the limit used ("MAC", "PC-TWA" or "PC-STEL") and whether the
// substance has one.
func (s *Substance) OEL(b OELBasis) (mgM3 float64, name string, ok bool) {
	order := []string{"MAC", "PC-TWA"}
	switch b {
	case TWAElseMAC:
		order = []string{"PC-TWA", "MAC"}
	case STELElseMAC:
		order = []string{"PC-STEL", "MAC", "PC-TWA"}
	}
	for _, n := range order {
		if v, ok := s.oel(n).Get(); ok {
			return v, n, true
		}
	}
	return 0, "", false
}

func (s *Substance) oel(name string) *Quantity {
	switch name {
	case "MAC":
		return s.MAC
	case "PC-TWA":
		return s.TWA
	}
	return s.STEL
}

// Antoine is a vapour-pressure fit in the NIST WebBook's form,
// log₁₀(P/bar) = A − B/(T + C) with T in kelvin, valid over [TMinK, TMaxK].
type Antoine struct {
	A      float64 `json:"a"`
	B      float64 `json:"b"`
	C      float64 `json:"c"`
	TMinK  float64 `json:"t_min_k"`
	TMaxK  float64 `json:"t_max_k"`
	Source string  `json:"source"`
}

// PressurePa returns the vapour pressure at tempK, Pa, and whether tempK
// lies within the fit's range (the value is returned either way).
func (a *Antoine) PressurePa(tempK float64) (float64, bool) {
	return 1e5 * math.Pow(10, a.A-a.B/(tempK+a.C)), tempK >= a.TMinK && tempK <= a.TMaxK
}

// VapourPressurePa returns the substance's vapour pressure at tempK by its
// Antoine fit; ok is false without one or outside the fit's range.
func (s *Substance) VapourPressurePa(tempK float64) (float64, bool) {
	if s.Antoine == nil {
		return 0, false
	}
	return s.Antoine.PressurePa(tempK)
}
