package substance

// Threat-zone levels, ALOHA's colours (REFERENCE §8).
const (
	Red    = 3 // life-threatening: AEGL-3, ERPG-3, PAC-3; 60 % LEL
	Orange = 2 // escape-impairing: AEGL-2, ERPG-2, PAC-2; IDLH
	Yellow = 1 // discomfort: AEGL-1, ERPG-1, PAC-1; 10 % LEL
)

// Flammable levels of concern as fractions of the LEL, ALOHA's defaults
// (REFERENCE §8): 60 % LEL where flame pockets can occur, 10 % LEL as
// the common alarm level.
const (
	FlammableRedLEL    = 0.60
	FlammableYellowLEL = 0.10
)

// Concern is one level of concern: a threat-zone threshold in ppm and the
// guideline it comes from.
type Concern struct {
	Level     int // Red, Orange or Yellow
	PPM       float64
	Guideline string // e.g. "AEGL-3 (60 min)", "ERPG-2", "IDLH", "60 % LEL"
	Source    string // the library value's source
}

// Concerns are a substance's levels of concern, each list ordered from
// red to yellow and holding only the levels the substance has.
type Concerns struct {
	Toxic     []Concern
	Flammable []Concern
}

// tier is one three-level guideline family.
type tier struct {
	name, suffix string
	levels       [3]*Quantity // level 1, 2, 3
}

// LOC returns the levels of concern for threat zones. The toxic levels
// come from the first guideline family the substance has any value in,
// in ALOHA's default order AEGL (60 min) → ERPG → PAC; a level that
// family leaves undefined (carbon monoxide's AEGL-1) stays empty, as in
// ALOHA, rather than being mixed in from a lower family. A substance with
// none of them but an IDLH gets the IDLH as its single orange level: the
// IDLH is the level a worker can escape from without irreversible harm,
// the escape-impairment tier. Flammable levels are 60 % and 10 % of the
// LEL. A nil substance has no levels.
func LOC(s *Substance) Concerns {
	var c Concerns
	if s == nil {
		return c
	}
	tiers := []tier{
		{"AEGL", " (60 min)", [3]*Quantity{s.AEGL1, s.AEGL2, s.AEGL3}},
		{"ERPG", "", [3]*Quantity{s.ERPG1, s.ERPG2, s.ERPG3}},
		{"PAC", "", [3]*Quantity{s.PAC1, s.PAC2, s.PAC3}},
	}
	for _, t := range tiers {
		c.Toxic = t.concerns()
		if len(c.Toxic) > 0 {
			break
		}
	}
	if v, ok := s.IDLH.Get(); ok && len(c.Toxic) == 0 {
		c.Toxic = []Concern{{Orange, v, "IDLH", s.IDLH.Source}}
	}
	if lel, ok := s.LEL.Get(); ok {
		c.Flammable = []Concern{
			{Red, PctVolToPPM(FlammableRedLEL * lel), "60 % LEL", s.LEL.Source},
			{Yellow, PctVolToPPM(FlammableYellowLEL * lel), "10 % LEL", s.LEL.Source},
		}
	}
	return c
}

func (t tier) concerns() []Concern {
	var out []Concern
	for level := Red; level >= Yellow; level-- {
		if q := t.levels[level-1]; q != nil {
			name := t.name + "-" + string(rune('0'+level)) + t.suffix
			out = append(out, Concern{level, q.Value, name, q.Source})
		}
	}
	return out
}
