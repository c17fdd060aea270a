package tiles

import (
	"image"
	"image/draw"
	"math"

	"github.com/paulmach/orb"
	"golang.org/x/image/vector"
)

// canvas renders tiles one at a time. Each bake worker owns one: nothing in
// it is safe for concurrent use.
type canvas struct {
	size       int
	img        *image.RGBA
	mask       *image.Alpha // one step's coverage
	text, halo *image.Alpha // label masks, padded by labelPad
	rast       *vector.Rasterizer
	faces      *faces
	enc        *encoder
}

func newCanvas(size int, fs *faces) *canvas {
	padded := image.Rect(0, 0, size+2*labelPad, size+2*labelPad)
	r := vector.NewRasterizer(size, size)
	return &canvas{size: size, img: image.NewRGBA(image.Rect(0, 0, size, size)), mask: image.NewAlpha(image.Rect(0, 0, size, size)),
		text: image.NewAlpha(padded), halo: image.NewAlpha(padded), rast: r, faces: fs, enc: newEncoder()}
}

// render draws tile z/x/y of the plan and returns it as a PNG.
func (c *canvas) render(p *plan, labels []placed, z uint8, x, y uint32) ([]byte, error) {
	v := newView(z, x, y, c.size, p.lat)
	fill(c.img, colOutside)
	for _, o := range p.ops {
		c.draw(o, v)
	}
	c.drawLabels(labels, v)
	return c.enc.encode(c.img)
}

// draw renders one step: its geoms that meet the tile, filled or stroked.
func (c *canvas) draw(o *op, v view) {
	if v.z < o.minZoom || len(o.geoms) == 0 {
		return
	}
	pn := pen{r: c.rast, size: v.size}
	var area image.Rectangle // pixels the drawn geoms may cover
	for i := range o.geoms {
		g := &o.geoms[i]
		w := o.width(g, v)
		m := w/2 + 1
		if !v.touches(g.bound, m) {
			continue
		}
		if area.Empty() {
			c.rast.Reset(c.size, c.size)
			c.rast.DrawOp = draw.Src // Reset restores draw.Over
		}
		lo, hi := v.px(g.bound.Min), v.px(g.bound.Max)
		area = area.Union(image.Rect(int(math.Floor(max(lo.x-m, -1))), int(math.Floor(max(lo.y-m, -1))),
			int(math.Ceil(min(hi.x+m, v.size+1))), int(math.Ceil(min(hi.y+m, v.size+1)))))
		if o.fill {
			fillGeom(pn, g, v)
		} else {
			strokeGeom(pn, g, v, w, o.dash)
		}
	}
	if !area.Empty() {
		c.rast.Draw(c.mask, c.mask.Rect, image.Opaque, image.Point{})
		composite(c.img, area, c.mask, 0, o.color)
	}
}

// width is the stroke width of g at the view's zoom, pixels (0 for fills).
func (o *op) width(g *geom, v view) float64 {
	switch {
	case o.fill:
		return 0
	case g.open:
		return max(g.widthM*v.ppm+o.extraPx, o.minPx)
	}
	return o.extraPx
}

func fillGeom(pn pen, g *geom, v view) {
	if g.radiusM > 0 {
		pn.circle(v.px(g.rings[0][0]), g.radiusM*v.ppm)
		return
	}
	for i, r := range g.rings {
		pn.ring(pixels(r, v), i == 0)
	}
}

func strokeGeom(pn pen, g *geom, v view, w float64, dash [2]float64) {
	var lines [][]vec
	switch {
	case g.radiusM > 0:
		c := v.px(g.rings[0][0])
		lines = [][]vec{pn.arc(c, g.radiusM*v.ppm, 0, 2*math.Pi, false)}
	default:
		for _, r := range g.rings {
			lines = append(lines, pixels(r, v))
		}
	}
	for _, l := range lines {
		if dash[0] == 0 {
			pn.stroke(l, w, !g.open, g.open)
			continue
		}
		for _, d := range dashes(l, dash[0], dash[1]) {
			pn.stroke(d, w, false, false)
		}
	}
}

// pixels maps Mercator points to the view's pixels.
func pixels(pts []orb.Point, v view) []vec {
	out := make([]vec, len(pts))
	for i, p := range pts {
		out[i] = v.px(p)
	}
	return out
}
