package route_test

import (
	"fmt"

	"github.com/chemtwin/chemtwin/geo/route"
)

func ExampleGraph_Shortest() {
	// Two roads crossing without a shared vertex, and a walkway ending 0.3 m
	// short of the first road: Build nodes the crossing and the T-junction.
	g, err := route.Build([]route.Line{
		{ID: "east", Points: [][2]float64{{0, 0}, {100, 0}}, Vehicle: true, Pedestrian: true},
		{ID: "north", Points: [][2]float64{{50, -50}, {50, 50}}, Vehicle: true, Pedestrian: true},
		{ID: "path", Points: [][2]float64{{20, 40}, {20, 0.3}}, Pedestrian: true},
	}, route.Options{})
	if err != nil {
		panic(err)
	}
	from, _ := g.Nearest([2]float64{21, 40}, route.Pedestrian)
	to, _ := g.Nearest([2]float64{50, 45}, route.Pedestrian)
	p, err := g.Shortest(from, to, route.Pedestrian)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.1f m over %d legs\n", p.LengthM, len(p.Edges))
	fmt.Println(len(g.Components(route.Vehicle)), "vehicle component(s)")
	// Output:
	// 114.7 m over 3 legs
	// 1 vehicle component(s)
}
