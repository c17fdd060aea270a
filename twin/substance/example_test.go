package substance_test

import (
	"fmt"

	"github.com/chemtwin/chemtwin/twin/substance"
)

func ExampleSetpoints() {
	lib := substance.Default()
	nh3, _ := lib.Get("NH3")
	for _, unit := range []string{"ppm", "%LEL"} {
		sp, err := substance.Setpoints(nh3, unit, 100, substance.Options{})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s %s: %.2f / %.2f %s (%s)\n", nh3.ID, sp.Kind, sp.Level1, sp.Level2, sp.Unit, sp.Basis)
	}
	// Output:
	// ammonia toxic: 28.25 / 56.50 ppm (PC-TWA)
	// ammonia combustible: 25.00 / 50.00 %LEL (LEL)
}

func ExampleLOC() {
	cl2, _ := substance.Default().Get("氯气")
	for _, c := range substance.LOC(cl2).Toxic {
		fmt.Printf("level %d: %g ppm %s\n", c.Level, c.PPM, c.Guideline)
	}
	// Output:
	// level 3: 20 ppm AEGL-3 (60 min)
	// level 2: 2 ppm AEGL-2 (60 min)
	// level 1: 0.5 ppm AEGL-1 (60 min)
}

func ExampleSubstance_Convert() {
	cl2, _ := substance.Default().Get("Cl2")
	gM3, _ := cl2.Convert(776, substance.PPM, substance.GM3, substance.MolarVolume25C)
	fmt.Printf("776 ppm Cl2 at 25 °C = %.3f g/m³\n", gM3)
	// Output: 776 ppm Cl2 at 25 °C = 2.249 g/m³
}
