package evac

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/chemtwin/chemtwin/internal/gridplant"
	"github.com/paulmach/orb"
)

// fuzzReader turns fuzz bytes into numbers; past the end it reads zeros.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// coord reads a coordinate: mostly within the plant (a tenth of a metre
// in −50…250 m), sometimes any float64 (NaN, ±Inf, huge).
func (r *fuzzReader) coord() float64 {
	if r.byte()&0x1f == 0 {
		var b [8]byte
		for i := range b {
			b[i] = r.byte()
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	}
	return float64(binary.LittleEndian.Uint16([]byte{r.byte(), r.byte()})%3000)/10 - 50
}

func (r *fuzzReader) point() orb.Point { return orb.Point{r.coord(), r.coord()} }

func (r *fuzzReader) ring() orb.Ring {
	var ring orb.Ring
	for range r.byte() % 9 {
		ring = append(ring, r.point())
	}
	return ring
}

func decodeInput(data []byte) Input {
	r := &fuzzReader{data}
	var in Input
	for i := range r.byte() % 4 {
		poly := orb.Polygon{r.ring()}
		if r.byte()%4 == 0 {
			poly = append(poly, r.ring())
		}
		in.Hazards = append(in.Hazards, Hazard{ID: fmt.Sprint("H", i), Area: poly})
	}
	for i := range r.byte() % 4 {
		c := Closure{ID: fmt.Sprint("C", i)}
		switch r.byte() % 4 {
		case 0:
			c.Geometry = orb.Polygon{r.ring()}
		case 1:
			c.Geometry = orb.LineString(r.ring())
		case 2:
			c.Sources = []string{fmt.Sprint("h", r.byte()%8), fmt.Sprint("v", r.byte()%8)}
		}
		in.Closures = append(in.Closures, c)
	}
	if r.byte()%2 == 1 {
		in.Wind = &Wind{FromDeg: r.coord(), SpeedMS: math.Abs(r.coord()) / 20}
	}
	for i := range r.byte() % 5 {
		in.Musters = append(in.Musters, MusterPoint{ID: fmt.Sprint("M", i), P: r.point(), Floor: int(r.byte()%4) - 1,
			RadiusM: float64(r.byte() % 20), Capacity: int(r.byte() % 6)})
	}
	for i := range r.byte() % 32 {
		in.People = append(in.People, Person{ID: fmt.Sprint("P", i), P: r.point(), Floor: int(r.byte()%4) - 1})
	}
	return in
}

// FuzzPlan feeds random hazards, closures, wind, muster points and people
// to one planner (so its caches see every input) and checks that Plan
// never panics, refuses bad input with ErrInput, and keeps its invariants.
func FuzzPlan(f *testing.F) {
	g := mustBuild(f, append(gridplant.Lines(nil, 8, 20, 0), upperFloor(45, 30)...))
	p, err := NewPlanner(g, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 4, 1, 10, 0, 1, 60, 0, 1, 90, 0, 1, 90, 0, 1, 60, 0, 0, 0, 1, 2, 3, 4, 1, 1, 200, 0, 1, 100, 0, 0, 5, 2, 10,
		1, 1, 0, 1, 1, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{3, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf8, 0x7f, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		2, 1, 1, 1, 8, 1, 200, 1, 1, 1, 2, 3, 4, 4, 30, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := decodeInput(data)
		pl, err := p.Plan(context.Background(), in)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("error %v does not wrap ErrInput", err)
			}
			return
		}
		if len(pl.Routes) != len(in.People) || len(pl.Musters) != len(in.Musters) {
			t.Fatalf("%d routes, %d muster points", len(pl.Routes), len(pl.Musters))
		}
		assigned := make([]int, len(pl.Musters))
		s := pl.Stats
		if s.Routed+s.NoNetwork+s.CutOff+s.NoSafeMuster+s.NoCapacity != len(in.People) {
			t.Fatalf("stats %+v for %d people", s, len(in.People))
		}
		for i, r := range pl.Routes {
			path, err := pl.Path(i)
			if !r.Routed() {
				if err == nil || r.Muster != -1 {
					t.Fatalf("%s: %q with a path", r.PersonID, r.Reason)
				}
				continue
			}
			if err != nil || len(path.Points) < 1 || len(path.Points) != len(path.Levels) {
				t.Fatalf("%s: path %v, %v", r.PersonID, path, err)
			}
			m := pl.Musters[r.Muster]
			if !m.Safe() || m.ID != r.MusterID {
				t.Fatalf("%s: routed to %+v", r.PersonID, m)
			}
			assigned[r.Muster]++
			if !r.StartsInside && r.InsideM != 0 {
				t.Fatalf("%s starts outside and walks %v m inside", r.PersonID, r.InsideM)
			}
			if !(r.LengthM >= 0) || !(r.EtaS >= 0) || !(r.CostM >= r.LengthM-r.Snap.DistM-m.Snap.DistM-1e-6) || math.IsInf(r.LengthM, 0) {
				t.Fatalf("%s: %+v", r.PersonID, r)
			}
		}
		for i, m := range pl.Musters {
			if m.Assigned != assigned[i] || m.Capacity > 0 && m.Assigned > m.Capacity {
				t.Fatalf("muster %+v, %d routes", m, assigned[i])
			}
		}
	})
}
