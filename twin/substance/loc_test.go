package substance

import (
	"reflect"
	"testing"
)

// level is a Concern without its source, for comparison.
type level struct {
	Level     int
	PPM       float64
	Guideline string
}

func levels(cs []Concern) []level {
	var out []level
	for _, c := range cs {
		if c.Source == "" {
			return []level{{-1, 0, "missing source on " + c.Guideline}}
		}
		out = append(out, level{c.Level, c.PPM, c.Guideline})
	}
	return out
}

func TestLOC(t *testing.T) {
	q := func(v float64) *Quantity { return &Quantity{v, "test"} }
	tests := []struct {
		name       string
		s          *Substance
		toxic, fla []level
	}{
		{"ammonia: AEGL and flammable", mustGet(t, "ammonia"),
			[]level{{Red, 1100, "AEGL-3 (60 min)"}, {Orange, 160, "AEGL-2 (60 min)"}, {Yellow, 30, "AEGL-1 (60 min)"}},
			// LEL 15 %vol: 60 % → 9 %vol, 10 % → 1.5 %vol.
			[]level{{Red, 90000, "60 % LEL"}, {Yellow, 15000, "10 % LEL"}}},
		// CO has AEGL-2/3 only; its ERPG-1 (200 ppm) is not mixed in.
		{"carbon monoxide: no AEGL-1", mustGet(t, "CO"),
			[]level{{Red, 330, "AEGL-3 (60 min)"}, {Orange, 83, "AEGL-2 (60 min)"}},
			[]level{{Red, 75000, "60 % LEL"}, {Yellow, 12500, "10 % LEL"}}},
		{"chlorine: not flammable", mustGet(t, "Cl2"),
			[]level{{Red, 20, "AEGL-3 (60 min)"}, {Orange, 2, "AEGL-2 (60 min)"}, {Yellow, 0.5, "AEGL-1 (60 min)"}}, nil},
		// Propane: no guideline tier, IDLH 2100 ppm as the orange level.
		{"propane: IDLH only", mustGet(t, "propane"),
			[]level{{Orange, 2100, "IDLH"}},
			[]level{{Red, 12600, "60 % LEL"}, {Yellow, 2100, "10 % LEL"}}},
		{"hydrogen: flammable only", mustGet(t, "H2"), nil,
			[]level{{Red, 24000, "60 % LEL"}, {Yellow, 4000, "10 % LEL"}}},
		{"ERPG when no AEGL", &Substance{ERPG1: q(1), ERPG2: q(3), ERPG3: q(20), PAC1: q(0.5), IDLH: q(10)},
			[]level{{Red, 20, "ERPG-3"}, {Orange, 3, "ERPG-2"}, {Yellow, 1, "ERPG-1"}}, nil},
		{"PAC when no AEGL or ERPG", &Substance{PAC2: q(3), PAC3: q(20), IDLH: q(10)},
			[]level{{Red, 20, "PAC-3"}, {Orange, 3, "PAC-2"}}, nil},
		{"nothing", &Substance{}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := LOC(tt.s)
			if got := levels(c.Toxic); !reflect.DeepEqual(got, tt.toxic) {
				t.Errorf("toxic = %v, want %v", got, tt.toxic)
			}
			if got := levels(c.Flammable); !nearLevels(got, tt.fla) {
				t.Errorf("flammable = %v, want %v", got, tt.fla)
			}
		})
	}
}

// nearLevels compares levels with a relative tolerance of 1e-9 on PPM,
// as %LEL fractions are not exact in binary.
func nearLevels(got, want []level) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Level != want[i].Level || got[i].Guideline != want[i].Guideline || !near(got[i].PPM, want[i].PPM, 1e-9) {
			return false
		}
	}
	return true
}

func BenchmarkLOC(b *testing.B) {
	s := mustGet(b, "ammonia")
	for b.Loop() {
		_ = LOC(s)
	}
}
