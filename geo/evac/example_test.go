package evac_test

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/evac"
	"github.com/chemtwin/chemtwin/geo/route"
)

// A corridor with muster points at both ends and a gas cloud over part of
// it, with the wind from the south: the person east of the cloud walks
// east; the person in the cloud takes the shortest way out of it (west);
// the muster point north of the cloud is downwind of it.
func Example() {
	g, err := route.Build([]route.Line{
		{ID: "corridor", Points: [][2]float64{{0, 0}, {200, 0}}, Pedestrian: true},
	}, route.Options{})
	if err != nil {
		panic(err)
	}
	p, err := evac.NewPlanner(g, evac.Options{})
	if err != nil {
		panic(err)
	}
	plan, err := p.Plan(context.Background(), evac.Input{
		Hazards: []evac.Hazard{{ID: "cloud", Area: orb.Polygon{{{40, -20}, {90, -20}, {90, 20}, {40, 20}, {40, -20}}}}},
		Musters: []evac.MusterPoint{{ID: "west", P: [2]float64{0, 0}}, {ID: "east", P: [2]float64{200, 0}, Capacity: 50},
			{ID: "north", P: [2]float64{65, 40}, RadiusM: 10}},
		People: []evac.Person{{ID: "ann", P: [2]float64{150, 2}}, {ID: "bo", P: [2]float64{60, 0}}},
		Wind:   &evac.Wind{FromDeg: 180, SpeedMS: 3}, // from the south
	})
	if err != nil {
		panic(err)
	}
	for _, m := range plan.Musters {
		fmt.Printf("%s: %s\n", m.ID, m.Status)
	}
	for i, r := range plan.Routes {
		path, _ := plan.Path(i)
		fmt.Printf("%s → %s: %.0f m, %.0f s, %.0f m inside, %.0f m downwind, %d points\n",
			r.PersonID, r.MusterID, r.LengthM, r.EtaS, r.InsideM, r.DownwindM, len(path.Points))
	}
	// Output:
	// west: safe
	// east: safe
	// north: downwind
	// ann → east: 52 m, 44 s, 0 m inside, 0 m downwind, 3 points
	// bo → west: 60 m, 50 s, 20 m inside, 40 m downwind, 2 points
}
