package sim_test

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/sim"
	"github.com/chemtwin/chemtwin/twin"
)

func ExampleSim_Step() {
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1150, 0)
	if err != nil {
		panic(err)
	}
	scene := twin.New(twin.Options{SiteID: "demo", Frame: f})
	scene.Apply(twin.Upsert{Entity: &twin.Entity{
		ID: "GD-1", Kind: twin.KindGasDetector, Geometry: f.Point(10, 20),
		Props: map[string]any{"detector_type": "combustible", "unit": "%LEL", "range": []any{0.0, 100.0}, "alarm1": 25.0, "alarm2": 50.0},
	}})
	s, err := sim.New(scene, sim.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	start := time.Date(2025, 7, 15, 8, 0, 0, 0, time.UTC)
	n := 0
	for at := start; !at.After(start.Add(10 * time.Second)); at = at.Add(200 * time.Millisecond) {
		for _, m := range s.Step(at) {
			if n == 0 {
				fmt.Println(m.Topic)
			}
			n++
		}
	}
	fmt.Println(n, "readings in 10 s")
	// Output:
	// chemtwin/demo/detectors/GD-1/reading
	// 10 readings in 10 s
}
