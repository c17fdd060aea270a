package plume_test

import (
	"fmt"

	"github.com/chemtwin/chemtwin/geo/plume"
)

// Crowl & Louvar Example 5-1: 80 g/s of SO2 from a 60 m stack, 6 m/s wind,
// class D, ground-level centreline 500 m downwind.
func ExamplePlume_Concentration() {
	p := plume.Plume{RateGS: 80, WindMS: 6, HeightM: 60, Stability: plume.D, Sigma: plume.BriggsRural}
	s, err := p.Concentration(500, 0, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("C %.3g g/m³, σy %.1f m, σz %.1f m\n", s.ConcentrationGM3, s.SigmaYM, s.SigmaZM)
	// Output: C 0.000145 g/m³, σy 39.0 m, σz 22.7 m
}

// A ground release of 1 kg/s in class D at 3 m/s: how far does 0.01 g/m³ reach?
func ExamplePlume_Zone() {
	p := plume.Plume{RateGS: 1000, WindMS: 3, Stability: plume.D}
	z, err := p.Zone(0.01)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, _ := p.HalfWidthM(z.FarM/2, z.LOCGM3)
	fmt.Printf("zone to %.0f m (beyond 10 km: %v), half-width %.0f m at mid-length\n", z.FarM, z.TooLong, w)
	// Output: zone to 2266 m (beyond 10 km: false), half-width 127 m at mid-length
}
