package coverage_test

import (
	"fmt"

	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/coverage"
)

// Check the demo plant's tank farm against GB/T 50493-2019.
func ExampleCheck() {
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		panic(err)
	}
	ts, err := sc.Twin(twin.Options{})
	if err != nil {
		panic(err)
	}
	ts.View(func(tx twin.Tx) {
		rep, err := coverage.Check(tx, coverage.Options{Area: "AR-TANK-DIKE"})
		if err != nil {
			panic(err)
		}
		for _, s := range rep.Sources {
			fmt.Printf("%s %s %v:", s.ID, s.Substance, s.Covered)
			for _, r := range s.Required {
				fmt.Printf(" %s ≤ %g m by %d", r.Gas, r.RadiusM, len(r.Detectors))
			}
			fmt.Println()
		}
	})
	// Output:
	// FL-401 methanol true: toxic ≤ 4 m by 1
	// FL-402 ammonia true: toxic ≤ 4 m by 1
	// TK-401 methanol true: toxic ≤ 4 m by 2
	// TK-402 methanol true: toxic ≤ 4 m by 2
	// TK-403 methanol true: toxic ≤ 4 m by 2
	// TK-404 methanol true: toxic ≤ 4 m by 2
	// TK-405 ammonia true: toxic ≤ 4 m by 2
	// TK-406 ammonia true: toxic ≤ 4 m by 2
}
