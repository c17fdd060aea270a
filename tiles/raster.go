package tiles

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/paulmach/orb"
	"golang.org/x/image/vector"
)

// coverageLevels quantises anti-aliasing: an edge pixel takes 0, ¼, ½, ¾ or
// all of a colour. Edges stay smooth while a tile keeps few distinct colours,
// which keeps the paletted PNGs small and exact.
const coverageLevels = 4

// vec is a point in tile pixels (x right, y down).
type vec struct{ x, y float64 }

func (a vec) sub(b vec) vec       { return vec{a.x - b.x, a.y - b.y} }
func (a vec) add(b vec) vec       { return vec{a.x + b.x, a.y + b.y} }
func (a vec) scale(k float64) vec { return vec{a.x * k, a.y * k} }
func (a vec) len() float64        { return math.Hypot(a.x, a.y) }
func (a vec) cross(b vec) float64 { return a.x*b.y - a.y*b.x }
func (a vec) dot(b vec) float64   { return a.x*b.x + a.y*b.y }
func (a vec) left() vec           { return vec{-a.y, a.x} }
func polar(r, angle float64) vec  { s, c := math.Sincos(angle); return vec{r * c, r * s} }
func (a vec) angle() float64      { return math.Atan2(a.y, a.x) }

// view places one tile in the Mercator unit square.
type view struct {
	z      uint8
	size   float64 // tile size, pixels
	scale  float64 // pixels per Mercator unit: size·2^z
	ox, oy float64 // world pixel of the tile's top-left corner
	ppm    float64 // pixels per metre
}

func newView(z uint8, x, y uint32, size int, lat float64) view {
	scale := float64(size) * float64(uint64(1)<<z)
	return view{z: z, size: float64(size), scale: scale, ox: float64(x) * float64(size), oy: float64(y) * float64(size),
		ppm: pixelsPerMetre(z, size, lat)}
}

// px maps a Mercator point to tile pixels.
func (v view) px(p orb.Point) vec { return vec{p[0]*v.scale - v.ox, p[1]*v.scale - v.oy} }

// touches reports whether a Mercator bound, grown by marginPx, meets the
// tile.
func (v view) touches(b orb.Bound, marginPx float64) bool {
	lo, hi := v.px(b.Min), v.px(b.Max)
	return hi.x >= -marginPx && hi.y >= -marginPx && lo.x <= v.size+marginPx && lo.y <= v.size+marginPx
}

// pen adds sub-paths to a rasterizer, every ring with the same orientation
// (holes opposite), so that overlapping pieces of one step add up instead of
// cancelling: the rasterizer sums signed coverage and clamps it to 1.
type pen struct {
	r    *vector.Rasterizer
	size float64
}

// ring adds a closed ring, counter-clockwise on screen when positive.
func (p pen) ring(pts []vec, positive bool) {
	if len(pts) < 3 {
		return
	}
	var area float64
	for i := range pts {
		area += pts[i].cross(pts[(i+1)%len(pts)])
	}
	if area == 0 {
		return
	}
	fwd := (area > 0) == positive
	at := func(i int) vec {
		if fwd {
			return pts[i]
		}
		return pts[len(pts)-1-i]
	}
	p.r.MoveTo(float32(at(0).x), float32(at(0).y))
	for i := 1; i < len(pts); i++ {
		p.r.LineTo(float32(at(i).x), float32(at(i).y))
	}
	p.r.ClosePath()
}

// circle adds a disc.
func (p pen) circle(c vec, r float64) {
	if r <= 0 || !p.visible(c, r) {
		return
	}
	p.ring(p.arc(c, r, 0, 2*math.Pi, false), true)
}

// arc returns points on a circle from angle a sweeping by sweep radians,
// with the centre first when pie is set.
func (p pen) arc(c vec, r, a, sweep float64, pie bool) []vec {
	n := int(math.Ceil(math.Abs(sweep) * r / 1.5))
	n = max(2, min(n, 180))
	pts := make([]vec, 0, n+2)
	if pie {
		pts = append(pts, c)
	}
	for i := 0; i <= n; i++ {
		pts = append(pts, c.add(polar(r, a+sweep*float64(i)/float64(n))))
	}
	return pts
}

// stroke adds a band of width w along a polyline: one quadrilateral per
// segment, a pie wedge on the outer side of each turn and, when capped,
// half discs at the ends. The pieces abut without overlapping (except on the
// inner side of turns), so their anti-aliased edges stay exact. A closed
// polyline (first point repeated last) gets a join where it closes.
func (p pen) stroke(pts []vec, w float64, closed, capped bool) {
	pts = dedupe(pts)
	if len(pts) < 2 || w <= 0 {
		return
	}
	if closed && pts[0] != pts[len(pts)-1] {
		pts = append(pts, pts[0])
	}
	h := w / 2
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		if !p.segmentVisible(a, b, h) {
			continue
		}
		n := b.sub(a).scale(1 / b.sub(a).len()).left().scale(h)
		p.ring([]vec{a.add(n), b.add(n), b.sub(n), a.sub(n)}, true)
	}
	last := len(pts) - 1
	for i := 1; i < last; i++ {
		p.join(pts[i-1], pts[i], pts[i+1], h)
	}
	switch {
	case closed && len(pts) > 2:
		p.join(pts[last-1], pts[0], pts[1], h)
	case capped:
		d0 := pts[1].sub(pts[0])
		p.cap(pts[0], d0.left().angle(), h)
		d1 := pts[last].sub(pts[last-1])
		p.cap(pts[last], d1.left().scale(-1).angle(), h)
	}
}

// join adds the wedge that fills the outer side of the turn at b.
func (p pen) join(a, b, c vec, h float64) {
	d1, d2 := b.sub(a), c.sub(b)
	turn := math.Atan2(d1.cross(d2), d1.dot(d2))
	if math.Abs(turn) < 1e-3 || !p.visible(b, h) {
		return
	}
	out := d1.left()
	if turn > 0 {
		out = out.scale(-1)
	}
	p.ring(p.arc(b, h, out.angle(), turn, true), true)
}

// cap adds a half disc at an end, from angle a sweeping half a turn.
func (p pen) cap(at vec, a, h float64) {
	if p.visible(at, h) {
		p.ring(p.arc(at, h, a, math.Pi, true), true)
	}
}

// dashes splits a polyline into its dashes, on pixels drawn and off
// skipped, the pattern starting at the first point.
func dashes(pts []vec, on, off float64) [][]vec {
	var out [][]vec
	var cur []vec
	drawing, rem := true, on
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		seg := b.sub(a).len()
		if seg == 0 {
			continue
		}
		if drawing && len(cur) == 0 {
			cur = []vec{a}
		}
		pos := 0.0
		for seg-pos > rem {
			pos += rem
			q := a.add(b.sub(a).scale(pos / seg))
			if drawing {
				out, cur = append(out, append(cur, q)), nil
				rem = off
			} else {
				cur, rem = []vec{q}, on
			}
			drawing = !drawing
		}
		rem -= seg - pos
		if drawing {
			cur = append(cur, b)
		}
	}
	if drawing && len(cur) > 1 {
		out = append(out, cur)
	}
	return out
}

// dedupe drops repeated points.
func dedupe(pts []vec) []vec {
	out := make([]vec, 0, len(pts))
	for i, q := range pts {
		if i == 0 || q.sub(out[len(out)-1]).len() > 1e-9 {
			out = append(out, q)
		}
	}
	return out
}

// visible reports whether a disc of radius r about c can touch the tile.
func (p pen) visible(c vec, r float64) bool {
	return c.x >= -r && c.y >= -r && c.x <= p.size+r && c.y <= p.size+r
}

// segmentVisible reports whether a band of half width h along ab can touch
// the tile.
func (p pen) segmentVisible(a, b vec, h float64) bool {
	return max(a.x, b.x) >= -h && max(a.y, b.y) >= -h && min(a.x, b.x) <= p.size+h && min(a.y, b.y) <= p.size+h
}

// composite paints colour c over the pixels r of dst with the quantised
// coverage of mask, whose pixel (x+off, y+off) covers dst's (x, y).
func composite(dst *image.RGBA, r image.Rectangle, mask *image.Alpha, off int, c color.RGBA) {
	r = r.Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := mask.Pix[(y+off)*mask.Stride+off:]
		px := dst.Pix[y*dst.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			k := (int(row[x])*coverageLevels + 127) / 255
			if k == 0 {
				continue
			}
			p := px[4*x : 4*x+3 : 4*x+3]
			p[0] = blend(p[0], c.R, k)
			p[1] = blend(p[1], c.G, k)
			p[2] = blend(p[2], c.B, k)
		}
	}
}

func blend(a, b uint8, k int) uint8 {
	return uint8((int(a)*(coverageLevels-k) + int(b)*k + coverageLevels/2) / coverageLevels)
}

// fill sets every pixel of img to c.
func fill(img *image.RGBA, c color.RGBA) {
	draw.Draw(img, img.Rect, image.NewUniform(c), image.Point{}, draw.Src)
}
