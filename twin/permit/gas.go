package permit

import (
	"fmt"
	"math"

	"github.com/chemtwin/chemtwin/twin/substance"
)

// Verdict is a gas analysis held against the pass rule.
type Verdict struct {
	Pass bool `json:"pass"`
	// Limit and Unit are the bound the value was held to (the upper
	// bound; for oxygen both bounds, Min and Limit).
	Min   float64        `json:"min,omitempty"`
	Limit float64        `json:"limit"`
	Unit  substance.Unit `json:"unit"`
	// Value is the analysis in Unit.
	Value float64 `json:"value"`
	// Rule names the rule applied: "lel_ge_split", "lel_lt_split",
	// "oxygen", "oxygen_enriched", "oel".
	Rule string `json:"rule"`
}

// CheckGas holds one gas analysis of sub (value in unit) against the pass
// rule of GB 30871-2022 (Rules.GasPass): a combustible gas whose LEL is at
// least the split (4 %vol) passes at ≤ 0.5 %vol, one below it at
// ≤ 0.2 %vol; oxygen passes within 19.5–21 %vol, or up to 23.5 %vol where
// the air is enriched (enriched true); a gas that is only toxic passes at
// or below its GBZ 2.1 limit (the MAC, else the PC-TWA), as the
// standard asks toxic concentrations to meet GBZ 2.1. A substance both
// combustible and toxic must pass both; the verdict is the stricter
// failing one, else the combustible one.
func (r *Rules) CheckGas(sub *substance.Substance, value float64, unit substance.Unit, enriched bool) (Verdict, error) {
	if sub == nil || math.IsNaN(value) || math.IsInf(value, 0) || value < 0 {
		return Verdict{}, fmt.Errorf("%w gas analysis: substance %v, value %v", ErrUnknown, sub != nil, value)
	}
	vm := substance.MolarVolume20C
	g := r.GasPass
	if sub.ID == substance.Oxygen {
		v, err := sub.Convert(value, unit, substance.PctVol, vm)
		if err != nil {
			return Verdict{}, err
		}
		hi, rule := g.OxygenMaxPctVol, "oxygen"
		if enriched {
			hi, rule = g.OxygenEnrichedMaxPctVol, "oxygen_enriched"
		}
		return Verdict{Pass: v >= g.OxygenMinPctVol && v <= hi, Min: g.OxygenMinPctVol, Limit: hi, Unit: substance.PctVol, Value: v, Rule: rule}, nil
	}
	var out []Verdict
	if lel, ok := sub.LEL.Get(); ok {
		v, err := sub.Convert(value, unit, substance.PctVol, vm)
		if err != nil {
			return Verdict{}, err
		}
		limit, rule := g.MaxPctVolHighLEL, "lel_ge_split"
		if lel < g.LELSplitPctVol {
			limit, rule = g.MaxPctVolLowLEL, "lel_lt_split"
		}
		out = append(out, Verdict{Pass: v <= limit, Limit: limit, Unit: substance.PctVol, Value: v, Rule: rule})
	}
	if oel, _, ok := sub.OEL(substance.MACElseTWA); ok {
		v, err := sub.Convert(value, unit, substance.MgM3, vm)
		if err != nil {
			return Verdict{}, err
		}
		out = append(out, Verdict{Pass: v <= oel, Limit: oel, Unit: substance.MgM3, Value: v, Rule: "oel"})
	}
	if len(out) == 0 {
		return Verdict{}, fmt.Errorf("%w gas rule for %s: neither an LEL nor a GBZ 2.1 limit", ErrUnknown, sub.ID)
	}
	for _, v := range out {
		if !v.Pass {
			return v, nil
		}
	}
	return out[0], nil
}
