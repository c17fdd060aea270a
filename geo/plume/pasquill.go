package plume

import (
	"fmt"
	"math"
)

// Insolation is the daytime incoming solar radiation category of the
// Pasquill table.
type Insolation uint8

// Daytime insolation categories (Pasquill 1961, as tabulated by Turner 1970).
const (
	Strong   Insolation = iota + 1 // sun elevation > 60° in clear sky
	Moderate                       // 35°–60°
	Slight                         // 15°–35° (Turner's "weak" class is folded in here)
)

// Conditions are the inputs of the Pasquill stability table.
type Conditions struct {
	// WindMS is the wind speed at 10 m, m/s.
	WindMS float64
	// Night selects the night columns; Insolation is then ignored.
	Night bool
	// Insolation is the daytime category; required unless Night or Overcast.
	Insolation Insolation
	// CloudOctas is the night cloud cover in eighths (0..8): ≥ 4 uses the
	// "≥ 4/8 low cloud" column, ≤ 3 the "≤ 3/8" column.
	CloudOctas int
	// Overcast (thick overcast, day or night) forces class D.
	Overcast bool
}

// ClassRange is one cell of the Pasquill table. Most cells hold a single
// class (Unstable == Stable); the intermediate cells A–B, B–C and C–D hold
// two adjacent classes.
type ClassRange struct {
	Unstable, Stable Stability
}

// Class resolves the cell to a single class by the documented rule of this
// package: an intermediate cell takes its more unstable class (A–B → A,
// B–C → B, C–D → C), following the order in which Pasquill lists them. A
// caller that wants the conservative choice for ground-level releases (the
// more stable class gives longer ground-level zones) uses Stable instead.
func (r ClassRange) Class() Stability { return r.Unstable }

// String returns "B" or "A-B".
func (r ClassRange) String() string {
	if r.Unstable == r.Stable {
		return r.Unstable.String()
	}
	return r.Unstable.String() + "-" + r.Stable.String()
}

// pasquillTable is Pasquill's (1961) table as reproduced in Turner (1970)
// Table 1 and REFERENCE §8. Rows: 10 m wind < 2, 2–3, 3–5, 5–6, ≥ 6 m/s.
// Columns: day strong, moderate, slight; night ≥ 4/8 cloud, ≤ 3/8 cloud.
// The night cells below 2 m/s are blank in Pasquill's original and printed
// "(E)", "(F)" in later reprints; they are returned as E and F.
var pasquillTable = [5][5]ClassRange{
	{{A, A}, {A, B}, {B, B}, {E, E}, {F, F}},
	{{A, B}, {B, B}, {C, C}, {E, E}, {F, F}},
	{{B, B}, {B, C}, {C, C}, {D, D}, {E, E}},
	{{C, C}, {C, D}, {D, D}, {D, D}, {D, D}},
	{{C, C}, {D, D}, {D, D}, {D, D}, {D, D}},
}

// Wind-speed row limits of the Pasquill table, m/s. A speed equal to a limit
// belongs to the higher row (2 m/s is in "2–3").
var pasquillWindLimitsMS = [4]float64{2, 3, 5, 6}

// Pasquill looks up the stability cell for the given conditions.
func Pasquill(c Conditions) (ClassRange, error) {
	if !(c.WindMS >= 0) || math.IsInf(c.WindMS, 0) {
		return ClassRange{}, fmt.Errorf("%w: wind %g m/s", ErrInput, c.WindMS)
	}
	if c.Overcast {
		return ClassRange{D, D}, nil
	}
	row := 0
	for row < len(pasquillWindLimitsMS) && c.WindMS >= pasquillWindLimitsMS[row] {
		row++
	}
	var col int
	switch {
	case c.Night && (c.CloudOctas < 0 || c.CloudOctas > 8):
		return ClassRange{}, fmt.Errorf("%w: cloud cover %d octas (want 0..8)", ErrInput, c.CloudOctas)
	case c.Night && c.CloudOctas >= 4:
		col = 3
	case c.Night:
		col = 4
	case c.Insolation >= Strong && c.Insolation <= Slight:
		col = int(c.Insolation - Strong)
	default:
		return ClassRange{}, fmt.Errorf("%w: daytime insolation %d not set", ErrInput, c.Insolation)
	}
	return pasquillTable[row][col], nil
}
