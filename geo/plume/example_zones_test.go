package plume_test

import (
	"fmt"

	"github.com/chemtwin/chemtwin/geo/plume"
)

// A 1 kg/s ground release in a 3 m/s west wind, class D: the zones for three
// levels of concern (g/m³) on the default 2 km grid at 5 m.
func ExampleThreatZones() {
	z, err := plume.ThreatZones(plume.ZoneOptions{
		Plume:       plume.Plume{RateGS: 1000, WindMS: 3, Stability: plume.D},
		WindFromDeg: 270,
		LOCGM3:      []float64{0.766, 0.111, 0.0209},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d cells, σθ %.1f°\n", len(z.Field), z.SigmaThetaDeg)
	for _, lv := range z.Levels {
		fmt.Printf("%.4f g/m³: %.0f m downwind\n", lv.Zone.LOCGM3, lv.Zone.FarM)
	}
	// Output:
	// 160000 cells, σθ 7.5°
	// 0.7660 g/m³: 181 m downwind
	// 0.1110 g/m³: 522 m downwind
	// 0.0209 g/m³: 1413 m downwind
}
