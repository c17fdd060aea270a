package storetest

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/store"
)

// square is the closed ring of the axis-aligned grid square [x0, x1]×[y0, y1].
func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{grid(x0, y0), grid(x1, y0), grid(x1, y1), grid(x0, y1), grid(x0, y0)}
}

// notched is a concave U: the square [0, 6]² without its notch
// (2, 4)×(2, 6]. Its bounding box holds the notch; the polygon does not.
var notched = orb.Polygon{{
	grid(0, 0), grid(6, 0), grid(6, 6), grid(4, 6), grid(4, 2),
	grid(2, 2), grid(2, 6), grid(0, 6), grid(0, 0),
}}

// presenceFixture is the fixes of the presence tests; the window is
// [base, base+10 min]. Comments say where each fix lies relative to
// notched. Entity ids sort in byte order: "Z-1" < "a-visitor" < "p-1" <
// "p-10" < "p-2" < … < "张伟".
func presenceFixture() []store.Position {
	m := time.Minute
	return []store.Position{
		fix("p-1", -time.Millisecond, 1, 1), // inside, 1 ms before the window
		fix("p-1", 1*m, 1, 1),               // inside
		fix("p-1", 2*m, 3, 4),               // in the notch: in the bbox, outside
		fix("p-1", 3*m, 5, 5),               // inside
		fix("p-1", 4*m, 8, 8),               // outside the bbox
		fix("p-1", 5*m, 1, 5),               // inside
		fix("p-2", 90*time.Second, 3, 4),    // in the notch
		fix("p-2", 150*time.Second, 3, 3),   // in the notch
		fix("p-10", 0, 0, 0),                // on a vertex, at the window's start
		fix("p-3", 10*m, 3, 0),              // on the bottom edge, at the window's end
		fix("p-4", 6*m, 4, 4),               // on the notch's vertical edge
		fix("Z-1", 5*m, -1, 3),              // outside the bbox
		fix("Z-1", 8*m, 5, 1),               // inside; "Z" sorts before "a"
		fix("张伟", 7*m, 1, 1),                // inside, twice at the same time
		fix("张伟", 7*m, 1, 1),
		fix("a-visitor", 9*m, 1, 1),                   // inside
		fix("a-visitor", 10*m+time.Millisecond, 1, 1), // inside, 1 ms after the window
	}
}

// seen is an expected presence entry; first and last are offsets from base.
func seen(entity string, first, last time.Duration, fixes int) store.Presence {
	return store.Presence{EntityID: entity, First: at(first), Last: at(last), Fixes: fixes}
}

func (s suite) testPresence(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if err := st.AppendPositions(c, presenceFixture()); err != nil {
		t.Fatal(err)
	}
	m := time.Minute
	from, to := base, at(10*m)
	holed := orb.Polygon{square(0, 0, 6, 6), square(0.5, 4.5, 1.5, 5.5)} // the hole holds p-1's (1, 5)
	cases := []struct {
		name     string
		area     orb.Geometry
		from, to time.Time
		want     []store.Presence
	}{
		{"concave polygon: bbox points outside it excluded, vertex and edges included", notched, from, to, []store.Presence{
			seen("Z-1", 8*m, 8*m, 1), seen("a-visitor", 9*m, 9*m, 1), seen("p-1", 1*m, 5*m, 3), seen("p-10", 0, 0, 1),
			seen("p-3", 10*m, 10*m, 1), seen("p-4", 6*m, 6*m, 1), seen("张伟", 7*m, 7*m, 2),
		}},
		{"narrower window", notched, at(2 * m), at(4 * m), []store.Presence{seen("p-1", 3*m, 3*m, 1)}},
		{"polygon with a hole", holed, from, to, []store.Presence{
			seen("Z-1", 8*m, 8*m, 1), seen("a-visitor", 9*m, 9*m, 1), seen("p-1", 1*m, 3*m, 3), seen("p-10", 0, 0, 1),
			seen("p-2", 90*time.Second, 150*time.Second, 2), seen("p-3", 10*m, 10*m, 1),
			seen("p-4", 6*m, 6*m, 1), seen("张伟", 7*m, 7*m, 2),
		}},
		{"multipolygon", orb.MultiPolygon{{square(0, 0, 2, 2)}, {square(4.5, 4.5, 5.5, 5.5)}}, from, to, []store.Presence{
			seen("a-visitor", 9*m, 9*m, 1), seen("p-1", 1*m, 3*m, 2), seen("p-10", 0, 0, 1), seen("张伟", 7*m, 7*m, 2),
		}},
		{"bound: corners and edges included", orb.Bound{Min: grid(3, 0), Max: grid(6, 4)}, from, to, []store.Presence{
			seen("Z-1", 8*m, 8*m, 1), seen("p-1", 2*m, 2*m, 1), seen("p-2", 90*time.Second, 150*time.Second, 2),
			seen("p-3", 10*m, 10*m, 1), seen("p-4", 6*m, 6*m, 1),
		}},
		{"window without fixes", notched, at(20 * m), at(30 * m), nil},
		{"from after to", notched, to, from, nil},
	}
	for _, tc := range cases {
		got, err := st.Presence(c, store.PresenceQuery{Area: tc.area, From: tc.from, To: tc.to})
		if err != nil {
			t.Errorf("%s: Presence: %v", tc.name, err)
			continue
		}
		if len(got) == 0 {
			got = nil
		}
		same(t, tc.name, got, tc.want)
	}
	s.testBadAreas(t, st)
}

// testBadAreas checks that Presence refuses areas it cannot test.
func (s suite) testBadAreas(t *testing.T, st store.Store) {
	nan := grid(1, 1)
	nan[0] = math.NaN()
	bad := map[string]orb.Geometry{
		"nil":                  nil,
		"point":                grid(1, 1),
		"line":                 orb.LineString{grid(0, 0), grid(1, 1)},
		"polygon of no rings":  orb.Polygon{},
		"unclosed ring":        orb.Polygon{{grid(0, 0), grid(1, 0), grid(1, 1), grid(0, 1)}},
		"ring of 3 points":     orb.Polygon{{grid(0, 0), grid(1, 0), grid(0, 0)}},
		"NaN vertex":           orb.Polygon{{grid(0, 0), nan, grid(1, 1), grid(0, 0)}},
		"empty multipolygon":   orb.MultiPolygon{},
		"bad polygon in multi": orb.MultiPolygon{{square(0, 0, 1, 1)}, {}},
		"bound min above max":  orb.Bound{Min: grid(2, 0), Max: grid(1, 1)},
		"bound with Inf":       orb.Bound{Min: grid(0, 0), Max: orb.Point{math.Inf(1), 31.5}},
	}
	for name, area := range bad {
		_, err := st.Presence(ctx(t), store.PresenceQuery{Area: area, From: base, To: at(time.Hour)})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Presence(%s) error = %v, want store.ErrInvalid", name, err)
		}
	}
}
