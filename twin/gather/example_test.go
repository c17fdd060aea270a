package gather_test

import (
	"fmt"
	"time"

	"github.com/chemtwin/chemtwin/twin/gather"
)

// Three people stand within 15 m of each other; after more than a minute
// of fixes the detector raises a yellow gathering and tells each member.
func ExampleDetector() {
	d, _ := gather.NewDetector(gather.Config{})
	start := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	for s := 0; s <= 62; s += 2 {
		at := start.Add(time.Duration(s) * time.Second)
		for i, id := range []string{"P1", "P2", "P3"} {
			_ = d.Update(gather.Fix{PersonID: id, X: float64(4 * i), Y: 0, At: at})
		}
		st := d.Tick(at)
		for _, g := range st.Raised {
			fmt.Println(g.Colour, g.Count, g.Members, at.Sub(start))
		}
		for _, n := range st.Notify {
			fmt.Println(n.PersonID, n.MessageEn)
		}
	}
	// Output:
	// yellow 3 [P1 P2 P3] 1m2s
	// P1 Gathering warning (yellow): 3 people around you, please disperse now
	// P2 Gathering warning (yellow): 3 people around you, please disperse now
	// P3 Gathering warning (yellow): 3 people around you, please disperse now
}
