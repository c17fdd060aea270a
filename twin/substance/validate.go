package substance

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// AirMolarMass is the mean molar mass of dry air, g/mol (US Standard
// Atmosphere 1976: 28.9644); gases heavier than this are dense gases.
const AirMolarMass = 28.96

var (
	idPattern  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	casPattern = regexp.MustCompile(`^[0-9]{2,7}-[0-9]{2}-[0-9]$`)
)

// validate checks the whole file; the first problem found is returned,
// wrapping ErrInvalid and naming the substance.
func (f *file) validate() error {
	if strings.TrimSpace(f.Version) == "" {
		return fmt.Errorf("%w: no version", ErrInvalid)
	}
	if len(f.Substances) == 0 {
		return fmt.Errorf("%w: no substances", ErrInvalid)
	}
	for i, s := range f.Substances {
		if s == nil {
			return fmt.Errorf("%w: substance %d is null", ErrInvalid, i)
		}
		if err := s.validate(); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, s.ID, err)
		}
	}
	return nil
}

func (s *Substance) validate() error {
	switch {
	case !idPattern.MatchString(s.ID):
		return fmt.Errorf("id %q is not a lowercase key", s.ID)
	case s.NameZh == "" || s.NameEn == "" || s.Formula == "":
		return fmt.Errorf("name_zh, name_en and formula are required")
	case !validCAS(s.CAS):
		return fmt.Errorf("CAS number %q is malformed or fails its check digit", s.CAS)
	case s.MW == nil:
		return fmt.Errorf("mw_g_mol is required")
	case s.Verify && strings.TrimSpace(s.Note) == "":
		return fmt.Errorf("verify is set without a note saying what to verify")
	}
	for name, q := range s.quantities() {
		if err := q.validate(); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
	}
	if err := s.validateOrder(); err != nil {
		return err
	}
	if err := s.validatePhysical(); err != nil {
		return err
	}
	return s.validateDense()
}

// quantities lists the present values by JSON name.
func (s *Substance) quantities() map[string]*Quantity {
	all := map[string]*Quantity{
		"mw_g_mol": s.MW, "lel_pct_vol": s.LEL, "uel_pct_vol": s.UEL, "idlh_ppm": s.IDLH,
		"aegl1_ppm": s.AEGL1, "aegl2_ppm": s.AEGL2, "aegl3_ppm": s.AEGL3,
		"erpg1_ppm": s.ERPG1, "erpg2_ppm": s.ERPG2, "erpg3_ppm": s.ERPG3,
		"pac1_ppm": s.PAC1, "pac2_ppm": s.PAC2, "pac3_ppm": s.PAC3,
		"mac_mg_m3": s.MAC, "pc_twa_mg_m3": s.TWA, "pc_stel_mg_m3": s.STEL,
		"q_t": s.Q, "beta": s.Beta,
		"liquid_density_kg_m3": s.LiquidDensity, "boiling_point_k": s.BoilingPoint, "gamma": s.Gamma,
	}
	for k, q := range all {
		if q == nil {
			delete(all, k)
		}
	}
	return all
}

// validate: every present value is a finite positive number with a source.
func (q *Quantity) validate() error {
	if math.IsNaN(q.Value) || math.IsInf(q.Value, 0) || q.Value <= 0 {
		return fmt.Errorf("value %v is not a positive number (leave a missing value out)", q.Value)
	}
	if strings.TrimSpace(q.Source) == "" {
		return fmt.Errorf("value %v has no source", q.Value)
	}
	return nil
}

// validateOrder checks the orderings the definitions imply.
func (s *Substance) validateOrder() error {
	if lel, ok := s.LEL.Get(); ok {
		uel, hasUEL := s.UEL.Get()
		if hasUEL && lel >= uel || lel >= 100 || uel > 100 {
			return fmt.Errorf("LEL %v %%vol must be below UEL %v %%vol and 100", lel, uel)
		}
	}
	tiers := []struct {
		name            string
		one, two, three *Quantity
	}{{"AEGL", s.AEGL1, s.AEGL2, s.AEGL3}, {"ERPG", s.ERPG1, s.ERPG2, s.ERPG3}, {"PAC", s.PAC1, s.PAC2, s.PAC3}}
	for _, t := range tiers {
		if !ascending(t.one, t.two, t.three) {
			return fmt.Errorf("%s-1 ≤ %s-2 ≤ %s-3 does not hold", t.name, t.name, t.name)
		}
	}
	if !ascending(s.TWA, s.STEL) {
		return fmt.Errorf("PC-TWA exceeds PC-STEL")
	}
	return nil
}

// ascending reports whether the present values never decrease.
func ascending(qs ...*Quantity) bool {
	last := math.Inf(-1)
	for _, q := range qs {
		if v, ok := q.Get(); ok {
			if v < last {
				return false
			}
			last = v
		}
	}
	return true
}

// validateDense checks the dense-gas flag against the package rule: dense
// when heavier than air, or lighter with a stated storage reason.
func (s *Substance) validateDense() error {
	heavier := s.MW.Value > AirMolarMass
	switch {
	case strings.TrimSpace(s.DenseGasBasis) == "":
		return fmt.Errorf("dense_gas_basis is required")
	case heavier && !s.DenseGas:
		return fmt.Errorf("molar mass %v g/mol exceeds air's %v but dense_gas is false", s.MW.Value, AirMolarMass)
	}
	return nil
}

// validCAS checks the form and the check digit of a CAS registry number:
// the last digit is the sum of the other digits, each multiplied by its
// position counted from the right, modulo 10.
func validCAS(cas string) bool {
	if !casPattern.MatchString(cas) {
		return false
	}
	digits := strings.ReplaceAll(cas, "-", "")
	check, _ := strconv.Atoi(digits[len(digits)-1:])
	sum := 0
	for i, pos := len(digits)-2, 1; i >= 0; i, pos = i-1, pos+1 {
		sum += int(digits[i]-'0') * pos
	}
	return sum%10 == check
}

// validatePhysical checks the release-model properties: γ of a gas is
// between 1 and 5/3 (monatomic), an Antoine fit has a source and a range in
// which it gives a finite positive pressure, and the fit puts the normal
// boiling point (101.325 kPa) within 5 % when both are given.
func (s *Substance) validatePhysical() error {
	if g, ok := s.Gamma.Get(); ok && !(g > 1 && g <= 5.0/3) {
		return fmt.Errorf("gamma %v: want 1 < γ ≤ 5/3", g)
	}
	a := s.Antoine
	if a == nil {
		return nil
	}
	if strings.TrimSpace(a.Source) == "" || !(a.TMinK > 0 && a.TMaxK > a.TMinK) {
		return fmt.Errorf("antoine: a source and a range t_min_k < t_max_k are required")
	}
	for _, t := range []float64{a.TMinK, a.TMaxK} {
		if p, _ := a.PressurePa(t); !(p > 0) || math.IsInf(p, 1) || !(t+a.C > 0) {
			return fmt.Errorf("antoine: no finite pressure at %v K", t)
		}
	}
	if tb, ok := s.BoilingPoint.Get(); ok && tb >= a.TMinK && tb <= a.TMaxK {
		if p, _ := a.PressurePa(tb); math.Abs(p-101325)/101325 > 0.05 {
			return fmt.Errorf("antoine: %.0f Pa at the boiling point %v K, want 101325 within 5 %%", p, tb)
		}
	}
	return nil
}
