package fence

import "math"

// contains reports whether the local point q lies in the fence (even-odd
// crossing test per polygon: inside the outer ring and in no hole).
func (f *Fence) contains(q xy) bool {
	if q.x < f.ext[0].x || q.x > f.ext[1].x || q.y < f.ext[0].y || q.y > f.ext[1].y {
		return false
	}
	for _, rings := range f.polys {
		if len(rings) == 0 || !ringContains(rings[0], q) {
			continue
		}
		inHole := false
		for _, h := range rings[1:] {
			if ringContains(h, q) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

func ringContains(r []xy, q xy) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a.y > q.y) != (b.y > q.y) && q.x < (b.x-a.x)*(q.y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}

// edgeDistance returns the distance in metres from q to the nearest edge of
// the fence (any ring).
func (f *Fence) edgeDistance(q xy) float64 {
	best := math.Inf(1)
	for _, rings := range f.polys {
		for _, r := range rings {
			for i := 1; i < len(r); i++ {
				best = math.Min(best, segDist2(r[i-1], r[i], q))
			}
		}
	}
	return math.Sqrt(best)
}

func segDist2(a, b, q xy) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((q.x-a.x)*dx+(q.y-a.y)*dy)/l))
	}
	ex, ey := a.x+t*dx-q.x, a.y+t*dy-q.y
	return ex*ex + ey*ey
}

// within reports whether q is in the fence, or — for a point that was inside
// (sticky) — no farther than marginM outside its edge.
func (f *Fence) within(q xy, sticky bool, marginM float64) bool {
	if f.contains(q) {
		return true
	}
	if !sticky || marginM <= 0 {
		return false
	}
	if q.x < f.ext[0].x-marginM || q.x > f.ext[1].x+marginM || q.y < f.ext[0].y-marginM || q.y > f.ext[1].y+marginM {
		return false
	}
	return f.edgeDistance(q) <= marginM
}
