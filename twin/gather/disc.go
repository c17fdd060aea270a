package gather

import "math"

// eps absorbs rounding when a point lies on a circle's rim, in metres.
const eps = 1e-7

type pt struct{ x, y float64 }

// circle is a disc in plant metres.
type circle struct{ x, y, r float64 }

func (c circle) contains(p pt) bool {
	dx, dy := p.x-c.x, p.y-c.y
	return dx*dx+dy*dy <= (c.r+eps)*(c.r+eps)
}

func diameter(a, b pt) circle {
	return circle{(a.x + b.x) / 2, (a.y + b.y) / 2, math.Hypot(a.x-b.x, a.y-b.y) / 2}
}

// circumcircle returns the circle through a, b and c; for (nearly)
// collinear points, the circle on the farthest pair.
func circumcircle(a, b, c pt) circle {
	bx, by, cx, cy := b.x-a.x, b.y-a.y, c.x-a.x, c.y-a.y
	d := 2 * (bx*cy - by*cx)
	if math.Abs(d) < 1e-12 {
		best := diameter(a, b)
		for _, o := range []circle{diameter(a, c), diameter(b, c)} {
			if o.r > best.r {
				best = o
			}
		}
		return best
	}
	b2, c2 := bx*bx+by*by, cx*cx+cy*cy
	ux, uy := (cy*b2-by*c2)/d, (bx*c2-cx*b2)/d
	return circle{a.x + ux, a.y + uy, math.Hypot(ux, uy)}
}

// enclosing returns the minimal enclosing circle of pts (Welzl's algorithm
// in its iterative move-to-front form, without shuffling so that results
// are deterministic; groups are small, so the worst case does not bite).
func enclosing(pts []pt) circle {
	if len(pts) == 0 {
		return circle{}
	}
	c := circle{pts[0].x, pts[0].y, 0}
	for i := 1; i < len(pts); i++ {
		if !c.contains(pts[i]) {
			c = enclosingWith(pts[:i], pts[i])
		}
	}
	return c
}

// enclosingWith returns the minimal circle enclosing pts with q on its rim:
// the minimal enclosing circle of pts ∪ {q} when q lies outside that of pts.
func enclosingWith(pts []pt, q pt) circle {
	c := circle{q.x, q.y, 0}
	for i, p := range pts {
		if !c.contains(p) {
			c = enclosingWith2(pts[:i], q, p)
		}
	}
	return c
}

func enclosingWith2(pts []pt, q, p pt) circle {
	c := diameter(q, p)
	for _, r := range pts {
		if !c.contains(r) {
			c = circumcircle(q, p, r)
		}
	}
	return c
}
