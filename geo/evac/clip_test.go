package evac

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// star returns a concave star-shaped ring of n points around c.
func star(rng *rand.Rand, c [2]float64, r float64, n int) [][2]float64 {
	var ring [][2]float64
	for k := range n {
		a := 2 * math.Pi * float64(k) / float64(n)
		d := r * (0.3 + 0.7*rng.Float64())
		ring = append(ring, [2]float64{c[0] + d*math.Cos(a), c[1] + d*math.Sin(a)})
	}
	return ring
}

func toPolygon(rings ...[][2]float64) orb.Polygon {
	var p orb.Polygon
	for _, r := range rings {
		var ring orb.Ring
		for _, q := range r {
			ring = append(ring, q)
		}
		p = append(p, append(ring, ring[0]))
	}
	return p
}

// TestClipAgainstSampling clips random segments against random concave
// polygons with a hole and compares the length inside with a fine
// sampling by orb's point-in-polygon.
func TestClipAgainstSampling(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for trial := range 150 {
		outer := star(rng, [2]float64{0, 0}, 50, 5+rng.IntN(30))
		hole := star(rng, [2]float64{rng.Float64()*6 - 3, rng.Float64()*6 - 3}, 8, 5)
		for i, j := 0, len(hole)-1; i < j; i, j = i+1, j-1 { // clockwise, as GeoJSON holes
			hole[i], hole[j] = hole[j], hole[i]
		}
		a := newArea([][][2]float64{outer, hole})
		poly := toPolygon(outer, hole)
		p := [2]float64{rng.Float64()*140 - 70, rng.Float64()*140 - 70}
		q := [2]float64{rng.Float64()*140 - 70, rng.Float64()*140 - 70}
		spans := a.clip(p, q, nil)
		for k := 1; k < len(spans); k++ {
			if spans[k].t0 <= spans[k-1].t1 || spans[k].t0 >= spans[k].t1 {
				t.Fatalf("trial %d: spans not sorted and disjoint: %v", trial, spans)
			}
		}
		const n = 8000
		in := 0
		for k := range n {
			if planar.PolygonContains(poly, orb.Point(lerp(p, q, (float64(k)+0.5)/n))) {
				in++
			}
		}
		got, want := measure(spans, 0, 1), float64(in)/n
		if math.Abs(got-want) > 2.0/n*float64(len(spans)+1) {
			t.Errorf("trial %d: clip %v of the segment inside, sampling %v", trial, got, want)
		}
		// contains agrees with orb off the boundary.
		for range 20 {
			x := [2]float64{rng.Float64()*140 - 70, rng.Float64()*140 - 70}
			if a.contains(x) != planar.PolygonContains(poly, orb.Point(x)) {
				t.Errorf("trial %d: contains(%v) = %v", trial, x, a.contains(x))
			}
		}
	}
}

// TestMergeAndMeasure checks the span helpers.
func TestMergeAndMeasure(t *testing.T) {
	s := mergeSpans([]span{{0.5, 0.7}, {0.1, 0.2}, {0.6, 0.9}, {0.15, 0.3}})
	if len(s) != 2 || s[0] != (span{0.1, 0.3}) || s[1] != (span{0.5, 0.9}) {
		t.Fatalf("merged %v", s)
	}
	if m := measure(s, 0.2, 0.6); math.Abs(m-0.2) > 1e-12 {
		t.Errorf("measure %v, want 0.2", m)
	}
	if !within(s, 0.25) || within(s, 0.4) {
		t.Errorf("within")
	}
	if insideMM(0) != 0 || insideMM(1e-12) != 0 || insideMM(1e-6) != 1 || insideMM(2.5) != 2500 {
		t.Errorf("insideMM")
	}
}

// TestDownwindSector checks the sector polygon against its definition:
// points built as a hazard vertex plus a vector within the half-angle and
// range are inside; random points inside are within the range (plus the
// polygon's overreach) of the hazard and within the half-angle of some
// point of it.
func TestDownwindSector(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 100 {
		ring := star(rng, [2]float64{rng.Float64() * 100, rng.Float64() * 100}, 20, 8)
		from := rng.Float64() * 360
		half := 10 + rng.Float64()*80
		rangeM := 50 + rng.Float64()*400
		s, c := math.Sincos((from + 180) * math.Pi / 180)
		down := [2]float64{s, c}
		sec := downwindSector(ring, down, half, rangeM)
		a := newArea([][][2]float64{sec})
		base := math.Atan2(down[1], down[0])
		for range 200 {
			v := ring[rng.IntN(len(ring))]
			th := base + (rng.Float64()*2-1)*half*math.Pi/180*0.999
			r := rng.Float64() * rangeM * 0.999
			p := [2]float64{v[0] + r*math.Cos(th), v[1] + r*math.Sin(th)}
			if !a.contains(p) {
				t.Fatalf("trial %d: %v (from a hazard vertex, %v m at %v°) is outside the sector", trial, p, r, th*180/math.Pi)
			}
		}
		hz := newArea([][][2]float64{hull(ring)})
		overreach := rangeM * (1/math.Cos(sectorStepDeg/2*math.Pi/180) - 1)
		for range 500 {
			p := [2]float64{a.min[0] + rng.Float64()*(a.max[0]-a.min[0]), a.min[1] + rng.Float64()*(a.max[1]-a.min[1])}
			if !a.contains(p) || hz.contains(p) {
				continue
			}
			if d := hz.distance(p); d > rangeM+overreach+1e-9 {
				t.Fatalf("trial %d: %v in the sector is %v m from the hazard, range %v", trial, p, d, rangeM)
			}
			// Some point of the hazard's hull lies upwind of p, within the
			// half-angle (and range): the cone from p upwind meets the hull.
			if !convexMeet(hull(ring), upwindCone(p, base, half+0.5, rangeM+overreach+1e-6)) {
				t.Fatalf("trial %d: %v in the sector is not downwind of the hazard", trial, p)
			}
		}
	}
	if downwindSector(nil, [2]float64{1, 0}, 45, 100) != nil || downwindSector([][2]float64{{0, 0}, {1, 0}, {0, 1}}, [2]float64{1, 0}, 45, 0) != nil {
		t.Error("an empty hazard or range has a sector")
	}
}

// upwindCone returns a polygon holding the circular sector with apex p,
// pointing against direction base (radians), of half-angle halfDeg and
// radius r.
func upwindCone(p [2]float64, base, halfDeg, r float64) [][2]float64 {
	const n = 64
	h := halfDeg * math.Pi / 180
	rr := r / math.Cos(h/n) // sides outside the arc
	pts := [][2]float64{p}
	for k := 0; k <= n; k++ {
		a := base + math.Pi - h + 2*h*float64(k)/n
		pts = append(pts, [2]float64{p[0] + rr*math.Cos(a), p[1] + rr*math.Sin(a)})
	}
	return pts
}

// convexMeet reports whether two convex polygons share a point: a vertex
// of one inside the other, or two sides crossing.
func convexMeet(a, b [][2]float64) bool {
	pa, pb := newArea([][][2]float64{a}), newArea([][][2]float64{b})
	for _, v := range a {
		if pb.contains(v) {
			return true
		}
	}
	for _, v := range b {
		if pa.contains(v) {
			return true
		}
	}
	for i := range a {
		p, q := a[i], a[(i+1)%len(a)]
		for j := range b {
			if _, ok := crossing(p, [2]float64{q[0] - p[0], q[1] - p[1]}, b[j], b[(j+1)%len(b)]); ok {
				return true
			}
		}
	}
	return false
}
